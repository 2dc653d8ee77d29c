"""What a caller lives through during a fault, as figures: a patient caller over a real
loopback AudioSocket connection, and the line each fault test prints.

A caller is *lost* when the line stays silent longer than `PATIENCE_S` before the call ends
(a real caller hangs up on a dead line), or when the call has not ended by the test's
deadline. A caller who heard an apology and was put through, or said goodbye to, is not lost.
Times are monotonic seconds; "heard" is what the assistant sent, 20 ms per frame.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from tests.session.caller import LoopbackCaller

PATIENCE_S = 8.0
"""Longest silence a caller sits through before hanging up, seconds."""
FRAME_S = 0.02


@dataclass
class CallFigure:
    """One call under the fault."""

    heard_s: float = 0.0
    """Seconds of assistant audio the caller received."""
    first_audio_s: float | None = None
    """Seconds from the connection to the first assistant frame (None: nothing heard)."""
    longest_silence_s: float = 0.0
    """Longest gap with no assistant audio before the call ended, seconds."""
    ended_by_service: bool = False
    """The service hung up or moved the call (the caller did not give up)."""
    outcome: str = ""
    """The service's report of the call (resolved, transferred, callback, abandoned)."""
    notes: list[str] = field(default_factory=list)
    """What the caller heard, in words (filled by the test from the report)."""

    @property
    def lost(self) -> bool:
        return not self.ended_by_service or self.longest_silence_s > PATIENCE_S


def silences(caller: LoopbackCaller, started: float, until: float) -> float:
    """Longest gap without assistant audio between `started` and `until`."""
    times = [started, *(t for t, _ in caller.heard if t <= until), until]
    return max((b - a for a, b in itertools.pairwise(times)), default=0.0)


async def patient(caller: LoopbackCaller, started: float, deadline_s: float) -> CallFigure:
    """Follow one call until the service ends it, the caller loses patience (a silence past
    `PATIENCE_S`: they hang up) or `deadline_s` passes; then the caller's figures."""
    figure = CallFigure()
    end_at = started + deadline_s
    while not caller.ended.is_set():
        now = time.monotonic()
        last = caller.speaking_until or started
        if now - last > PATIENCE_S or now > end_at:
            break
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(0.1):
                await caller.ended.wait()
    figure.ended_by_service = caller.ended.is_set()
    finished = time.monotonic()
    if not figure.ended_by_service:
        await caller.hangup()
    figure.heard_s = round(len(caller.heard) * FRAME_S, 2)
    if caller.heard:
        figure.first_audio_s = round(caller.heard[0][0] - started, 2)
    figure.longest_silence_s = round(silences(caller, started, finished), 2)
    return figure


def figures_line(fault: str, figures: Sequence[CallFigure]) -> str:
    """The line a fault test prints: calls run, calls that lost their caller, what they heard."""
    lost = sum(f.lost for f in figures)
    heard = "; ".join(
        f"#{i + 1} {f.outcome}: first sound {f.first_audio_s} s, longest silence "
        f"{f.longest_silence_s} s, {' + '.join(f.notes) or 'nothing'}"
        for i, f in enumerate(figures))
    return f"FIGURES {fault}: {len(figures)} calls, {lost} lost their caller; {heard}"
