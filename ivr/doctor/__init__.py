"""`ivr doctor`: checks of an install, each giving one line (verdict, what was found, and for
a problem the fix). Each check is a function of the settings returning a `CheckResult`;
`run_checks` runs them independently, each with its own deadline in seconds, so one broken or
hanging check never hides the others.
"""

from __future__ import annotations

from ivr.doctor import asterisk, machine, ports, storage
from ivr.doctor.result import Check, CheckResult, Verdict, run_checks

CHECKS: tuple[Check, ...] = (
    Check(machine.MODEL, machine.check_model, timeout_s=180.0),  # a big model loads slowly
    Check(machine.VOICE, machine.check_voice, timeout_s=20.0),
    Check(storage.DATABASE, storage.check_database, timeout_s=15.0),
    Check(asterisk.AMI, asterisk.check_ami, timeout_s=15.0),
    Check(asterisk.DIALPLAN, asterisk.check_dialplan, timeout_s=20.0),
    Check(ports.AUDIOSOCKET, ports.check_audiosocket_port, timeout_s=10.0),
    Check(ports.WEB, ports.check_web_port, timeout_s=10.0),
    Check(storage.FLOW, storage.check_flow, timeout_s=30.0),
    Check(machine.DISK, machine.check_disk, timeout_s=5.0),
    Check(machine.CLOCK, machine.check_clock, timeout_s=10.0),
    Check(machine.ALLOCATOR, machine.check_allocator, timeout_s=5.0),
)
"""Every check, in the order printed."""

__all__ = ["CHECKS", "Check", "CheckResult", "Verdict", "failed", "run_checks"]


def failed(results: list[CheckResult]) -> bool:
    """Whether any check failed (warnings do not count)."""
    return any(result.verdict is Verdict.FAILURE for result in results)
