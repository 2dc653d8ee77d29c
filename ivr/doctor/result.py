"""What one check of `ivr doctor` found, and how checks are run without ever crashing the
command: each in its own daemon thread with a deadline (seconds), an unexpected exception or
an overrun becoming an ÉCHEC line for that check alone.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from enum import Enum

from ivr.config import ServiceSettings


class Verdict(Enum):
    """A check's verdict, as printed (French: the people reading it run a town hall)."""

    OK = "OK"
    WARNING = "ATTENTION"
    FAILURE = "ÉCHEC"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One printed line: verdict, the check's name, what was found, and for a problem the fix
    (a command to run or a setting to change)."""

    verdict: Verdict
    name: str
    found: str
    fix: str = ""

    def line(self) -> str:
        text = f"{self.verdict.value:<9} {self.name} : {self.found}"
        return f"{text} — à faire : {self.fix}" if self.fix else text


def ok(name: str, found: str) -> CheckResult:
    return CheckResult(Verdict.OK, name, found)


def warning(name: str, found: str, fix: str = "") -> CheckResult:
    return CheckResult(Verdict.WARNING, name, found, fix)


def failure(name: str, found: str, fix: str = "") -> CheckResult:
    return CheckResult(Verdict.FAILURE, name, found, fix)


@dataclass(frozen=True, slots=True)
class Check:
    """A named check: a blocking function of the settings, and its deadline in seconds."""

    name: str
    run: Callable[[ServiceSettings], CheckResult]
    timeout_s: float = 10.0


def run_checks(settings: ServiceSettings, checks: Sequence[Check]) -> list[CheckResult]:
    """Run every check at once (each in a daemon thread) and return their results in order.

    A check that raises gives an ÉCHEC naming the exception; one still running after its
    deadline gives an ÉCHEC too and is abandoned (its thread cannot hold the process)."""
    started = time.monotonic()
    futures = [_start(check, settings) for check in checks]
    results = []
    for check, future in zip(checks, futures, strict=True):
        left = max(0.0, started + check.timeout_s - time.monotonic())
        try:
            results.append(future.result(timeout=left))
        except TimeoutError:
            results.append(failure(check.name, f"pas de réponse en {check.timeout_s:g} s"))
        except Exception as err:  # any bug or surprise: a line for this check, not a crash
            results.append(failure(check.name, f"erreur inattendue : {type(err).__name__}: "
                                               f"{err}"))
    return results


def _start(check: Check, settings: ServiceSettings) -> Future[CheckResult]:
    future: Future[CheckResult] = Future()

    def work() -> None:
        try:
            future.set_result(check.run(settings))
        except BaseException as err:  # handed to the reader, who turns it into a line
            future.set_exception(err)

    threading.Thread(target=work, name=f"doctor-{check.name}", daemon=True).start()
    return future
