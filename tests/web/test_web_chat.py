"""The citizens' web chat API: the published flow answers, a booking is a real one, a
transfer reaches the agents' live list, rate limits, expiry, and the embeddable page."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient

from ivr.live import LiveHub
from ivr.metrics import ServiceMetrics
from ivr.storage import appointments, calls
from ivr.storage.database import Database
from ivr.web.app import create_app
from ivr.web.settings import WebSettings
from tests.web.conftest import CHAT_NOW, HASHER, chat_say, chat_start
from tests.web.doubles import ManualClock
from tests.web.flows import store_mairie

NOW = CHAT_NOW
BOOKING = ["ma carte d'identité est périmée", "oui", "demain", "dix heures", "martin dupont",
           "zéro six douze trente quatre cinquante six soixante dix huit", "oui"]


def test_an_identity_card_booked_in_the_chat_is_in_the_database(
    chat: TestClient, web_db: Database, hub: LiveHub
) -> None:
    greeting = chat_start(chat)
    assert "mairie de Saint-Aubin-sur-Loire" in " ".join(greeting["messages"])
    conversation = greeting["id"]
    replies = [chat_say(chat, conversation, text=line) for line in BOOKING]
    with web_db.transaction() as s:
        booked = appointments.list_appointments(s)
        record = calls.get_call(s, conversation)
    assert [(b.name, b.phone, b.call_id) for b in booked] == [
        ("Martin Dupont", "0612345678", conversation)]
    local = booked[0].starts_at.astimezone(ZoneInfo("Europe/Paris"))
    assert (local.date().isoformat(), local.hour) == ("2026-05-13", 10)
    assert f"référence R {booked[0].id}." in " ".join(replies[-1]["messages"])
    caller_turns = [t for t in record.turns if t.speaker == "caller"]
    assert caller_turns[0].intent == "identite"
    assert "06" not in " ".join(t.text for t in record.turns)  # the phone number is masked
    live = hub.call(conversation)
    assert live is not None
    assert next(t.intent for t in live.turns if t.speaker == "caller") == "identite"


def test_asking_for_an_agent_hands_over_to_the_live_console(
    chat: TestClient, web_db: Database, hub: LiveHub
) -> None:
    conversation = chat_start(chat)["id"]
    reply = chat_say(chat, conversation, choice="0")
    assert not reply["ended"] and reply["agent"] and reply["transfer"] == {"queue": "accueil"}
    assert "conseiller" in reply["messages"][-1]
    live = hub.call(conversation)
    assert live is not None and live.transfer is not None
    assert live.transfer.queue == "accueil"
    with web_db.transaction() as s:
        record = calls.get_call(s, conversation)
    assert record.outcome == "transferred" and record.transfer_queue == "accueil"
    assert chat.post(f"/api/chat/{conversation}/end").status_code == 204
    over = chat.post(f"/api/chat/{conversation}/say", json={"text": "allo"})
    assert over.status_code == 404 and hub.call(conversation) is None


def test_rate_limits_answer_429_with_retry_after(chat: TestClient,
                                                 clock: ManualClock) -> None:
    conversation = chat_start(chat)["id"]
    for _ in range(12):
        assert not chat_say(chat, conversation, text="quels sont vos horaires")["ended"]
    refused = chat.post(f"/api/chat/{conversation}/say", json={"text": "bonjour"})
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    clock.advance(61)
    chat_say(chat, conversation, text="quels sont vos horaires")
    for _ in range(40 - 1):  # the address limit counts every request in the window
        chat.post("/api/chat/web-none/say", json={"text": "bonjour"})
    crowded = chat.post("/api/chat/start")
    assert crowded.status_code == 429 and crowded.json()["code"] == "rate_limited"


def test_idle_conversations_expire_and_are_closed_as_abandoned(
    chat: TestClient, chat_app: FastAPI, clock: ManualClock, web_db: Database, hub: LiveHub
) -> None:
    conversation = chat_start(chat)["id"]
    chat_say(chat, conversation, text="quels sont vos horaires")
    clock.advance(601)
    gone = chat.post(f"/api/chat/{conversation}/say", json={"text": "merci"})
    assert gone.status_code == 404
    assert chat_app.state.chat.count() == 0 and hub.call(conversation) is None
    with web_db.transaction() as s:
        assert calls.get_call(s, conversation).outcome == "abandoned"


def test_bad_messages_are_refused(chat: TestClient) -> None:
    conversation = chat_start(chat)["id"]
    assert chat.post(f"/api/chat/{conversation}/say",
                     json={"choice": "12a"}).status_code == 422
    assert chat.post(f"/api/chat/{conversation}/say",
                     json={"text": "x" * 501}).status_code == 422
    assert chat.post(f"/api/chat/{conversation}/say", json={"text": " "}).status_code == 422
    assert chat.post("/api/chat/web-unknown/say", json={"text": "x"}).status_code == 404


def test_the_chat_page_is_embeddable_and_accessible(chat: TestClient) -> None:
    page = chat.get("/chat")
    assert page.status_code == 200
    assert "X-Frame-Options" not in page.headers
    assert "frame-ancestors" not in page.headers["Content-Security-Policy"]
    assert 'aria-live="polite"' in page.text and '<label for="chat-texte">' in page.text
    assert chat.get("/agent", follow_redirects=False).headers["X-Frame-Options"] == "DENY"


def test_announcements_are_shown_and_outside_hours_the_flow_offers_a_callback(
    web_db: Database, clock: ManualClock, hub: LiveHub
) -> None:
    store_mairie(web_db)
    alert_monday_night = datetime(2026, 11, 9, 21, 0)  # the flood alert is on, the hall closed
    app = create_app(WebSettings(), web_db, metrics=ServiceMetrics(), hasher=HASHER,
                     clock=clock, live=hub, chat_now=lambda: alert_monday_night)
    with TestClient(app) as client:
        greeting = chat_start(client)
        assert "Alerte crue de la Loire" in greeting["messages"][1]  # right after "Bonjour"
        reply = chat_say(client, greeting["id"], choice="0")
    assert reply["transfer"] is None and not reply["ended"]
    assert "rappel" in " ".join(reply["messages"])
    live = hub.call(greeting["id"])
    assert live is not None and live.transfer is None
