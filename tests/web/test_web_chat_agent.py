"""A web chat handed over to an agent, over HTTP: the agent answers, the citizen reads the
answer and writes back to the agent (not to the flow), either side ends it; the messages are
turns of the call (masked, purged with it); and every refusal has its status."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from ivr.live import LiveHub
from ivr.privacy.purge import purge_expired_data
from ivr.storage import calls
from ivr.storage.database import Database
from ivr.storage.types import utc_now
from tests.web.conftest import api_login, chat_say, chat_start
from tests.web.doubles import ManualClock

PHONE = "06 12 34 56 78"


def _handed_over(chat: TestClient) -> str:
    conversation = str(chat_start(chat)["id"])
    reply = chat_say(chat, conversation, choice="0")
    assert reply["agent"] and not reply["ended"]
    return conversation


def _replies(chat: TestClient, conversation: str, after: int = 0) -> dict[str, Any]:
    answer = chat.get(f"/api/chat/{conversation}/replies", params={"after": after})
    assert answer.status_code == 200, answer.text
    view: dict[str, Any] = answer.json()
    return view


def test_agent_and_citizen_write_to_each_other_until_the_agent_ends(
    chat: TestClient, web_db: Database, hub: LiveHub
) -> None:
    headers = api_login(chat, "bob")
    with_flow = str(chat_start(chat)["id"])
    assert 'id="chat-agent" hidden' in chat.get(f"/agent/calls/{with_flow}").text
    conversation = _handed_over(chat)
    page = chat.get(f"/agent/calls/{conversation}")
    assert 'id="chat-agent"\n' in page.text and "Votre réponse" in page.text
    assert _replies(chat, conversation)["messages"] == []

    reply = chat_say(chat, conversation, text=f"bonjour, mon numéro est le {PHONE}")
    assert reply["messages"] == [] and reply["agent"]  # to the agent, not to the flow
    live = hub.call(conversation)
    assert live is not None and live.turns[-1].speaker == "caller"
    assert live.turns[-1].intent is None and PHONE in (live.turns[-1].text or "")

    sent = chat.post(f"/api/agent/chats/{conversation}/messages", headers=headers,
                     json={"text": f"Bonjour, je vous rappelle au {PHONE} ?"})
    assert sent.status_code == 200 and sent.json()["next"] == 1
    first = _replies(chat, conversation)
    assert first["messages"] == [f"Bonjour, je vous rappelle au {PHONE} ?"]
    assert first["next"] == 1 and not first["ended"]
    assert _replies(chat, conversation, after=1)["messages"] == []
    chat_say(chat, conversation, text="oui merci")
    assert [t.speaker for t in hub.call(conversation).turns][-3:] == [  # type: ignore[union-attr]
        "caller", "agent", "caller"]

    assert chat.post(f"/api/agent/chats/{conversation}/end", headers=headers).status_code == 204
    assert hub.call(conversation) is None
    last = _replies(chat, conversation, after=1)
    assert last["ended"] and last["ended_by"] == "agent" and last["messages"] == []
    assert chat.get(f"/api/chat/{conversation}/replies").status_code == 404

    with web_db.transaction() as s:
        record = calls.get_call(s, conversation)
    tail = [(t.speaker, t.text) for t in record.turns][-3:]
    assert [speaker for speaker, _ in tail] == ["caller", "agent", "caller"]
    assert PHONE not in " ".join(text for _, text in tail)  # masked like the phone's turns
    assert record.outcome == "transferred"
    transcript = chat.get(f"/agent/calls/{conversation}").text  # from the database now
    assert "Conseiller :" in transcript and 'id="chat-agent"' not in transcript
    with web_db.transaction() as s:  # kept exactly as long as the phone's transcripts
        purge_expired_data(s, now=utc_now() + timedelta(days=400), retention_days=365)
        assert calls.list_calls(s, since=utc_now() - timedelta(days=1)) == []


def test_the_citizen_ends_a_handed_over_chat(chat: TestClient, hub: LiveHub) -> None:
    conversation = _handed_over(chat)
    headers = api_login(chat, "bob")
    assert chat.post(f"/api/chat/{conversation}/end").status_code == 204
    assert hub.call(conversation) is None
    refused = chat.post(f"/api/agent/chats/{conversation}/messages", headers=headers,
                        json={"text": "vous êtes là ?"})
    assert refused.status_code == 404


def test_refusals_of_agent_replies(chat: TestClient) -> None:
    conversation = _handed_over(chat)
    with_flow = str(chat_start(chat)["id"])
    url = f"/api/agent/chats/{conversation}/messages"
    assert chat.post(url, json={"text": "bonjour"}).status_code == 401  # not signed in
    headers = api_login(chat, "bob")
    missing_csrf = chat.post(url, json={"text": "bonjour"})
    assert missing_csrf.status_code == 403 and missing_csrf.json()["code"] == "csrf"
    unknown = chat.post("/api/agent/chats/web-nope/messages", headers=headers,
                        json={"text": "bonjour"})
    assert unknown.status_code == 404
    not_handed = chat.post(f"/api/agent/chats/{with_flow}/messages", headers=headers,
                           json={"text": "bonjour"})
    assert not_handed.status_code == 409
    assert chat.post(f"/api/agent/chats/{with_flow}/end", headers=headers).status_code == 409
    assert chat.get(f"/api/chat/{with_flow}/replies").status_code == 409
    for text in ("", "   ", "x" * 501):
        assert chat.post(url, headers=headers, json={"text": text}).status_code == 422
    assert chat.post(url, headers=headers, json={"text": "x" * 500}).status_code == 200
    assert chat.post(f"/api/agent/chats/{conversation}/end").status_code == 403  # no CSRF


def test_citizen_messages_to_the_agent_are_rate_limited(chat: TestClient,
                                                        clock: ManualClock) -> None:
    conversation = _handed_over(chat)  # 1 of the 12 messages allowed per minute
    for _ in range(11):
        chat_say(chat, conversation, text="vous êtes là ?")
    refused = chat.post(f"/api/chat/{conversation}/say", json={"text": "allo ?"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    clock.advance(61)
    assert chat_say(chat, conversation, text="allo ?")["agent"]


def _events(body: str) -> list[tuple[str, dict[str, Any]]]:
    """The named events of a server-sent event stream."""
    found = []
    for block in body.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines()
                     if line.startswith(("event: ", "data: ")))
        if "data" in lines:
            found.append((lines.get("event", "message"), json.loads(lines["data"])))
    return found


def test_the_reply_stream_resumes_where_the_browser_stopped_and_ends_with_the_chat(
    chat: TestClient
) -> None:
    conversation = _handed_over(chat)
    headers = api_login(chat, "bob")
    for text in ("Bonjour.", "Un instant, je regarde votre dossier."):
        chat.post(f"/api/agent/chats/{conversation}/messages", headers=headers,
                  json={"text": text})
    assert chat.post(f"/api/agent/chats/{conversation}/end", headers=headers).status_code == 204
    # a reconnecting EventSource sends the last event id it saw: only what followed comes
    answer = chat.get(f"/api/chat/{conversation}/stream", headers={"Last-Event-ID": "1"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/event-stream")
    assert "id: 2\n" in answer.text
    assert _events(answer.text) == [("replies", {
        "id": conversation, "messages": ["Un instant, je regarde votre dossier."], "next": 2,
        "ended": True, "ended_by": "agent"})]
    assert chat.get(f"/api/chat/{conversation}/stream").status_code == 404  # read: gone
    with_flow = str(chat_start(chat)["id"])
    assert chat.get(f"/api/chat/{with_flow}/stream").status_code == 409
