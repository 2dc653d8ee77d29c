"""The running service's status probes for /healthz: speech recognition, speech synthesis,
AMI, the AudioSocket server. Each says precisely what is missing and what calls do instead.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

from ivr.health import ProbeResult, StatusProbe
from telephony.ami import AmiClient


class FixedProbe(StatusProbe):
    """A state decided at start-up (the speech model is loaded once)."""

    def __init__(self, name: str, result: ProbeResult) -> None:
        self.name = name
        self.result = result

    def check(self) -> ProbeResult:
        return self.result


class AmiProbe(StatusProbe):
    """Whether the AMI client is logged in."""

    name = "ami"

    def __init__(self, ami: AmiClient) -> None:
        self._ami = ami

    def check(self) -> ProbeResult:
        if self._ami.connected:
            return ProbeResult(True)
        s = self._ami.settings
        return ProbeResult(False, f"Asterisk manager unreachable at {s.host}:{s.port} "
                                  "(retrying): calls cannot be transferred; callers are offered "
                                  "a callback")


class SynthesisProbe(StatusProbe):
    """Whether espeak-ng is installed (pyttsx3 drives it too)."""

    name = "synthesis"

    def check(self) -> ProbeResult:
        if shutil.which("espeak-ng") is None:
            return ProbeResult(False, "espeak-ng is not installed (apt-get install espeak-ng): "
                                      "callers hear recorded fallback prompts only")
        return ProbeResult(True)


class CallsProbe(StatusProbe):
    """The AudioSocket server: listening, and how many calls it carries."""

    name = "audiosocket"

    def __init__(self, describe: Callable[[], ProbeResult]) -> None:
        self._describe = describe

    def check(self) -> ProbeResult:
        return self._describe()
