"""Async code reaches the database through `Database.run` (a worker thread per transaction)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from ivr.privacy.purge import purge_periodically
from ivr.storage import calls
from ivr.storage.database import Database
from ivr.storage.errors import NotFound
from ivr.storage.types import utc_now


async def test_turns_added_concurrently_get_distinct_numbers(database: Database) -> None:
    await database.run(calls.start_call, "c", "0612345678")
    await asyncio.gather(*(
        database.run(calls.add_turn, "c", "caller", f"phrase {i}") for i in range(12)
    ))
    call = await database.run(calls.get_call, "c")
    assert sorted(t.seq for t in call.turns) == list(range(1, 13))
    assert sorted(t.text for t in call.turns) == sorted(f"phrase {i}" for i in range(12))


async def test_errors_come_back_to_the_caller(database: Database) -> None:
    with pytest.raises(NotFound):
        await database.run(calls.add_turn, "missing", "caller", "allo")


async def test_the_purge_job_runs_until_stopped(database: Database) -> None:
    await database.run(calls.start_call, "old", None, utc_now() - timedelta(days=60))
    stop = asyncio.Event()
    job = asyncio.create_task(purge_periodically(database, stop, interval_s=0.05))
    await asyncio.sleep(0.2)
    stop.set()
    reports = await asyncio.wait_for(job, 5)
    assert len(reports) >= 2
    assert reports[0].calls == 1 and all(r.calls == 0 for r in reports[1:])
    assert await database.run(calls.list_calls) == []
