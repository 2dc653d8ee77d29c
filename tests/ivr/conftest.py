"""Fixtures of the tests of `ivr`'s process: `start` runs `ivr serve` for real."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.ivr.serving import ROOT, Running, serve_env


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Callable[..., Running]]:
    """`start(**env)`: `python -m ivr serve` with `serve_env(tmp_path, **env)`; killed at
    the end of the test if still running."""
    procs: list[Running] = []

    def run(**extra: str) -> Running:
        env = serve_env(tmp_path, **extra)
        proc = subprocess.Popen([sys.executable, "-m", "ivr", "serve"], cwd=ROOT, env=env,
                                stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
        procs.append(Running(proc, int(env["IVR_SERVICE_WEB_PORT"])))
        return procs[-1]

    yield run
    for running in procs:
        running.close()
