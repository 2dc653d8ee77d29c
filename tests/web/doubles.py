"""Test doubles at the web app's boundaries: status probes and a hand-driven clock."""

from __future__ import annotations

import time

from ivr.health import ProbeResult, StatusProbe


class FixedProbe(StatusProbe):
    def __init__(self, name: str, ok: bool, detail: str = "") -> None:
        self.name = name
        self._result = ProbeResult(ok, detail)

    def check(self) -> ProbeResult:
        return self._result


class SlowProbe(StatusProbe):
    name = "ami"

    def __init__(self, seconds: float) -> None:
        self._seconds = seconds

    def check(self) -> ProbeResult:
        time.sleep(self._seconds)
        return ProbeResult(True)


class BrokenProbe(StatusProbe):
    name = "model"

    def check(self) -> ProbeResult:
        raise RuntimeError("the probe itself is broken")


class ManualClock:
    """Monotonic seconds that only move when the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
