"""The web chat page in a real headless Chromium: a citizen books an identity-card
appointment with the keyboard, and the booking is in the database; a citizen handed over to
an agent and the agent (in the agent console, another browser context) write to each other,
the agent's replies reaching the citizen's page as server-sent events."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import expect

from ivr.live import LiveHub
from ivr.metrics import ServiceMetrics
from ivr.storage import appointments, calls
from ivr.storage.database import Database
from ivr.web.app import create_app
from ivr.web.settings import WebSettings
from tests.harness.browser import serve
from tests.web.conftest import HASHER
from tests.web.doubles import ManualClock
from tests.web.flows import store_mairie
from tests.web.test_web_browser_studio import signed_in
from tests.web.test_web_chat import BOOKING, NOW

pytestmark = pytest.mark.browser


def test_a_citizen_books_an_identity_card_appointment_in_the_chat(
    browser: Any, web_db: Database, clock: ManualClock
) -> None:
    store_mairie(web_db)
    hub = LiveHub()
    app = create_app(WebSettings(), web_db, metrics=ServiceMetrics(), hasher=HASHER,
                     clock=clock, live=hub, chat_now=lambda: NOW)
    with serve(app) as base_url:
        page = browser.new_page(locale="fr-FR")
        try:
            page.goto(f"{base_url}/chat")
            log = page.locator("#chat-log")
            expect(log).to_contain_text("mairie de Saint-Aubin-sur-Loire")
            message = page.get_by_label("Votre message")
            for number, line in enumerate(BOOKING, start=1):
                expect(message).to_be_enabled()
                message.fill(line)
                message.press("Enter")
                expect(log.locator("li.caller")).to_have_count(number)
            expect(log).to_contain_text("Votre rendez-vous est enregistré sous la référence R")
            expect(message).to_be_focused()
        finally:
            page.close()
    with web_db.transaction() as s:
        booked = appointments.list_appointments(s)
    assert [(b.name, b.phone) for b in booked] == [("Martin Dupont", "0612345678")]
    assert booked[0].call_id is not None and booked[0].call_id.startswith("web-")


def test_a_citizen_and_an_agent_write_to_each_other_after_the_hand_over(
    browser: Any, chat_app: FastAPI, hub: LiveHub, web_db: Database
) -> None:
    with serve(chat_app) as base_url, signed_in(browser, base_url, "bob") as agent:
        citizen = browser.new_page(locale="fr-FR")
        asked: list[str] = []
        citizen.on("request", lambda request: asked.append(request.url))
        try:
            citizen.goto(f"{base_url}/chat")
            log = citizen.locator("#chat-log")
            expect(log).to_contain_text("mairie de Saint-Aubin-sur-Loire")
            [conversation] = [c.call_id for c in hub.snapshot()]

            # the agent opens the chat's page while the flow still answers: no reply form yet
            agent.goto(f"{base_url}/agent/calls/{conversation}")
            expect(agent.locator("html")).to_have_attribute("data-live", "ouvert")
            answer = agent.get_by_label("Votre réponse")
            expect(answer).to_be_hidden()

            citizen.get_by_label("Ou tapez un choix (chiffre)").fill("0")
            citizen.get_by_role("button", name="Choisir").click()
            expect(citizen.locator("#chat-statut")).to_have_text(
                "Vous écrivez à un conseiller de la mairie.")
            expect(agent.locator("#reponse-statut")).to_have_text(
                "Conversation transmise : vous pouvez répondre.")
            expect(answer).to_be_visible()
            answer.fill("Bonjour, ici l’accueil de la mairie. Que puis-je faire ?")
            answer.press("Enter")
            expect(agent.locator("#reponse-statut")).to_have_text("Réponse envoyée.")
            expect(log.locator("li.conseiller")).to_have_text(
                "Conseiller : Bonjour, ici l’accueil de la mairie. Que puis-je faire ?")
            transcript = agent.locator("#transcript")
            expect(transcript.locator("li.conseiller")).to_have_count(1)

            message = citizen.get_by_label("Votre message")
            message.fill("Je voudrais savoir où en est mon dossier de mariage")
            message.press("Enter")
            expect(transcript.locator("li.appelant").last).to_have_text(
                "Appelant : Je voudrais savoir où en est mon dossier de mariage")

            agent.get_by_role("button", name="Terminer la conversation").click()
            expect(agent.locator("#reponse-statut")).to_have_text(
                "Vous avez terminé la conversation.")
            expect(citizen.locator("#chat-statut")).to_have_text(
                "Le conseiller a terminé la conversation. Merci.")
            expect(message).to_be_disabled()
        finally:
            citizen.close()
    # the replies came over one stream of server-sent events, not by asking again and again
    assert [u for u in asked if "/stream" in u] == [
        f"{base_url}/api/chat/{conversation}/stream?after=0"]
    assert not [u for u in asked if "/replies" in u]
    with web_db.transaction() as s:
        speakers = [t.speaker for t in calls.get_call(s, conversation).turns]
    assert speakers[-2:] == ["agent", "caller"]
