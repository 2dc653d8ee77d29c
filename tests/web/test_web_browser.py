"""The back office in a real headless Chromium, served by a real uvicorn on loopback."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import expect

from ivr.storage import callbacks, tickets
from ivr.storage.database import Database
from tests.harness.browser import serve
from tests.web.conftest import PASSWORDS

pytestmark = pytest.mark.browser


def test_agent_signs_in_with_the_keyboard_and_marks_a_callback_done(
    browser: Any, app: FastAPI, web_db: Database
) -> None:
    with web_db.transaction() as s:
        request = callbacks.request_callback(s, phone="0612345678", reason="carte d'identité",
                                             name="Mme Martin", queue="etat-civil")
        tickets.open_ticket(s, category="voirie", description="nid-de-poule")
    with serve(app) as base_url:
        page = browser.new_page(locale="fr-FR")
        try:
            page.goto(f"{base_url}/agent")
            assert page.get_by_role("heading", level=1).inner_text() == "Connexion"
            # Keyboard only: the username field has focus, Tab reaches the password, Enter sends.
            page.keyboard.type("bob")
            page.keyboard.press("Tab")
            page.keyboard.type(PASSWORDS["bob"])
            with page.expect_navigation():
                page.keyboard.press("Enter")
            expect(page.get_by_role("heading", level=1)).to_have_text("Espace agent")
            assert page.url == f"{base_url}/agent"
            row = page.get_by_role("row").filter(has_text="Mme Martin")
            assert row.count() == 1
            with page.expect_navigation():
                page.get_by_role(
                    "button", name="Marquer comme traitée la demande de Mme Martin").click()
            expect(page.get_by_role("status")).to_have_text(
                "Demande de rappel marquée comme traitée.")
            assert page.url == f"{base_url}/agent?fait=rappel#rappels"
            assert page.get_by_text("Aucune demande de rappel en attente.").is_visible()
            assert page.get_by_label("Statut").count() == 1  # the ticket form is labelled
        finally:
            page.close()
    with web_db.transaction() as s:
        done = callbacks.list_callbacks(s, status="done")
    assert [(c.id, c.done_by) for c in done] == [(request.id, "bob")]


def test_wrong_password_is_announced(browser: Any, app: FastAPI) -> None:
    with serve(app) as base_url:
        page = browser.new_page()
        try:
            page.goto(f"{base_url}/login")
            page.get_by_label("Identifiant").fill("bob")
            page.get_by_label("Mot de passe").fill("not the password")
            page.get_by_role("button", name="Se connecter").click()
            expect(page.get_by_role("alert")).to_have_text(
                "Identifiant ou mot de passe incorrect.")
        finally:
            page.close()
