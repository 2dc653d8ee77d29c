"""The service's decoder warm-up: the phrases come from the flow's intents file, are spoken by
the real synthesizer and decoded by the real Korean model into decoders the shelf keeps; a
synthesizer that fails leaves the shelf empty and says why."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from dialogs.runtime import FLOWS_DIR
from ivr.decoder_warmup import likely_phrases, warm_decoders
from speech.recognizer import SpeechModel
from speech.settings import SpeechSettings
from speech.tts import Synthesizer
from tests.session.doubles import BrokenEngine
from tests.speech.conftest import KO_MODEL_DIR


@pytest.fixture(scope="module")
def model() -> SpeechModel:
    return SpeechModel.load(KO_MODEL_DIR, decoder_limit=3)


def test_the_phrases_are_the_first_examples_of_the_town_halls_intents() -> None:
    phrases = likely_phrases(FLOWS_DIR / "mairie.intents.yaml", count=5)
    assert len(phrases) == 5 and all(isinstance(p, str) and p for p in phrases)
    assert likely_phrases(None) == [] and likely_phrases(Path("/nonexistent.yaml")) == []


async def test_decoders_warmed_in_the_background_wait_on_the_shelf(
    model: SpeechModel, tmp_path: Path
) -> None:
    synthesizer = Synthesizer.from_settings(SpeechSettings(prompt_cache_dir=tmp_path))
    phrases = likely_phrases(FLOWS_DIR / "mairie.intents.yaml", count=2)
    assert await warm_decoders(model, synthesizer, phrases, 2) == 2
    assert model.decoders.made == 2 and model.decoders.idle == 2


async def test_a_failing_synthesizer_leaves_the_shelf_empty(
    caplog: pytest.LogCaptureFixture,
) -> None:
    fresh = SpeechModel.load(KO_MODEL_DIR, decoder_limit=3)
    with caplog.at_level(logging.WARNING):
        assert await warm_decoders(fresh, Synthesizer([BrokenEngine()]), ["bonjour"], 2) == 0
    assert fresh.decoders.made == 0
    assert "decoder warm-up failed" in caplog.text
