"""Async code reaches the database through `Database.run` (a worker thread per transaction)."""

from __future__ import annotations

import asyncio
import gc
import threading
import warnings
from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from ivr.privacy.purge import purge_periodically
from ivr.storage import calls
from ivr.storage.database import Database, DatabaseSettings
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


async def test_a_transaction_in_flight_when_the_database_is_disposed_closes_its_connection(
    database: Database,
) -> None:
    """The service stopping (or a test ending) disposes of its database while a write is
    still running in its thread: the connection that write returns afterwards is closed, not
    left open in the old pool for the garbage collector (psycopg: "connection deleted while
    still open")."""
    own = Database(DatabaseSettings(url=database.settings.url))
    inside, release = threading.Event(), threading.Event()

    def slow(session: Session) -> int:
        session.execute(text("SELECT 1"))
        inside.set()
        release.wait(5)
        return 1

    write = asyncio.create_task(own.run(slow))
    assert await asyncio.to_thread(inside.wait, 5)
    own.dispose()
    release.set()
    assert await write == 1
    del own, write
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        gc.collect()
    assert [str(w.message) for w in seen if issubclass(w.category, ResourceWarning)] == []
