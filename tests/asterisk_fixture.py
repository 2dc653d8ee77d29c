"""A real Asterisk 22 for the tests (pytest plugin, loaded by tests/conftest.py).

The session fixture ``asterisk`` starts one Asterisk per test session with
``scripts/asterisk-sandbox.sh`` (a cached Debian sid chroot; the shipped configuration of
telephony/asterisk/ plus the test overlay of tests/telephony/asterisk/) on loopback ports picked
free for this session, so a developer's own Asterisk (5060, 5038) is never disturbed. It always
stops Asterisk at the end, even after failures; Asterisk runs in its own pid and mount
namespaces, so no process or mount can outlive it, and it is also stopped when this process dies.

Where a sandbox cannot run (not root, no debootstrap), tests using the fixture are skipped with
the reason, or fail when ``IVR_REQUIRE_REAL_SERVICES=1`` (CI).
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from telephony.ami import AmiSettings

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "asterisk-sandbox.sh"


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class AsteriskSandbox:
    """A running Asterisk: where it is, its ports, and ways to talk to it."""

    name: str
    root: Path
    """The chroot, on the host."""
    instance: str
    """The instance folder, as Asterisk sees it (inside the chroot)."""
    sip_port: int
    ami_port: int
    audiosocket_port: int
    rtp_start: int
    ami_secret: str

    def host_path(self, inside: str) -> Path:
        """Host path of a path inside the chroot."""
        return self.root / inside.lstrip("/")

    @property
    def spool(self) -> Path:
        return self.host_path(f"{self.instance}/spool")

    def cli(self, command: str) -> str:
        """Run an Asterisk CLI command; returns its output."""
        done = subprocess.run(
            ["bash", str(SCRIPT), "cli", self.name, command],
            capture_output=True, text=True, timeout=30, check=True,
        )
        return done.stdout

    def sipp(self, *args: str, timeout_s: float = 60) -> subprocess.CompletedProcess[str]:
        """Run SIPp (inside the chroot) with these arguments."""
        return subprocess.run(
            ["bash", str(SCRIPT), "sipp", self.name, *args],
            capture_output=True, text=True, timeout=timeout_s, check=False,
        )

    def log(self) -> str:
        """Asterisk's messages log so far."""
        path = self.host_path(f"{self.instance}/log/messages.log")
        return path.read_text(errors="replace") if path.exists() else ""

    def ami_settings(self, **overrides: float) -> AmiSettings:
        """Settings to reach this Asterisk's manager (timings can be overridden)."""
        settings = AmiSettings(
            host="127.0.0.1", port=self.ami_port, username="standardiste", secret=self.ami_secret
        )
        return replace(settings, **overrides)


def sandbox_unavailable() -> str | None:
    """Why no sandbox can run here, or None."""
    if not SCRIPT.exists():
        return f"{SCRIPT} is missing"
    done = subprocess.run(["bash", str(SCRIPT), "check"], capture_output=True, text=True)
    return None if done.returncode == 0 else done.stdout.strip() or done.stderr.strip()


def skip_or_fail(reason: str) -> None:
    message = f"no real Asterisk: {reason}"
    if os.environ.get("IVR_REQUIRE_REAL_SERVICES") == "1":
        pytest.fail(f"{message} (IVR_REQUIRE_REAL_SERVICES=1)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def asterisk() -> Iterator[AsteriskSandbox]:
    """One real Asterisk 22 for the whole test session."""
    reason = sandbox_unavailable()
    if reason is not None:
        skip_or_fail(reason)
    name = f"pytest-{os.getpid()}"
    rtp_start = 32000 + (os.getpid() % 100) * 40
    env = {
        **os.environ,
        "SIP_PORT": str(free_port(socket.SOCK_DGRAM)),
        "AMI_PORT": str(free_port()),
        "AUDIOSOCKET_PORT": str(free_port()),
        "RTP_START": str(rtp_start),
        "RTP_END": str(rtp_start + 39),
        "AMI_SECRET": os.urandom(12).hex(),
        "START_OWNER": str(os.getpid()),
    }
    try:
        started = subprocess.run(
            ["bash", str(SCRIPT), "start", name],
            capture_output=True, text=True, env=env, timeout=600,
        )
        if started.returncode != 0:
            skip_or_fail(f"asterisk-sandbox.sh start failed: {started.stderr.strip()[-2000:]}")
        values = dict(
            line.split("=", 1) for line in started.stdout.splitlines() if "=" in line
        )
        yield AsteriskSandbox(
            name=name,
            root=Path(values["ROOT"]),
            instance=values["INSTANCE"],
            sip_port=int(env["SIP_PORT"]),
            ami_port=int(env["AMI_PORT"]),
            audiosocket_port=int(env["AUDIOSOCKET_PORT"]),
            rtp_start=rtp_start,
            ami_secret=env["AMI_SECRET"],
        )
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", name], capture_output=True, timeout=60)
