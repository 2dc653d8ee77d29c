"""`ivr serve` as a real process for the tests in this folder: its environment (embedded
defaults, ports moved to free ones, Asterisk "down"), its log lines, its /healthz."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.asterisk_fixture import free_port

ROOT = Path(__file__).resolve().parents[2]


class Running:
    def __init__(self, proc: subprocess.Popen[str], web_port: int) -> None:
        self.proc = proc
        self.web_port = web_port
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_line(self, text: str, wait_s: float = 60.0) -> str:
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if text in line:
                    return line
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"no line with {text!r}; got:\n" + "\n".join(self.lines))

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)
        self._reader.join(10)
        assert self.proc.stderr is not None
        self.proc.stderr.close()

    def healthz(self) -> tuple[int, dict[str, object]]:
        url = f"http://127.0.0.1:{self.web_port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return answer.status, json.loads(answer.read())
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read())


def serve_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_")}
    return {
        **env,
        "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "IVR_AUDIOSOCKET_PORT": str(free_port()), "IVR_SERVICE_WEB_PORT": str(free_port()),
        "IVR_AMI_PORT": str(free_port()),  # nothing listens there: Asterisk is "down"
        **extra,
    }
