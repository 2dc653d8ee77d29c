"""Several workers on one PostgreSQL database (README, "Scaling beyond one machine"): calls
placed on two workers are both recorded in the shared database, and a call left open by a
worker killed mid-call (SIGKILL: no goodbye, no end written) is marked abandoned by the next
worker's sweep, while a call that can still be in progress is left alone."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
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
from tests.harness.postgres import PostgresServer
from tests.session.conftest import session_settings

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]
KEYPAD = {"keypad_only": True}


@pytest.fixture(scope="module")
def prompt_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("prompt-cache")


@pytest.fixture
def shared_url(postgres_server: PostgresServer) -> Iterator[str]:
    name = postgres_server.new_database()
    try:
        yield postgres_server.url(name)
    finally:
        postgres_server.admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


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


def _worker_config(tmp_path: Path, url: str, port: int, prompt_cache: Path) -> Path:
    config = tmp_path / "worker.toml"
    config.write_text(f"""
[service]
data_dir = "{tmp_path / 'data'}"
ami_enabled = false
web_enabled = false
shutdown_deadline_s = 1.0

[session]
keypad_only = true
max_call_s = 2.0

[audiosocket]
port = {port}

[speech]
prompt_cache_dir = "{prompt_cache}"
models_dir = "{tmp_path / 'models'}"

[database]
url = "{url}"
""", encoding="utf-8")
    return config


async def _wait_for(database: Database, call_id: str, open_: bool, wait_s: float) -> bool:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            record = await database.run(calls.get_call, call_id)
        except Exception:  # not recorded yet
            record = None
        if record is not None and (record.ended_at is None) == open_:
            return True
        await asyncio.sleep(0.2)
    return False


async def test_a_call_left_open_by_a_killed_worker_is_closed_by_the_next_worker(
    shared_url: str, tmp_path: Path, prompt_cache: Path
) -> None:
    port = free_port()
    config = _worker_config(tmp_path, shared_url, port, prompt_cache)
    env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_")}
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "ivr", "serve", "--config", str(config),
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    database = Database(DatabaseSettings(url=shared_url))
    writer: asyncio.StreamWriter | None = None
    try:
        call_id = uuid.uuid4()
        deadline = time.monotonic() + 60
        while True:  # the worker is up once it accepts connections
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                break
            except OSError:
                assert worker.returncode is None, log.read_text()
                assert time.monotonic() < deadline, "the worker never listened"
                await asyncio.sleep(0.2)
        writer.write(encode_uuid(call_id) + encode(0x10, bytes(320)) * 10)
        await writer.drain()
        assert await _wait_for(database, str(call_id), open_=True, wait_s=30)
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
            assert await _wait_for(database, str(call_id), open_=False, wait_s=40)
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
        if worker.returncode is None:
            worker.kill()
            await worker.wait()
        database.dispose()
