"""The Asterisk sandbox itself: it refuses clearly where it cannot run, and leaves nothing."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests.asterisk_fixture import SCRIPT, AsteriskSandbox, free_port, skip_or_fail


def test_a_non_root_user_is_told_why() -> None:
    if shutil.which("setpriv") is None:
        pytest.fail("setpriv (util-linux) is part of every Debian system")
    if os.geteuid() != 0:
        done = subprocess.run(["bash", str(SCRIPT), "check"], capture_output=True, text=True)
    else:
        # A copy that user nobody can read, wherever the repository lives.
        folder = Path(tempfile.mkdtemp(prefix="sandbox-check-", dir="/tmp"))
        try:
            copy = folder / "scripts" / "asterisk-sandbox.sh"
            copy.parent.mkdir()
            shutil.copy(SCRIPT, copy)
            for path in (folder, copy.parent, copy):
                path.chmod(0o755)
            done = subprocess.run(
                ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                 "bash", str(copy), "check"],
                capture_output=True, text=True,
            )
        finally:
            shutil.rmtree(folder)
    assert done.returncode == 1
    assert "not root" in done.stdout


def test_ci_turns_the_skip_into_a_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVR_REQUIRE_REAL_SERVICES", "1")
    with pytest.raises(pytest.fail.Exception, match="IVR_REQUIRE_REAL_SERVICES=1"):
        skip_or_fail("no debootstrap")
    monkeypatch.delenv("IVR_REQUIRE_REAL_SERVICES")
    with pytest.raises(pytest.skip.Exception, match="no debootstrap"):
        skip_or_fail("no debootstrap")


def processes_in(root: Path) -> list[int]:
    """Host pids whose root directory is the chroot."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.readlink(f"/proc/{entry}/root") == str(root):
                    found.append(int(entry))
            except OSError:
                continue
    return found


def mounts_under(root: Path) -> list[str]:
    with open("/proc/mounts") as mounts:
        return [line for line in mounts if f" {root}/" in line or f" {root} " in line]


def start_probe(name: str, owner: int) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "SIP_PORT": str(free_port(socket.SOCK_DGRAM)),
        "AMI_PORT": str(free_port()),
        "AUDIOSOCKET_PORT": str(free_port()),
        "RTP_START": "36000",
        "RTP_END": "36019",
        "START_OWNER": str(owner),
    }
    return subprocess.run(
        ["bash", str(SCRIPT), "start", name], capture_output=True, text=True, env=env, timeout=60
    )


@pytest.mark.asterisk
def test_stopping_leaves_no_process_mount_or_file(asterisk: AsteriskSandbox) -> None:
    name = f"{asterisk.name}-probe"
    started = start_probe(name, os.getpid())
    assert started.returncode == 0, started.stderr
    try:
        assert len(processes_in(asterisk.root)) >= 2  # this probe and the session's Asterisk
        assert mounts_under(asterisk.root) == []  # /proc is mounted in its namespace only
    finally:
        subprocess.run(["bash", str(SCRIPT), "stop", name], check=True, timeout=60)
    instance = asterisk.root / "srv" / "standardiste" / name
    assert not instance.exists()
    probe_pids = [
        pid for pid in processes_in(asterisk.root)
        if name in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    ]
    assert probe_pids == []
    assert mounts_under(asterisk.root) == []


@pytest.mark.asterisk
def test_asterisk_stops_when_its_owner_dies(asterisk: AsteriskSandbox) -> None:
    name = f"{asterisk.name}-orphan"
    owner = subprocess.Popen(["sleep", "60"])
    try:
        started = start_probe(name, owner.pid)
        assert started.returncode == 0, started.stderr
        pid = int(dict(line.split("=", 1) for line in started.stdout.split())["PID"])
        owner.kill()  # the test session that started it vanishes
        owner.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
            time.sleep(0.1)
        assert not Path(f"/proc/{pid}").exists()
    finally:
        owner.kill()
        subprocess.run(["bash", str(SCRIPT), "stop", name], timeout=60)
