"""The learning page in a real headless Chromium: an admin makes a group of missed phrases a
new answer with the keyboard-reachable, labelled form, and lands on the new version."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import expect

from ivr.storage import flow_bundles
from ivr.storage.database import Database
from tests.dialogs.test_new_answer import ANSWER, GRAVES
from tests.harness.browser import serve
from tests.web.flows import store_mairie
from tests.web.test_web_browser_studio import signed_in
from tests.web.test_web_learning_answer import record_missed

pytestmark = pytest.mark.browser


def test_an_admin_makes_a_group_a_new_answer(browser: Any, app: FastAPI,
                                             web_db: Database) -> None:
    store_mairie(web_db)
    record_missed(web_db, GRAVES)
    with serve(app) as base_url, signed_in(browser, base_url, "alice") as page:
        page.goto(f"{base_url}/admin/apprentissage")
        group = page.locator("#mal-compris section.group").filter(has_text=GRAVES[0])
        expect(group).to_have_count(1)
        group.get_by_label("Titre de la nouvelle réponse").fill("Cimetière")
        group.get_by_label("Texte de la réponse").fill(ANSWER)
        with page.expect_navigation():
            group.get_by_role("button", name="Créer la réponse").click()
        assert page.url == f"{base_url}/admin/flows/mairie/2?fait=enregistre"
    with web_db.transaction() as s:
        assert "cimetiere" in (flow_bundles.get_bundle(s, "mairie", 2).text("mairie.yaml") or "")
