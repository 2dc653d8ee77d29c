"""Fault: PostgreSQL restarted in the middle of calls. A real PostgreSQL 15 of this module's
own (tests/harness/postgres.py) is stopped while a caller is in the town-hall menu, the caller
presses a key while it is down, then it is started again and the caller ends the call. Real
calls go through the real service over loopback AudioSocket with real espeak-ng.

Each caller must get through the menu (hours, then goodbye) without a silence a caller would
hang up on (tests/reliability/figures.py), and the call's record must be complete once the
server is back (the recorder tries a failed write again, `ivr.session.recorder`).
`-s` prints the figures.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ivr.service import Service
from ivr.storage import calls
from tests.harness.postgres import PostgresServer, start_server, stop_server
from tests.reliability.figures import CallFigure, figures_line, patient
from tests.session.caller import LoopbackCaller
from tests.session.conftest import NOW, session_settings

pytestmark = pytest.mark.postgres
CALLS = 2


@pytest.fixture(scope="module")
def own_server() -> Iterator[PostgresServer]:
    """A server this module may stop and start (the session's is shared by other tests)."""
    server = start_server()
    try:
        yield server
    finally:
        stop_server(server)


async def test_a_postgres_restart_loses_no_caller(
    tmp_path: Path, prompt_cache: Path, own_server: PostgresServer
) -> None:
    url = own_server.url(own_server.new_database())
    service = Service(session_settings(tmp_path, prompt_cache, database_url=url),
                      clock=lambda: NOW)
    await service.start()
    figures: list[CallFigure] = []
    records: list[tuple[str | None, int, int]] = []
    try:
        assert service.resources is not None and service.resources.database is not None
        for _ in range(CALLS):
            started = time.monotonic()
            async with LoopbackCaller(service.audiosocket_port) as caller:
                with contextlib.suppress(TimeoutError):
                    await caller.wait_heard(1, 10)
                    await asyncio.to_thread(own_server.stop)  # mid-greeting
                    caller.press("1")  # the opening hours, the database down
                    await caller.wait_heard(len(caller.heard) + 1, 10)
                    await asyncio.to_thread(own_server.start)
                    await asyncio.sleep(1.0)
                    caller.press("2")  # goodbye, the database back
                figure = await patient(caller, started, deadline_s=40)
            report = await asyncio.wait_for(service.finished.get(), 30)
            await asyncio.sleep(0.5)
            figure.outcome = report.outcome
            said = [t for t in report.turns if t["speaker"] == "assistant"]
            figure.notes.append(f"{figure.heard_s} s of speech over {len(said)} turns")
            record = await service.resources.database.run(calls.get_call, report.call_id)
            figure.notes.append(f"record: outcome {record.outcome}, "
                                f"{len(record.turns)} of {len(report.turns)} turns")
            figures.append(figure)
            records.append((record.outcome, len(record.turns), len(report.turns)))
    finally:
        await service.close()
    print(figures_line("PostgreSQL restarted mid-call", figures))
    assert [f.lost for f in figures] == [False] * CALLS
    assert [f.outcome for f in figures] == ["resolved"] * CALLS
    assert all(f.heard_s > 4.0 for f in figures)  # greeting, hours, goodbye
    # The recorder tried the failed writes again once the server was back: complete records.
    assert [(outcome, kept) for outcome, kept, _ in records] == [
        ("resolved", turns) for _, _, turns in records]
