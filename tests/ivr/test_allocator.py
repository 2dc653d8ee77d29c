"""`ivr serve` runs on jemalloc (installed by scripts/install.sh: libjemalloc2): the real
command starts itself again with it preloaded, in the same process, and serves; `[service]
allocator = "system"` keeps glibc's; a wrong value stops it with the reason."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from ivr.allocator import PRELOADED, jemalloc_library, mapped, restart_env, restore
from tests.ivr.serving import ROOT, Running, serve_env

LIBRARY = Path("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2")
SECRET = "a-real-secret"


def test_serve_starts_itself_again_on_jemalloc_and_serves(
    start: Callable[..., Running],
) -> None:
    assert jemalloc_library() is not None, "scripts/install.sh installs libjemalloc2"
    service = start(IVR_AMI_SECRET=SECRET)
    line = service.wait_line("memory allocator:")
    service.wait_line("standardiste ready")
    maps = Path(f"/proc/{service.proc.pid}/maps").read_text()
    started_with = Path(f"/proc/{service.proc.pid}/environ").read_bytes().split(b"\0")
    status, _ = service.healthz()
    service.proc.send_signal(signal.SIGTERM)
    assert service.proc.wait(20) == 0
    assert "memory allocator: jemalloc (" in line
    assert mapped(maps)  # the very process Popen started: systemd's PID is the service's
    assert status in (200, 503)  # answering (no model here: degraded)
    assert f"{PRELOADED}=".encode() in started_with  # started again by `ivr serve` itself
    assert f"LD_PRELOAD={jemalloc_library()}".encode() in started_with


def test_the_system_allocator_can_be_kept(start: Callable[..., Running]) -> None:
    service = start(IVR_AMI_SECRET=SECRET, IVR_SERVICE_ALLOCATOR="system")
    line = service.wait_line("memory allocator:")
    service.wait_line("standardiste ready")
    maps = Path(f"/proc/{service.proc.pid}/maps").read_text()
    assert "the system's" in line and not mapped(maps)


def test_a_wrong_allocator_stops_it_with_the_reason(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "ivr", "serve"], cwd=ROOT,
                          env=serve_env(tmp_path, IVR_SERVICE_ALLOCATOR="tcmalloc"),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "allocator must be one of jemalloc, system, got 'tcmalloc'" in done.stderr


def test_the_restart_keeps_a_preload_already_there_and_happens_once() -> None:
    env = restart_env("jemalloc", {"LD_PRELOAD": "/opt/other.so", "PATH": "/bin"},
                      LIBRARY, loaded=False)
    assert env == {"LD_PRELOAD": f"{LIBRARY}:/opt/other.so", "PATH": "/bin",
                   PRELOADED: "/opt/other.so"}
    assert restart_env("jemalloc", env, LIBRARY, loaded=False) is None  # never twice
    assert restart_env("jemalloc", {}, LIBRARY, loaded=True) is None
    assert restart_env("jemalloc", {}, None, loaded=False) is None  # not installed
    assert restart_env("system", {}, LIBRARY, loaded=False) is None


def test_the_programs_it_runs_get_the_environment_as_it_was() -> None:
    env = dict(restart_env("jemalloc", {"PATH": "/bin"}, LIBRARY, loaded=False) or {})
    restore(env)
    assert env == {"PATH": "/bin"}
    kept = dict(restart_env("jemalloc", {"LD_PRELOAD": "/opt/other.so"}, LIBRARY,
                            loaded=False) or {})
    restore(kept)
    assert kept == {"LD_PRELOAD": "/opt/other.so"}
    untouched = {"LD_PRELOAD": "/opt/mine.so"}
    restore(untouched)  # not started again by us: left alone
    assert untouched == {"LD_PRELOAD": "/opt/mine.so"}


def test_maps_are_read_by_file_name() -> None:
    maps = ("7f74d2600000-7f74d2609000 r--p 00000000 fe:00 5595774 "
            "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n"
            "7f74d2700000-7f74d2709000 r--p 00000000 fe:00 5595775 /opt/not-libjemalloc/x.so\n"
            "7ffd1000-7ffd2000 rw-p 00000000 00:00 0 [stack]\n")
    assert mapped(maps)
    assert not mapped(maps.splitlines()[1] + "\n" + maps.splitlines()[2])
