"""The call recorder tries a failed write again (bounded, with growing waits), in order, off
the call's path; past its retries the call goes on unrecorded. A real SQLite file behind a
`Database` whose writes fail while `down` (the test double of a database restarting)."""

from __future__ import annotations

import asyncio
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ivr.session.recorder import CallRecorder
from ivr.storage import calls
from ivr.storage.database import Database, DatabaseSettings
from ivr.storage.errors import DatabaseUnavailable

DELAYS = (0.05, 0.1, 0.2)


class RestartingDatabase(Database):
    """Refuses every transaction while `down` is set, as a stopped server does."""

    down = False
    refused = 0

    async def run(self, func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        if self.down:
            self.refused += 1
            raise DatabaseUnavailable("database unavailable: connection refused")
        return await super().run(func, *args, **kwargs)


@pytest.fixture
def database(tmp_path: Path, sqlite_template: Path) -> Iterator[RestartingDatabase]:
    path = tmp_path / "calls.db"
    shutil.copyfile(sqlite_template, path)
    db = RestartingDatabase(DatabaseSettings(url=f"sqlite:///{path}"))
    yield db
    db.dispose()


async def test_writes_failed_while_the_database_restarts_are_written_once_it_is_back(
    database: RestartingDatabase,
) -> None:
    recorder = CallRecorder(database, "call-1", retry_delays_s=DELAYS)
    await recorder.start("0612345678")
    database.down = True
    started = time.monotonic()
    recorder.turn("assistant", "Bonjour")
    recorder.turn("caller", "les horaires")  # queued behind the failing one, in order
    assert time.monotonic() - started < 0.01  # the call never waits on the database
    await asyncio.sleep(0.1)
    database.down = False
    recorder.turn("assistant", "Au revoir")
    recorder.end("resolved")
    await recorder.close()
    record = await database.run(calls.get_call, "call-1")
    assert record.outcome == "resolved"
    assert [t.text for t in record.turns] == ["Bonjour", "les horaires", "Au revoir"]
    assert recorder.ok and recorder.retries >= 1 and database.refused == recorder.retries


async def test_past_its_retries_the_call_goes_on_unrecorded_and_says_so_once(
    database: RestartingDatabase, caplog: pytest.LogCaptureFixture,
) -> None:
    recorder = CallRecorder(database, "call-2", retry_delays_s=DELAYS)
    await recorder.start(None)
    database.down = True
    recorder.turn("assistant", "Bonjour")
    recorder.turn("caller", "les horaires")
    recorder.end("resolved")
    await recorder.close()
    assert not recorder.ok
    assert database.refused == len(DELAYS) + 1  # one write tried 4 times, the others skipped
    assert caplog.text.count("could not be written") == 1
    database.down = False
    record = await database.run(calls.get_call, "call-2")
    assert record.outcome is None and record.turns == ()
