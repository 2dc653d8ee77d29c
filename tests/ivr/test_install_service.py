"""`ivr install-service`, for real on this machine (as root): the system user, the folders and
their owners, the settings created once and never overwritten, a unit that
`systemd-analyze verify` accepts without a word, and the installed settings running the real
service as the unprivileged user. This machine has no systemd as PID 1: the unit itself is
not started here (`systemd-analyze` checks it instead)."""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.config import load_settings
from ivr.install.service import unreadable_part
from tests.harness.real_services import unavailable

ROOT = Path(__file__).resolve().parents[2]
IVR = Path(sys.prefix) / "bin" / "ivr"


@pytest.fixture(scope="module")
def as_root() -> None:
    if os.geteuid() != 0:
        unavailable("installing a system service needs root")
    if shutil.which("systemd-analyze") is None:
        unavailable("systemd-analyze is missing (Debian package systemd)")


@contextlib.contextmanager
def readable_by_others(*paths: Path) -> Iterator[None]:
    """Open (o+x) the folders that keep other users from this checkout, as the README tells
    an IT person to do (or to clone into /opt), and close them again afterwards."""
    opened: list[tuple[Path, int]] = []
    try:
        for path in paths:
            while (blocked := unreadable_part(path)) is not None and blocked.is_dir():
                mode = blocked.stat().st_mode
                opened.append((blocked, mode))
                blocked.chmod(mode | stat.S_IXOTH | stat.S_IROTH)
        yield
    finally:
        for folder, mode in reversed(opened):
            folder.chmod(stat.S_IMODE(mode))


@pytest.fixture
def prefix() -> Iterator[Path]:
    """An install root every user can enter (pytest's tmp_path is closed to others)."""
    folder = Path(tempfile.mkdtemp(prefix="ivr-install-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        shutil.rmtree(folder)


def install(prefix: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(IVR), "install-service", "--root", str(prefix)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60, check=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def answer_status(url: str, process: subprocess.Popen[str], wait_s: float) -> int | None:
    """The HTTP status `url` answers once the process listens, None if it never does."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and process.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return int(answer.status)
        except urllib.error.HTTPError as err:
            return err.code
        except OSError:
            time.sleep(0.2)
    return None


@pytest.mark.usefixtures("as_root")
def test_install_creates_the_user_folders_settings_and_a_verified_unit(prefix: Path) -> None:
    with readable_by_others(IVR, ROOT / "ivr" / "__init__.py"):
        first = install(prefix)
        assert first.returncode == 0, first.stderr
        user = pwd.getpwnam("standardiste")
        assert user.pw_uid != 0 and user.pw_shell == "/usr/sbin/nologin"
        data = prefix / "var/lib/standardiste"
        for folder in (data, data / "models", data / "prompts", data / "prompt-cache"):
            info = folder.stat()
            assert (info.st_uid, stat.S_IMODE(info.st_mode)) == (user.pw_uid, 0o750), folder
        settings = prefix / "etc/standardiste/standardiste.toml"
        info = settings.stat()
        assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (0, user.pw_gid, 0o640)
        loaded = load_settings(settings, env={})
        assert loaded.data_dir == Path("/var/lib/standardiste")
        assert loaded.speech.models_dir == Path("/var/lib/standardiste/models")
        assert loaded.database.url == "sqlite:////var/lib/standardiste/standardiste.db"
        unit = prefix / "etc/systemd/system/standardiste.service"
        text = unit.read_text()
        for line in ("User=standardiste", "Restart=on-failure", "NoNewPrivileges=yes",
                     "ProtectSystem=strict", "ReadWritePaths=/var/lib/standardiste",
                     f"ExecStart={IVR} serve --config /etc/standardiste/standardiste.toml",
                     "StandardOutput=journal"):
            assert line in text.splitlines(), line
        verified = subprocess.run(["systemd-analyze", "verify", str(unit)],
                                  capture_output=True, text=True, timeout=60, check=False)
        assert verified.returncode == 0 and verified.stderr.strip() == "", verified.stderr
        # a second install keeps the town's settings and refreshes the unit
        settings.write_text(settings.read_text() + '\n# réglé par la mairie\n')
        unit.write_text("stale")
        second = install(prefix)
    assert second.returncode == 0, second.stderr
    assert "kept as it is" in second.stdout and "user standardiste: exists" in second.stdout
    assert settings.read_text().endswith("# réglé par la mairie\n")
    assert unit.read_text() == text


@pytest.mark.usefixtures("as_root")
def test_the_installed_settings_run_the_service_as_the_unprivileged_user(prefix: Path) -> None:
    with readable_by_others(IVR, ROOT / "ivr" / "__init__.py"):
        assert install(prefix).returncode == 0
        user = pwd.getpwnam("standardiste")
        installed = prefix / "etc/standardiste/standardiste.toml"
        data = prefix / "var/lib/standardiste"
        # the installed file, with its data paths under this test's prefix
        settings = installed.with_name("test.toml")
        settings.write_text(installed.read_text().replace("/var/lib/standardiste", str(data)))
        os.chown(settings, 0, user.pw_gid)
        settings.chmod(0o640)
        web_port = free_port()
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(data),
               "IVR_SERVICE_WEB_PORT": str(web_port),
               "IVR_AUDIOSOCKET_PORT": str(free_port())}
        service = subprocess.Popen(
            ["setpriv", "--reuid=standardiste", "--regid=standardiste", "--init-groups", "--",
             str(IVR), "serve", "--config", str(settings)],
            env=env, cwd=data, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        try:
            health = answer_status(f"http://127.0.0.1:{web_port}/healthz", service, 60)
            running_as = Path(f"/proc/{service.pid}").stat().st_uid  # setpriv execs it
            database = data / "standardiste.db"
            db_owner = database.stat().st_uid if database.exists() else None
        finally:
            service.send_signal(signal.SIGTERM)
            output = service.communicate(timeout=30)[0]
    assert health in (200, 503), output  # its back office answers (503: no model here)
    assert running_as == user.pw_uid, output  # the service runs as the unprivileged user
    assert db_owner == user.pw_uid, output  # its database, written where the settings say
    assert service.returncode == 0, output  # a clean stop on SIGTERM
    assert "standardiste ready" in output
