"""Agent console: calls in progress from the live hub, a call's page from the hub or the
database, the server-sent event stream, and who may see them."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from ivr.live import CallEvent, LiveHub
from ivr.storage import calls, users
from ivr.storage.database import Database
from tests.web.conftest import api_login

STARTED = datetime(2026, 5, 12, 8, 0, tzinfo=UTC)


def _hub(app: FastAPI) -> LiveHub:
    hub: LiveHub = app.state.ctx.live
    return hub


def _transferred_call(hub: LiveHub) -> None:
    hub.publish(CallEvent("live-1", "start", at=STARTED, caller="0612345678"))
    hub.publish(CallEvent("live-1", "turn", speaker="assistant", text="Bonjour, que puis-je ?"))
    hub.publish(CallEvent("live-1", "turn", speaker="caller",
                          text="un permis de construire, rappelez-moi au 06 12 34 56 78",
                          intent="urbanisme", slots=(("sujet", "urbanisme"),)))
    hub.publish(CallEvent("live-1", "transfer", queue="urbanisme", reason="permis de construire",
                          text="Demande de permis de construire.",
                          slots=(("sujet", "urbanisme"),)))


def test_a_transferred_call_shows_its_context_and_masked_transcript(
    client: TestClient, app: FastAPI
) -> None:
    _transferred_call(_hub(app))
    api_login(client, "bob")
    listing = client.get("/agent/calls")
    assert listing.status_code == 200 and "Appels en cours (1)" in listing.text
    assert '<tr class="transferred">' in listing.text and "vers urbanisme" in listing.text
    page = client.get("/agent/calls/live-1")
    assert page.status_code == 200
    assert 'data-stream="/agent/live/events?call=live-1"' in page.text
    assert "Demande de permis de construire." in page.text
    assert "sujet = urbanisme" in page.text and "permis de construire" in page.text
    assert "rappelez-moi au [téléphone]" in page.text and "06 12 34" not in page.text.split(
        "Transcription")[1]
    api = client.get("/api/live/calls").json()
    assert [e["kind"] for e in api[0]["events"]] == ["start", "turn", "turn", "transfer"]
    _hub(app).publish(CallEvent("live-1", "end", reason="transferred"))
    assert "Aucun appel en cours." in client.get("/agent/calls/tableau").text


def test_a_recorded_call_is_shown_from_the_database(client: TestClient,
                                                    web_db: Database) -> None:
    with web_db.transaction() as s:
        calls.start_call(s, "db-1", "0145678912")
        calls.add_turn(s, "db-1", "caller", "je voudrais un acte de naissance",
                       intent="etat_civil")
        calls.end_call(s, "db-1", "transferred", transfer_queue="etat_civil",
                       transfer_reason="acte introuvable", summary="Acte de naissance.")
    api_login(client, "bob")
    page = client.get("/agent/calls/db-1")
    assert page.status_code == 200 and "Appel terminé : transféré." in page.text
    assert "acte introuvable" in page.text and "(demande : etat_civil)" in page.text
    assert "data-stream" not in page.text and "Pris par" not in page.text
    with web_db.transaction() as s:  # the agent's phone answered it
        calls.record_transfer_agent(s, "db-1", "102")
    assert '<dd id="ctx-agent">poste 102</dd>' in client.get("/agent/calls/db-1").text
    assert "Appel db-1" in client.get("/agent/calls").text
    assert "etat_civil (poste 102)" in client.get("/agent/calls/tableau").text
    assert client.get("/agent/calls/nope").status_code == 404


def test_the_event_stream_sends_the_calls_events(client: TestClient, app: FastAPI) -> None:
    hub = _hub(app)
    api_login(client, "bob")
    with client.stream("GET", "/agent/live/events?call=live-1") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        deadline = time.monotonic() + 5
        while hub.subscriber_count == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        hub.publish(CallEvent("other", "start"))  # filtered out: another call
        _transferred_call(hub)
        kinds, data = [], []
        for line in stream.iter_lines():
            if line.startswith("event: "):
                kinds.append(line[7:])
            elif line.startswith("data: "):
                data.append(json.loads(line[6:]))
            if kinds[-1:] == ["transfer"] and len(data) == len(kinds):
                break
    assert kinds == ["start", "turn", "turn", "transfer"]
    assert data[2]["text"] == "un permis de construire, rappelez-moi au [téléphone]"
    assert data[3]["queue"] == "urbanisme" and data[3]["slots"] == {"sujet": "urbanisme"}


def test_only_signed_in_agents_and_admins_see_calls(client: TestClient) -> None:
    assert client.get("/agent/calls").status_code == 401
    assert client.get("/agent/live/events").status_code == 401
    assert client.get("/api/live/calls").status_code == 401
    api_login(client, "alice")
    assert client.get("/agent/calls").status_code == 200


def test_the_screen_pop_shows_who_why_and_what_was_said(
    client: TestClient, app: FastAPI, web_db: Database
) -> None:
    hub = _hub(app)
    _transferred_call(hub)
    hub.publish(CallEvent("live-1", "end", reason="transferred"))  # now in the queue
    api_login(client, "bob")
    assert 'data-phone=""' in client.get("/agent/calls").text
    assert "Aucun poste téléphonique" in client.get("/agent/calls").text
    with web_db.transaction() as s:
        users.set_phone(s, "bob", "101")
    page = client.get("/agent/calls").text
    assert 'id="appel-entrant"' in page and 'data-phone="101"' in page
    assert "Aucun poste" not in page
    pop = client.get("/agent/calls/live-1/sonnerie")
    assert pop.status_code == 200 and "Votre téléphone sonne" in pop.text
    assert "0612345678" in pop.text and "permis de construire" in pop.text
    assert "Demande de permis de construire." in pop.text and "sujet = urbanisme" in pop.text
    assert "rappelez-moi au [téléphone]" in pop.text and "06 12 34 56 78" not in pop.text
    assert 'href="/agent/calls/live-1"' in pop.text
    assert client.get("/agent/calls/nope/sonnerie").status_code == 404
    with TestClient(app) as anonymous:
        assert anonymous.get("/agent/calls/live-1/sonnerie").status_code in (303, 401)


def test_each_agent_hears_of_their_own_phone_only(
    client: TestClient, app: FastAPI, web_db: Database
) -> None:
    hub = _hub(app)
    _transferred_call(hub)
    with web_db.transaction() as s:
        users.set_phone(s, "bob", "101")
    api_login(client, "bob")
    with client.stream("GET", "/agent/live/events") as stream:
        deadline = time.monotonic() + 5
        while hub.subscriber_count == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        hub.publish(CallEvent("live-1", "ringing", agent="102"))  # another agent's phone
        hub.publish(CallEvent("live-1", "ring_end", agent="102"))
        hub.publish(CallEvent("live-1", "ringing", agent="101"))
        hub.publish(CallEvent("live-1", "answered", agent="101"))
        hub.publish(CallEvent("live-1", "agent_end", agent="101"))
        hub.publish(CallEvent("live-1", "end", reason="transferred"))
        seen = []
        for line in stream.iter_lines():
            if line.startswith("data: "):
                data = json.loads(line[6:])
                seen.append((data["kind"], data["agent"]))
            if seen[-1:] == [("end", None)]:
                break
    assert seen == [("ringing", "101"), ("answered", "101"), ("agent_end", "101"),
                    ("end", None)]
