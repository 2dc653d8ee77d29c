"""`ivr serve` as a real subprocess, for the tests of several workers (one can be killed):
its configuration file, and starting it until it accepts AudioSocket connections."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

from ivr.storage import calls
from ivr.storage.database import Database
from ivr.storage.errors import NotFound

ROOT = Path(__file__).resolve().parents[2]
START_WAIT_S = 60.0
"""Longest wait for a worker to listen, seconds."""


def serve_config(folder: Path, *, database_url: str, port: int, prompt_cache: Path,
                 max_call_s: float) -> Path:
    """A keypad-only worker without AMI nor web, listening on `port`, in `folder`."""
    config = folder / "worker.toml"
    config.write_text(f"""
[service]
data_dir = "{folder / 'data'}"
ami_enabled = false
web_enabled = false
shutdown_deadline_s = 1.0

[session]
keypad_only = true
max_call_s = {max_call_s}

[audiosocket]
port = {port}

[speech]
prompt_cache_dir = "{prompt_cache}"
models_dir = "{folder / 'models'}"

[database]
url = "{database_url}"
""", encoding="utf-8")
    return config


async def start_serve(config: Path, port: int, log: Path) -> asyncio.subprocess.Process:
    """`python -m ivr serve --config CONFIG`, once it accepts connections on `port` (its
    output goes to `log`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_")}
    with log.open("wb") as out:
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ivr", "serve", "--config", str(config),
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_WAIT_S
    while True:
        try:
            _, probe = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if worker.returncode is not None or time.monotonic() > deadline:
                if worker.returncode is None:
                    worker.kill()
                    await worker.wait()
                output = await asyncio.to_thread(log.read_text)
                raise AssertionError(f"the worker never listened:\n{output}") from None
            await asyncio.sleep(0.2)
            continue
        probe.close()  # closed before its UUID: the worker forgets it
        await probe.wait_closed()
        return worker


async def stop_serve(worker: asyncio.subprocess.Process) -> None:
    if worker.returncode is None:
        worker.kill()
        await worker.wait()


async def call_record_is(database: Database, call_id: str, open_: bool, wait_s: float) -> bool:
    """Wait until the call's record exists and is open (or closed, `open_` False)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            record = await database.run(calls.get_call, call_id)
        except NotFound:  # not recorded yet
            record = None
        if record is not None and (record.ended_at is None) == open_:
            return True
        await asyncio.sleep(0.2)
    return False
