"""The service under test for `bench/calls.py`: a real `ivr serve` started in a subprocess
with a settings file written here, and its CPU and memory read from /proc.

The service gets the load flow (`bench/flows/charge.yaml`), the given Vosk model, SQLite in a
work folder, no AMI, its web app on a free loopback port (for `/metrics`), and room for every
benchmark call (`max_calls`).
`ProcessSampler` reads /proc/PID/stat (CPU ticks) and /proc/PID/status (VmRSS) every
`interval_s` seconds: CPU as percent of one core over a window (200 = both cores of a 2-core
machine busy), memory in MB (10^6 bytes).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOW = ROOT / "bench" / "flows" / "charge.yaml"
INTENTS = ROOT / "dialogs" / "flows" / "mairie.intents.yaml"
READY = "standardiste ready"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def flow_folder(work: Path) -> Path:
    """The load flow with the town hall's intents file next to it (flows are self-contained
    bundles of files in one folder); its path."""
    folder = work / "flow"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INTENTS, folder / INTENTS.name)
    shutil.copyfile(FLOW, folder / FLOW.name)
    return folder / FLOW.name


def settings_toml(work: Path, model: Path, port: int, max_calls: int, workers: int,
                  web_port: int, hint_grammar: bool = False) -> str:
    return f"""
[service]
flow = "{flow_folder(work)}"
data_dir = "{work / 'data'}"
ami_enabled = false
web_enabled = true
web_host = "127.0.0.1"
web_port = {web_port}

[audiosocket]
host = "127.0.0.1"
port = {port}
max_calls = {max_calls}

[speech]
vosk_model = "{model}"
prompt_cache_dir = "{work / 'prompts'}"
decoder_workers = {workers}

[session]
hint_grammar = {'true' if hint_grammar else 'false'}

[database]
url = "sqlite:///{work / 'calls.db'}"
"""


@dataclass
class RunningService:
    """An `ivr serve` subprocess."""

    process: subprocess.Popen[bytes]
    port: int
    log: Path
    web_port: int

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}/metrics"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> int:
        """SIGTERM, then wait (the service ends calls politely); its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return int(self.process.returncode)


def start_service(work: Path, model: Path, max_calls: int, workers: int,
                  extra_env: dict[str, str] | None = None,
                  hint_grammar: bool = False) -> RunningService:
    """Start `ivr serve` and wait until it says it is ready (60 s at most); `hint_grammar`:
    its `[session] hint_grammar` (listen steps recognised against their hints)."""
    work.mkdir(parents=True, exist_ok=True)
    port, web_port = free_port(), free_port()
    config = work / "service.toml"
    config.write_text(settings_toml(work, model, port, max_calls, workers, web_port,
                                    hint_grammar), encoding="utf-8")
    log = work / "service.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_")}
    env.update(extra_env or {})
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "ivr", "serve", "--config", str(config)],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if READY in log.read_text(encoding="utf-8", errors="replace"):
            return RunningService(process, port, log, web_port)
        if process.poll() is not None:
            break
        time.sleep(0.1)
    with contextlib.suppress(Exception):
        process.kill()
    raise RuntimeError(f"ivr serve did not start; its log:\n{log.read_text()[-3000:]}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process (all threads), seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def rss_mb(pid: int) -> float:
    """Resident memory of the process, MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024 / 1e6
    raise RuntimeError(f"no VmRSS for process {pid}")


def machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


@dataclass
class ProcessSampler:
    """Peak memory and CPU use of a process over a window."""

    pid: int
    interval_s: float = 0.25
    peak_mb: float = 0.0
    samples: list[float] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _cpu0: float = 0.0
    _t0: float = 0.0
    cpu_percent: float = 0.0
    cpu_s: float = 0.0
    """CPU seconds the process used over the window (all threads)."""
    elapsed_s: float = 0.0
    machine_percent: float = 0.0
    """The whole machine's busy CPU (every process: the service, the callers, anything else
    running), percent of one core."""
    _machine0: tuple[int, int] = (0, 0)

    async def __aenter__(self) -> ProcessSampler:
        self._cpu0, self._t0 = cpu_seconds(self.pid), time.monotonic()
        self._machine0 = machine_ticks()
        self._task = asyncio.create_task(self._sample())
        return self

    async def _sample(self) -> None:
        while True:
            with contextlib.suppress(OSError):
                value = rss_mb(self.pid)
                self.samples.append(value)
                self.peak_mb = max(self.peak_mb, value)
            await asyncio.sleep(self.interval_s)

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        with contextlib.suppress(OSError):
            self.peak_mb = max(self.peak_mb, rss_mb(self.pid))
            self.elapsed_s = time.monotonic() - self._t0
            self.cpu_s = cpu_seconds(self.pid) - self._cpu0
            self.cpu_percent = 100 * self.cpu_s / max(self.elapsed_s, 1e-6)
        busy, total = machine_ticks()
        cores = os.cpu_count() or 1
        share = (busy - self._machine0[0]) / max(1, total - self._machine0[1])
        self.machine_percent = 100 * cores * share
