"""The web chat page in a real headless Chromium: a citizen books an identity-card
appointment with the keyboard, and the booking is in the database."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from ivr.live import LiveHub
from ivr.metrics import ServiceMetrics
from ivr.storage import appointments
from ivr.storage.database import Database
from ivr.web.app import create_app
from ivr.web.settings import WebSettings
from tests.harness.browser import serve
from tests.web.conftest import HASHER
from tests.web.doubles import ManualClock
from tests.web.flows import store_mairie
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
