"""Warming the speech model's decoders at start-up, before the first calls.

A fresh Vosk decoder's first utterances cost several times the CPU of later ones (see
`speech.decoders`), so the first calls after a restart would be slow to answer. In the
background, phrases callers are likely to say (the first examples of the flow's intents) are
synthesised once and decoded by `count` new decoders on one low-priority thread (nice 19: it
only takes CPU the calls leave); the shelf lends them to the first calls. A failure is logged
and changes nothing: decoders are then built by the calls, as without warm-up.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from dialogs.nlu.intents import parse_intents
from dialogs.yaml_safe import safe_load
from speech.convert import concat, silence
from speech.errors import SpeechError
from speech.frames import AudioFrame
from speech.tts import Synthesizer
from speech.vosk_model import SpeechModel

log = logging.getLogger(__name__)

PHRASES = 12
"""Phrases decoded by each decoder (about 20 to 30 s of speech)."""
NICE = 19


def likely_phrases(intents_path: Path | None, count: int = PHRASES) -> list[str]:
    """The first example of each intent of the intents file, up to `count` (none without a
    readable file)."""
    if intents_path is None:
        return []
    try:
        raw = safe_load(intents_path.read_text(encoding="utf-8"))
        model = parse_intents(raw, str(intents_path))
    except Exception as err:  # a flow that loaded has a readable file; be safe all the same
        log.info("decoder warm-up: no phrases from %s (%s)", intents_path, err)
        return []
    return [intent.examples[0] for intent in model.intents if intent.examples][:count]


def _warm_low(model: SpeechModel, audio: AudioFrame, count: int, stop: threading.Event) -> int:
    os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)  # this thread only
    return model.warm(audio, count, stop)


async def warm_decoders(model: SpeechModel, synthesizer: Synthesizer, phrases: list[str],
                        count: int) -> int:
    """Warm `count` decoders with `phrases`; how many were warmed (0 on failure)."""
    if not phrases or count <= 0:
        return 0
    try:
        gap = silence(300, model.sample_rate)
        pieces: list[AudioFrame] = []
        for phrase in phrases:
            pieces += [await synthesizer.synthesize(phrase, model.sample_rate), gap]
        audio = concat(pieces)
        stop = threading.Event()
        executor = ThreadPoolExecutor(1, thread_name_prefix="decoder-warmup")
        try:
            warmed = await asyncio.get_running_loop().run_in_executor(
                executor, _warm_low, model, audio, count, stop)
        finally:  # the service stopping: the thread ends within 100 ms of audio
            stop.set()
            executor.shutdown(wait=False)
    except (SpeechError, OSError) as err:
        log.warning("decoder warm-up failed (%s); calls build their own decoders", err)
        return 0
    log.info("%d speech decoders warmed with %.0f s of speech", warmed, audio.duration_ms / 1000)
    return warmed
