"""Several workers on one PostgreSQL database (README, "Several workers"): calls
placed on two workers are both recorded in the shared database, and a call left open by a
worker killed mid-call (SIGKILL: no goodbye, no end written) is marked abandoned by the next
worker's sweep, while a call that can still be in progress is left alone."""

from __future__ import annotations

import asyncio
import signal
import uuid
from pathlib import Path

import pytest

from ivr.call_sweep import StaleCalls, sweep_once
from ivr.offline_call import run_offline_call
from ivr.service import Service
from ivr.storage import calls
from ivr.storage.database import Database, DatabaseSettings
from speech.convert import silence
from telephony.audiosocket.codec import encode, encode_uuid
from tests.asterisk_fixture import free_port
from tests.session.conftest import session_settings
from tests.session.workers import call_record_is, serve_config, start_serve, stop_serve

pytestmark = pytest.mark.postgres
KEYPAD = {"keypad_only": True}


@pytest.fixture(scope="module")
def prompt_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prompt-cache")




async def test_calls_on_two_workers_are_recorded_in_the_shared_database(
    shared_url: str, tmp_path: Path, prompt_cache: Path
) -> None:
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    workers = [
        Service(session_settings(tmp_path / name, prompt_cache, database_url=shared_url,
                                 session=KEYPAD))
        for name in ("a", "b")
    ]
    for worker in workers:
        await worker.start()
    try:
        assert workers[0].audiosocket_port != workers[1].audiosocket_port
        results = await asyncio.gather(*(
            run_offline_call(worker, silence(3000, 8000), max_seconds=4.0) for worker in workers
        ))
    finally:
        for worker in workers:
            await worker.close()
    database = Database(DatabaseSettings(url=shared_url))
    try:
        for result in results:
            record = await database.run(calls.get_call, result.report.call_id)
            assert record.ended_at is not None and record.outcome == "abandoned"
            assert any(turn.speaker == "assistant" for turn in record.turns)
        assert len(await database.run(calls.list_calls)) == 2
    finally:
        database.dispose()


async def test_a_call_left_open_by_a_killed_worker_is_closed_by_the_next_worker(
    shared_url: str, tmp_path: Path, prompt_cache: Path
) -> None:
    port = free_port()
    config = serve_config(tmp_path, database_url=shared_url, port=port,
                          prompt_cache=prompt_cache, max_call_s=2.0)
    worker = await start_serve(config, port, tmp_path / "worker.log")
    database = Database(DatabaseSettings(url=shared_url))
    writer: asyncio.StreamWriter | None = None
    try:
        call_id = uuid.uuid4()
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(encode_uuid(call_id) + encode(0x10, bytes(320)) * 10)
        await writer.drain()
        assert await call_record_is(database, str(call_id), open_=True, wait_s=30)
        worker.send_signal(signal.SIGKILL)  # dies mid-call: nothing more is written
        await worker.wait()
        writer.close()
        await asyncio.sleep(0.5)
        record = await database.run(calls.get_call, str(call_id))
        assert record.ended_at is None, "a killed worker cannot have closed its call"

        (tmp_path / "next").mkdir()
        settings = session_settings(tmp_path / "next", prompt_cache, database_url=shared_url,
                                    session={**KEYPAD, "max_call_s": 2.0})
        successor = Service(settings)
        await successor.start()
        try:
            assert await call_record_is(database, str(call_id), open_=False, wait_s=40)
            record = await database.run(calls.get_call, str(call_id))
            assert record.outcome == "abandoned"
            young = str(uuid.uuid4())  # a call that may still be in progress on a worker
            await database.run(calls.start_call, young, None)
            rule = StaleCalls(settings.session.max_call_s,
                              settings.service.shutdown_deadline_s)
            assert await sweep_once(database, rule) == 0
            assert (await database.run(calls.get_call, young)).ended_at is None
        finally:
            await successor.close()
    finally:
        await stop_serve(worker)
        database.dispose()
