"""Fault: espeak-ng hangs. Real calls over loopback AudioSocket while every synthesis engine
hangs: the `espeak-ng` on PATH is a script that sleeps (the real `EspeakEngine` runs it) and
the pyttsx3 worker is replaced by a process that sleeps too (tests/speech/doubles.py), both
with the shipped synthesis timeout. The prompt cache is empty, so every prompt needs them.

Each caller must hear the recorded apology and be put through to a person, without a silence
a caller would hang up on (tests/reliability/figures.py). `-s` prints the figures.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from pathlib import Path

import pytest

from ivr.session.fallback_prompts import PACKAGED, TEXTS
from speech.settings import SpeechSettings
from speech.tts import EspeakEngine, Synthesizer
from speech.wav import read_wav
from tests.reliability.figures import CallFigure, figures_line, patient
from tests.session.caller import LoopbackCaller
from tests.session.conftest import ServiceFactory
from tests.session.doubles import RecordingSwitchboard
from tests.speech.doubles import HangingEngine

CALLS = 3


def recorded(heard_s: float) -> str:
    """Which recorded fallback sentences add up to what was heard (or its length)."""
    length = {p: read_wav(PACKAGED / f"{p}.wav").duration for p in TEXTS}
    for n in (1, 2, 3):
        for ids in itertools.permutations(length, n):
            if abs(sum(length[i] for i in ids) - heard_s) < 0.2:
                return "recorded " + " + ".join(f"'{TEXTS[i]}'" for i in ids)
    return f"{heard_s} s of audio"


@pytest.fixture
def hung_espeak(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Synthesizer:
    """The service's two engines, both hung, behind the shipped timeout; no cache."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "espeak-ng"
    script.write_text("#!/bin/sh\nexec sleep 600\n", encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir), prepend=os.pathsep)
    timeout = SpeechSettings().synthesis_timeout_s
    return Synthesizer([HangingEngine(tmp_path / "pyttsx3.pid"), EspeakEngine()],
                       timeout_s=timeout)


async def test_a_hung_espeak_loses_no_caller(
    make_service: ServiceFactory, hung_espeak: Synthesizer
) -> None:
    figures: list[CallFigure] = []
    board = RecordingSwitchboard(agents=1)
    async with make_service(synthesizer=hung_espeak, switchboard=board) as service:
        for _ in range(CALLS):
            started = time.monotonic()
            async with LoopbackCaller(service.audiosocket_port) as caller:
                board.after_transfer = caller.hangup  # Asterisk takes the channel away
                figure = await patient(caller, started, deadline_s=60)
            report = await asyncio.wait_for(service.finished.get(), 30)
            figure.outcome = report.outcome
            figure.notes.append(recorded(figure.heard_s))
            figures.append(figure)
    print(figures_line("espeak-ng hung", figures))
    assert [f.lost for f in figures] == [False] * CALLS
    assert [f.outcome for f in figures] == ["transferred"] * CALLS
    assert len(board.transfers) == CALLS
    assert {t[1]["STANDARDISTE_REASON"] for t in board.transfers} == {
        "Synthèse vocale indisponible"}
    assert all(f.notes == [f"recorded '{TEXTS['erreur']}' + '{TEXTS['transfert']}'"]
               for f in figures)
