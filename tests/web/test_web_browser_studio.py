"""The admin's and the agent's pages in a real headless Chromium against a real uvicorn:
editing a flow (an error first, then the fix), publishing it, talking to it in the simulator
with the keyboard only, recording a prompt with the (fake) microphone, and a transferred call
appearing live in the agent console."""

from __future__ import annotations

import io
import os
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page, expect

from ivr.live import CallEvent, LiveHub
from ivr.storage import calls, flows, prompts
from ivr.storage.database import Database
from tests.harness.browser import serve
from tests.web.conftest import PASSWORDS
from tests.web.flows import MAIRIE, store_mairie

pytestmark = pytest.mark.browser
BROKEN = MAIRIE["mairie.yaml"].replace("    next: confidentialite\n", "    next: nulle_part\n", 1)
BROKEN_LINE = BROKEN.splitlines().index("    next: nulle_part") + 1


@contextmanager
def signed_in(browser: Any, base_url: str, username: str) -> Iterator[Page]:
    page = browser.new_page(locale="fr-FR")
    try:
        page.goto(f"{base_url}/login")
        page.get_by_label("Identifiant").fill(username)
        page.get_by_label("Mot de passe").fill(PASSWORDS[username])
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()
        yield page
    finally:
        page.close()


def test_admin_fixes_an_error_then_publishes_the_flow(
    browser: Any, app: FastAPI, web_db: Database
) -> None:
    with serve(app) as base_url, signed_in(browser, base_url, "alice") as page:
        page.get_by_role("link", name="Parcours", exact=True).click()
        page.get_by_role("button", name="Importer le parcours fourni").click()
        expect(page.get_by_role("status")).to_have_text(
            "Parcours fourni importé comme première version.")
        page.get_by_role("link", name="Version 1", exact=True).click()
        page.get_by_role("link", name="Modifier mairie.yaml").click()
        editor = page.get_by_label("Contenu de mairie.yaml (YAML)")
        editor.fill(BROKEN)
        page.get_by_role("button", name="Vérifier et enregistrer une nouvelle version").click()
        alert = page.get_by_role("alert")
        # the broken link also leaves the three nodes after it unreachable: four errors
        expect(alert).to_contain_text("Rien n’a été enregistré : 4 erreur(s)")
        expect(alert).to_contain_text("nœud annonces_urgentes, champ next")
        expect(alert).to_contain_text("nulle_part")
        # the error's line link puts the caret on that line of the editor
        alert.get_by_role("link", name=f"ligne {BROKEN_LINE}").click()
        expect(editor).to_be_focused()
        caret_line = editor.evaluate(
            "a => a.value.slice(0, a.selectionStart).split('\\n').length")
        assert caret_line == BROKEN_LINE
        selected = editor.evaluate("a => a.value.slice(a.selectionStart, a.selectionEnd)")
        assert selected == "    next: nulle_part"
        page.keyboard.type("    next: confidentialite")
        page.get_by_role("button", name="Vérifier et enregistrer une nouvelle version").click()
        expect(page.get_by_role("status")).to_contain_text("Nouvelle version enregistrée")
        expect(page.get_by_role("heading", level=1)).to_have_text("Parcours mairie, version 2")
        page.get_by_role("button", name="Publier la version 2").click()
        expect(page.get_by_role("status")).to_contain_text("Version publiée")
        shot(page, "historique")
    with web_db.transaction() as s:
        states = {v.version: v.published for v in flows.list_versions(s, "mairie")}
    assert states == {1: False, 2: True}


def test_the_simulator_with_the_keyboard_only(browser: Any, app: FastAPI,
                                              web_db: Database) -> None:
    store_mairie(web_db, publish=False)
    with serve(app) as base_url, signed_in(browser, base_url, "alice") as page:
        page.goto(f"{base_url}/admin/flows/mairie/1/simulateur")
        # Tab order: the skip link first, then the main content's controls in reading order
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Aller au contenu")).to_be_focused()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Retour à la version 1")).to_be_focused()
        page.keyboard.press("Tab")
        clock = page.get_by_label("Date et heure de l’appel simulé")
        expect(clock).to_be_focused()
        clock.evaluate("el => { el.value = '2026-05-12T10:00'; }")
        # the date-time field has a stop per part (day, month, year, hour, minute)
        tab_to(page, page.get_by_role("button", name="Appeler (nouvel appel)"))
        page.keyboard.press("Enter")
        said = page.get_by_label("Ce que dit l’appelant")
        expect(said).to_be_focused()  # the page moves the focus to the input when the call opens
        conversation = page.get_by_role("list", name="Conversation")
        expect(conversation).to_contain_text("mairie de Saint-Aubin-sur-Loire")
        page.keyboard.type("quels sont vos horaires")
        page.keyboard.press("Enter")
        expect(page.locator("#sim-intention")).to_have_text("horaires")
        expect(conversation).to_contain_text("8 heures 30")
        # Tab past "Dire" and "Silence" to the keypad; Space presses "Touche 0"
        for _ in range(3):
            page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Touche 1")).to_be_focused()
        for _ in range(10):
            page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Touche 0")).to_be_focused()
        page.keyboard.press("Space")
        expect(page.locator("#sim-transfert")).to_contain_text("vers accueil")
        expect(page.get_by_role("status")).to_have_text("Appel transféré au service accueil.")
        expect(page.get_by_role("button", name="Appeler (nouvel appel)")).to_be_focused()
        shot(page, "simulateur")


def test_recording_a_prompt_with_the_microphone(browser: Any, app: FastAPI,
                                                web_db: Database) -> None:
    with serve(app) as base_url, signed_in(browser, base_url, "alice") as page:
        page.goto(f"{base_url}/admin")
        page.get_by_label("Identifiant du message à enregistrer").fill("accueil.bonjour")
        page.get_by_role("button", name="Commencer l’enregistrement").click()
        expect(page.get_by_role("status").filter(has_text="Enregistrement en cours")
               ).to_be_visible()
        page.wait_for_timeout(1200)
        page.get_by_role("button", name="Arrêter").click()
        expect(page.get_by_role("button", name="Envoyer l’enregistrement")).to_be_focused()
        with page.expect_navigation():
            page.get_by_role("button", name="Envoyer l’enregistrement").click()
        expect(page.get_by_role("status").first).to_have_text("Message enregistré.")
    with web_db.transaction() as s:
        record = prompts.get_prompt(s, "accueil.bonjour")
    with wave.open(io.BytesIO(record.wav)) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (16000, 1, 2)
        frames = wav.readframes(wav.getnframes())
        assert 0.8 < wav.getnframes() / 16000 < 5
    assert any(frames[i] or frames[i + 1] for i in range(0, len(frames), 2))  # not silence
    assert record.uploaded_by == "alice"


def test_a_transferred_call_appears_live_in_the_agent_console(
    browser: Any, app: FastAPI, web_db: Database
) -> None:
    hub: LiveHub = app.state.ctx.live
    with web_db.transaction() as s:  # a call already recorded in the database
        calls.start_call(s, "db-7", "0145678912",
                         started_at=datetime.now(UTC).replace(microsecond=0))
        calls.add_turn(s, "db-7", "caller", "je voudrais un acte de naissance",
                       intent="etat_civil")
        calls.end_call(s, "db-7", "resolved")
    with serve(app) as base_url, signed_in(browser, base_url, "bob") as page:
        page.get_by_role("link", name="Appels", exact=True).click()
        expect(page.get_by_role("heading", name="Appels en cours (0)")).to_be_visible()
        expect(page.get_by_role("link", name="Appel db-7")).to_be_visible()
        _wait_for_stream(page)
        hub.publish(CallEvent("live-9", "start", caller="0612345678"))
        hub.publish(CallEvent("live-9", "turn", speaker="caller", intent="urbanisme",
                              text="c'est pour un permis de construire"))
        hub.publish(CallEvent("live-9", "transfer", queue="urbanisme",
                              reason="permis de construire", text="Permis de construire.",
                              slots=(("sujet", "urbanisme"),)))
        expect(page.get_by_role("heading", name="Appels en cours (1)")).to_be_visible()
        expect(page.locator("#annonces")).to_have_text(
            "Appel live-9 transféré vers urbanisme : permis de construire.")
        shot(page, "appels")
        page.get_by_role("link", name="Appel live-9").click()
        expect(page.locator("#ctx-resume")).to_have_text("Permis de construire.")
        transcript = page.get_by_role("list", name="Transcription")
        expect(transcript).to_contain_text("c'est pour un permis de construire")
        _wait_for_stream(page)
        hub.publish(CallEvent("live-9", "turn", speaker="assistant",
                              text="Je vous passe le service urbanisme."))
        expect(transcript).to_contain_text("Je vous passe le service urbanisme.")
        hub.publish(CallEvent("live-9", "end", reason="transferred"))
        expect(page.get_by_role("status")).to_have_text("Appel terminé (transferred).")
        page.goto(f"{base_url}/agent/calls/db-7")
        expect(page.get_by_role("list", name="Transcription")).to_contain_text(
            "je voudrais un acte de naissance")


def tab_to(page: Page, target: Any, most: int = 8) -> None:
    """Press Tab until `target` has the focus (at most `most` times), as a keyboard user."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{target} never got the focus with Tab")


def _wait_for_stream(page: Page) -> None:
    """The page's EventSource is open (so its subscription to the hub exists). A locator
    assertion, not `wait_for_function`: Playwright evaluates a string predicate with eval(),
    which the pages' Content-Security-Policy rightly refuses."""
    expect(page.locator("html")).to_have_attribute("data-live", "ouvert")


def shot(page: Page, name: str) -> None:
    """A full-page screenshot into $IVR_SCREENSHOTS, when set (to look at the pages)."""
    directory = os.environ.get("IVR_SCREENSHOTS")
    if directory:
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)
