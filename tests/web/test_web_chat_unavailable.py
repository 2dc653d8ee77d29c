"""A web chat started while no flow can be played answers 503 with a French message giving
the town hall's phone number (or telling to call), logs it once, and breaks nothing else."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dialogs.runtime import default_flow_path
from ivr.flows_live import DEFAULT_FLOW, FlowRegistry
from ivr.live import LiveHub
from ivr.metrics import ServiceMetrics
from ivr.storage.database import Database
from ivr.web.app import create_app
from ivr.web.settings import WebSettings
from tests.web.conftest import CHAT_NOW, HASHER
from tests.web.doubles import ManualClock


def _client(web_db: Database, clock: ManualClock, flow_file: Path,
            town_phone: str) -> TestClient:
    registry = FlowRegistry(web_db, fallback={DEFAULT_FLOW: flow_file})
    app = create_app(WebSettings(town_phone=town_phone), web_db, metrics=ServiceMetrics(),
                     hasher=HASHER, clock=clock, flows=registry, live=LiveHub(),
                     chat_now=lambda: CHAT_NOW)
    return TestClient(app)


@pytest.mark.parametrize("broken", ["missing", "not a flow"])
def test_no_playable_flow_gives_503_with_the_phone_number_logged_once(
    web_db: Database, clock: ManualClock, tmp_path: Path, caplog: pytest.LogCaptureFixture,
    broken: str
) -> None:
    flow_file = tmp_path / "mairie.yaml"
    if broken != "missing":
        flow_file.write_text("nodes: [unclosed\n", encoding="utf-8")
    caplog.set_level(logging.ERROR, logger="ivr.web.chat")
    with _client(web_db, clock, flow_file, "02 41 00 00 00") as client:
        answers = [client.post("/api/chat/start") for _ in range(3)]
        assert client.get("/chat").status_code == 200  # the page itself still loads
        assert client.get("/healthz").status_code in (200, 503)
    for answer in answers:
        assert answer.status_code == 503 and answer.json()["code"] == "chat_unavailable"
        assert answer.json()["message"] == (
            "Le chat de la mairie est momentanément indisponible. Pour votre demande, "
            "appelez la mairie au 02 41 00 00 00.")
    errors = [r for r in caplog.records if r.name == "ivr.web.chat"]
    assert len(errors) == 1 and "cannot be played" in errors[0].getMessage()


def test_without_a_known_number_the_citizen_is_told_to_call(
    web_db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    with _client(web_db, clock, tmp_path / "absent.yaml", "") as client:
        answer = client.post("/api/chat/start")
    assert answer.status_code == 503
    assert answer.json()["message"].endswith("appelez la mairie par téléphone.")


def test_the_chat_comes_back_once_the_flow_can_be_played(
    web_db: Database, clock: ManualClock, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    flow_file = tmp_path / "mairie.yaml"
    caplog.set_level(logging.ERROR, logger="ivr.web.chat")
    with _client(web_db, clock, flow_file, "") as client:
        assert client.post("/api/chat/start").status_code == 503
        for shipped in default_flow_path().parent.glob("mairie*"):
            shutil.copy(shipped, tmp_path / shipped.name)
        back = client.post("/api/chat/start")
        assert back.status_code == 200 and "Saint-Aubin" in " ".join(back.json()["messages"])
        assert client.post(f"/api/chat/{back.json()['id']}/say",
                           json={"text": "quels sont vos horaires"}).status_code == 200
    assert len([r for r in caplog.records if r.name == "ivr.web.chat"]) == 1
