"""The simulator API: the real engine on a stored version, the call state travelling with the
client (speech, keypad, silence, transfer), bad states refused."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient

from ivr.storage.database import Database
from tests.web.conftest import api_login
from tests.web.flows import store_mairie

NOW = "2026-05-12T10:00:00"  # a Tuesday morning: the town hall is open


def _turn(client: TestClient, headers: dict[str, str], state: str | None,
          line: str) -> dict[str, Any]:
    answer = client.post("/api/simulator/mairie/1", headers=headers,
                         json={"state": state, "input": line, "now": NOW})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_conversation_by_voice_keypad_and_silence_ends_in_a_transfer(
    client: TestClient, web_db: Database
) -> None:
    store_mairie(web_db, publish=False)  # unpublished versions can be tried too
    headers = api_login(client, "alice")
    greeting = _turn(client, headers, None, "")
    assert greeting["turn"]["node"] == "menu_principal" and not greeting["ended"]
    assert "mairie de Saint-Aubin-sur-Loire" in " ".join(greeting["turn"]["say"])
    hours = _turn(client, headers, greeting["state"], "quels sont vos horaires")
    assert hours["turn"]["intent"] == "horaires"
    assert "8 heures 30" in " ".join(hours["turn"]["say"])
    silence = _turn(client, headers, hours["state"], "")
    assert silence["turn"]["node"] == hours["turn"]["node"]  # reprompted, same question
    agent = _turn(client, headers, silence["state"], "dtmf:0")
    assert agent["ended"] and agent["turn"]["action"] == "transfer"
    assert agent["turn"]["transfer"]["queue"] == "accueil"
    transcript = json.loads(agent["state"])["transcript"]
    assert [t["input"] for t in transcript] == ["start", "speech", "silence", "dtmf"]


def test_bad_states_and_unknown_versions_are_refused(client: TestClient,
                                                     web_db: Database) -> None:
    store_mairie(web_db, publish=False)
    headers = api_login(client, "alice")
    not_json = client.post("/api/simulator/mairie/1", headers=headers,
                           json={"state": "{broken", "input": "bonjour"})
    assert not_json.status_code == 422 and not_json.json()["code"] == "invalid_value"
    elsewhere = client.post("/api/simulator/mairie/1", headers=headers,
                            json={"state": json.dumps({"node": "nowhere"}), "input": "x"})
    assert elsewhere.status_code == 422
    missing = client.post("/api/simulator/mairie/7", headers=headers, json={"input": ""})
    assert missing.status_code == 404
    too_long = client.post("/api/simulator/mairie/1", headers=headers,
                           json={"input": "x" * 501})
    assert too_long.status_code == 422 and too_long.json()["code"] == "invalid_request"
