"""Speech synthesis with real pyttsx3 / espeak-ng: French audio, the cache, recovery from a
hung or silent engine, recorded prompts replacing synthesis, and `ivr say`."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pytest

from ivr.cli import main
from speech.convert import Rechunker, samples_of
from speech.errors import SettingsInvalid, SynthesisFailed
from speech.frames import AudioFrame
from speech.prompt_cache import PromptCache
from speech.prompts import PromptAudio, RecordedPrompts
from speech.recognizer import Recognizer, SpeechModel
from speech.settings import SpeechSettings
from speech.tts import EspeakEngine, Pyttsx3Engine, SynthesisRequest, Synthesizer
from speech.voice import VoiceDetector
from speech.wav import read_wav, write_wav
from tests.speech.conftest import tone
from tests.speech.doubles import CountingEngine, HangingEngine, MuteEngine, SilentEngine

TEXT = "Bonjour, vous êtes bien à la mairie de Saint-Martin. Que puis-je faire pour vous ?"


def voiced_share(frame: AudioFrame) -> float:
    detector = VoiceDetector(2)
    frames = Rechunker(20).push(frame)
    return sum(detector.is_speech(f) for f in frames) / len(frames)


@pytest.mark.parametrize("engine", [Pyttsx3Engine(), EspeakEngine()], ids=lambda e: e.name)
@pytest.mark.parametrize("rate", [8000, 16000])
def test_real_french_speech_of_plausible_length(engine: object, rate: int) -> None:
    assert isinstance(engine, (Pyttsx3Engine, EspeakEngine))
    synthesizer = Synthesizer([engine], rate_wpm=160)
    frame = synthesizer.synthesize_blocking(TEXT, rate)
    assert frame.rate == rate and frame.channels == 1
    # 14 words at 160 words per minute: about 5 s; allow espeak's own pacing.
    assert 3.0 < frame.duration < 9.0
    assert np.abs(samples_of(frame)).max() > 3000
    assert voiced_share(frame) > 0.5


def test_pyttsx3_keeps_a_long_prompt_it_writes_after_run_and_wait() -> None:
    # pyttsx3's espeak driver returns from runAndWait() before espeak-ng has written the
    # file; a long text made the worker exit first and lose it on every run.
    text = "Bonjour et bienvenue à la mairie. " * 60
    frame = Pyttsx3Engine().synthesize(SynthesisRequest(text, "roa/fr", 200), timeout_s=60)
    assert frame.duration > 60


def test_rate_changes_the_length() -> None:
    engine = EspeakEngine()
    slow = engine.synthesize(SynthesisRequest(TEXT, "roa/fr", 120), 10)
    fast = engine.synthesize(SynthesisRequest(TEXT, "roa/fr", 240), 10)
    assert fast.duration < slow.duration * 0.7


def test_repeated_prompt_is_served_from_the_disk_cache(tmp_path: Path) -> None:
    engine = CountingEngine()
    cache = PromptCache(tmp_path / "cache")
    first = Synthesizer([engine], cache=cache).synthesize_blocking(TEXT, 8000)
    again = Synthesizer([engine], cache=cache).synthesize_blocking(f"  {TEXT} ", 8000)
    assert engine.calls == 1 and again == first
    Synthesizer([engine], cache=cache).synthesize_blocking(TEXT, 16000)
    Synthesizer([engine], cache=cache, voice="roa/fr-be").synthesize_blocking(TEXT, 8000)
    assert engine.calls == 3
    # A damaged entry is a miss, not a crash.
    for entry in (tmp_path / "cache").iterdir():
        entry.write_bytes(b"garbage")
    Synthesizer([engine], cache=cache).synthesize_blocking(TEXT, 8000)
    assert engine.calls == 4


def test_cache_prunes_the_least_recently_used(tmp_path: Path) -> None:
    cache = PromptCache(tmp_path)
    for index in range(3):
        key = PromptCache.key(f"prompt {index}", "roa/fr", 160, 8000)
        cache.put(key, tone(440.0, 1000, 8000))
        os.utime(tmp_path / f"{key}.wav", (1000 + index, 1000 + index))
    oldest = PromptCache.key("prompt 0", "roa/fr", 160, 8000)
    assert cache.get(oldest) is not None  # a hit makes it the most recently used
    size = (tmp_path / f"{oldest}.wav").stat().st_size
    assert cache.prune(2 * size) == 1
    assert cache.get(oldest) is not None
    assert cache.get(PromptCache.key("prompt 1", "roa/fr", 160, 8000)) is None
    assert cache.prune(0) == 2 and list(tmp_path.iterdir()) == []


async def test_hung_engine_is_killed_and_the_fallback_speaks(tmp_path: Path) -> None:
    hanging = HangingEngine(tmp_path / "pid")
    fallback = EspeakEngine()
    synthesizer = Synthesizer([hanging, fallback], timeout_s=1.5)
    started = time.monotonic()
    frame = await synthesizer.synthesize("Un instant, je vous prie.", 8000)
    assert frame.duration > 0.8
    assert time.monotonic() - started < 10
    pid = int((tmp_path / "pid").read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    # The engine that hung is tried last from now on.
    assert synthesizer.engines == (fallback, hanging)


async def test_every_engine_failing_gives_a_clear_error(tmp_path: Path) -> None:
    hung = Synthesizer([HangingEngine(tmp_path / "pid")], timeout_s=0.5)
    with pytest.raises(SynthesisFailed, match=r"hung for more than 0\.5 s") as caught:
        await hung.synthesize("Bonjour", 8000)
    assert caught.value.code == "synthesis_timeout"
    silent = Synthesizer([SilentEngine()])
    with pytest.raises(SynthesisFailed, match="no usable audio") as empty:
        await silent.synthesize("Bonjour", 8000)
    assert empty.value.code == "synthesis_empty"
    with pytest.raises(SynthesisFailed, match="mute wrote no sound") as mute:
        await Synthesizer([MuteEngine()]).synthesize("Bonjour", 8000)
    assert mute.value.code == "synthesis_empty"
    with pytest.raises(SynthesisFailed) as no_text:
        await silent.synthesize("   ", 8000)
    assert no_text.value.code == "empty_text"
    with pytest.raises(SynthesisFailed) as bad_voice:
        await silent.synthesize("Bonjour", 8000, voice="fr; rm -rf /")
    assert bad_voice.value.code == "bad_voice"
    unknown = Synthesizer([Pyttsx3Engine(), EspeakEngine()], voice="roa/xx")
    with pytest.raises(SynthesisFailed, match=r"no voice 'roa/xx'.*does not exist"):
        await unknown.synthesize("Bonjour", 8000)


async def test_recorded_prompt_replaces_synthesis(tmp_path: Path) -> None:
    recordings = tmp_path / "prompts"
    recordings.mkdir()
    write_wav(recordings / "accueil.wav", tone(440.0, 1500, 44100))
    (recordings / "casse.wav").write_bytes(b"not a wav")
    (recordings / "dossier.wav").mkdir()  # not even a file
    engine = CountingEngine()
    prompts = PromptAudio(Synthesizer([engine]), RecordedPrompts(recordings))
    recorded = await prompts.render("Bonjour", 8000, prompt_id="accueil")
    assert recorded.rate == 8000 and abs(recorded.duration - 1.5) < 0.01
    assert engine.calls == 0
    # A broken recording or an unknown id falls back to the synthetic voice.
    assert (await prompts.render("Bonjour", 8000, prompt_id="casse")).duration > 0.3
    assert (await prompts.render("Bonjour", 8000, prompt_id="dossier")).duration > 0.3
    assert (await prompts.render("Bonjour", 8000, prompt_id="absent")).duration > 0.3
    assert (await prompts.render("Bonjour", 8000, prompt_id="../etc/passwd")).duration > 0.3
    assert engine.calls == 4  # no cache in this synthesizer: each fallback synthesised
    assert RecordedPrompts(recordings).ids() == ["accueil", "casse"]


def test_ivr_say_writes_a_wav(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("IVR_PROMPT_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "out.wav"
    args = ["--voice", "roa/fr-ch", "--rate", "150", "--sample-rate", "16000"]
    assert main(["say", "Bonjour et bienvenue.", "-o", str(out), *args]) == 0
    frame = read_wav(out)
    assert frame.rate == 16000 and frame.duration > 0.8
    assert "16000 Hz" in capsys.readouterr().out
    assert len(list((tmp_path / "cache").iterdir())) == 1
    assert main(["say", " ", "-o", str(out)]) == 1
    assert "no text" in capsys.readouterr().err


def test_synthesized_korean_is_recognised(ko_model: SpeechModel, tmp_path: Path) -> None:
    # The same synthesis path feeds the recogniser: Korean speech through it is understood.
    frame = Synthesizer([EspeakEngine()], voice="ko").synthesize_blocking("안녕하세요", 16000)
    recognizer = Recognizer(ko_model, input_rate=16000, grammar=["안녕하세요", "감사합니다"])
    for piece in Rechunker(20).push(frame):
        recognizer.accept_blocking(piece)
    assert recognizer.finish_blocking().text == "안녕하세요"


def test_settings_from_env(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "IVR_TTS_RATE": "140", "IVR_VOSK_MODEL": "/m"}
    settings = SpeechSettings.from_env(env)
    assert settings.models_dir == tmp_path / ".local/share/standardiste/models"
    assert settings.speech_rate_wpm == 140 and settings.vosk_model == Path("/m")
    assert settings.prompt_cache_dir == tmp_path / ".cache/standardiste/prompts"
    xdg = SpeechSettings.from_env({"XDG_DATA_HOME": str(tmp_path / "d"), "HOME": "/"})
    assert xdg.models_dir == tmp_path / "d/standardiste/models"
    with pytest.raises(SettingsInvalid, match="IVR_TTS_RATE"):
        SpeechSettings.from_env({"IVR_TTS_RATE": "vite"})
