"""Fault: the disk is full. A small tmpfs (mounted by the test, as root) holds the prompt cache
and the SQLite database; once the service has started it is filled to the last byte, then
real calls go through the real service over loopback AudioSocket with real espeak-ng: every
prompt is synthesised and cannot be cached, every write of the call record fails.

Each caller must get through the town-hall menu (hours, then goodbye) as on a good day,
without a silence a caller would hang up on (tests/reliability/figures.py). `-s` prints the
figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.service import Service
from ivr.storage import calls
from tests.harness.real_services import unavailable
from tests.reliability.figures import CallFigure, figures_line, patient
from tests.session.caller import LoopbackCaller
from tests.session.conftest import NOW, session_settings

CALLS = 2


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs of its own, unmounted after the test."""
    if os.geteuid() != 0:
        unavailable("mounting a tmpfs needs root (the CI runs as root)")
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)],
                             capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        unavailable(f"mount -t tmpfs refused: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> int:
    """Write to `disk` until it is full; returns the bytes written."""
    written = 0
    block = b"\xff" * 65536
    with (disk / "filler").open("wb", buffering=0) as out:
        for size in (65536, 4096, 512, 1):
            try:
                while True:
                    written += out.write(block[:size])
            except OSError as err:
                assert err.errno == errno.ENOSPC
    return written


async def test_a_full_disk_loses_no_caller(tmp_path: Path, small_disk: Path) -> None:
    cache = small_disk / "prompts"
    settings = session_settings(tmp_path, cache, database_url=f"sqlite:///{small_disk}/calls.db")
    service = Service(settings, clock=lambda: NOW)
    await service.start()
    figures: list[CallFigure] = []
    try:
        assert service.resources is not None and service.resources.database is not None
        assert fill(small_disk) > 0
        for _ in range(CALLS):
            started = time.monotonic()
            async with LoopbackCaller(service.audiosocket_port) as caller:
                with contextlib.suppress(TimeoutError):
                    await caller.wait_heard(1, 10)
                    await asyncio.sleep(1.0)
                    caller.press("1")  # the opening hours
                    await caller.wait_heard(len(caller.heard) + 1, 10)
                    await asyncio.sleep(1.0)
                    caller.press("2")  # nothing else: goodbye
                figure = await patient(caller, started, deadline_s=40)
            report = await asyncio.wait_for(service.finished.get(), 30)
            figure.outcome = report.outcome
            said = [str(t["text"]) for t in report.turns if t["speaker"] == "assistant"]
            figure.notes.append(f"{figure.heard_s} s of speech over {len(said)} turns")
            with contextlib.suppress(Exception):
                await service.resources.database.run(calls.get_call, report.call_id)
                figure.notes.append("call recorded")
            figures.append(figure)
        cached = list(cache.glob("*.wav")) if cache.exists() else []
    finally:
        await service.close()
    print(figures_line("disk full (prompt cache and SQLite)", figures))
    assert [f.lost for f in figures] == [False] * CALLS
    assert [f.outcome for f in figures] == ["resolved"] * CALLS
    assert all(f.heard_s > 4.0 for f in figures)  # greeting, hours, goodbye
    assert all(f.notes[1:] == [] for f in figures)  # nothing could be written...
    assert all(p.stat().st_size > 44 for p in cached)  # ...and no cache entry left broken
