"""Several `ivr serve` workers behind one real Asterisk 22 (README, "Several workers"): the
shipped dialplan spreads calls over STANDARDISTE_AUDIOSOCKETS in turn, skips a worker that is
down and takes it back once restarted; a call the service ends is hung up, while a call cut
by a worker killed in the middle of it (SIGKILL) goes to the agents with the reason
"Assistant interrompu", and its record in the shared PostgreSQL database is closed by the
surviving worker."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from ivr.service import Service
from ivr.storage import calls
from ivr.storage.database import Database, DatabaseSettings
from telephony.ami import AmiClient, AmiEvent
from telephony.audiosocket import AudioSocketSettings
from telephony.errors import TelephonyError
from tests.asterisk_fixture import AsteriskSandbox, free_port
from tests.harness.postgres import PostgresServer
from tests.session.conftest import NOW, session_settings
from tests.session.workers import call_record_is, serve_config, start_serve, stop_serve
from tests.telephony.calls import Watcher
from tests.telephony.peers import eventually

pytestmark = pytest.mark.asterisk


@contextlib.asynccontextmanager
async def worker(
    asterisk: AsteriskSandbox, folder: Path, prompt_cache: Path, database_url: str, *,
    ami: bool = True, max_call_s: float = 60.0, port: int = 0,
) -> AsyncIterator[Service]:
    """An in-process worker (keypad only) on `port` (0: a free one), with or without AMI, in
    the new folder `folder`."""
    await asyncio.to_thread(folder.mkdir)
    base = session_settings(
        folder, prompt_cache, database_url=database_url,
        session={"keypad_only": True, "max_call_s": max_call_s},
        audiosocket=AudioSocketSettings(port=port, read_timeout=15.0))
    settings = replace(base, service=replace(base.service, ami_enabled=ami,
                                             shutdown_deadline_s=1.0),
                       ami=asterisk.ami_settings())
    service = Service(settings, clock=lambda: NOW)
    await service.start()
    try:
        yield service
    finally:
        await service.close()


def target(port: int) -> str:
    return f"127.0.0.1:{port}"


def is_user_event(name: str, call_id: str) -> Callable[[AmiEvent], bool]:
    return lambda e: e.get("UserEvent") == name and e.get("Uuid") == call_id


class Caller:
    """Places Local-channel calls through the shipped dialplan and follows them by UUID."""

    def __init__(self, ami: AmiClient, watcher: Watcher) -> None:
        self.ami = ami
        self.watcher = watcher
        self.placed: list[str] = []

    async def call(self, targets: str, **variables: str) -> tuple[str, str]:
        """A new call to `targets` (host:port&...): its UUID and the worker that took it."""
        result = await self.ami.originate(
            "Local/100@standardiste-incoming/n", "test-caller", "talk",
            caller_id="Test <0612345678>",
            variables={"TEST_AUDIOSOCKETS": targets, **variables})
        assert result.answered
        event = await self.watcher.wait_for(
            lambda e: e.get("UserEvent") == "StandardisteCall"
            and e.get("Uuid") not in self.placed)
        call_id = event.get("Uuid")
        self.placed.append(call_id)
        # The AudioSocket channel is named after its destination: AudioSocket/HOST:PORT-UUID.
        answered = await self.watcher.wait_for(
            lambda e: e.name == "DialEnd" and e.get("DialStatus") == "ANSWER"
            and e.get("DestChannel").endswith(f"-{call_id}"))
        taken = answered.get("DestChannel").removeprefix("AudioSocket/")
        return call_id, taken.removesuffix(f"-{call_id}")

    async def hang_up(self, call_id: str) -> None:
        with contextlib.suppress(TelephonyError):  # may be gone already
            await self.ami.hangup(await self.ami.channel_for(uuid.UUID(call_id), wait_s=0.5))

    async def hang_up_all(self) -> None:
        for call_id in self.placed:
            await self.hang_up(call_id)


async def test_calls_alternate_between_two_workers_and_skip_one_while_it_is_stopped(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path
) -> None:
    shared = f"sqlite:///{tmp_path / 'shared.db'}"
    async with worker(asterisk, tmp_path / "a", prompt_cache, shared) as a, \
            Watcher(ami) as watcher:
        caller = Caller(ami, watcher)
        async with worker(asterisk, tmp_path / "b", prompt_cache, shared) as b:
            a_port, b_port = target(a.audiosocket_port), target(b.audiosocket_port)
            both = f"{a_port}&{b_port}"
            try:
                first = [await caller.call(both) for _ in range(4)]
                assert await eventually(lambda: len(a.calls) == 2 and len(b.calls) == 2, 5)
                call_id, taken = first[0]
                channel = await ami.channel_for(uuid.UUID(call_id))
                assert await ami.getvar(channel, "STANDARDISTE_WORKER") == taken
            finally:
                await caller.hang_up_all()
            assert await eventually(lambda: not a.calls and not b.calls, 10)
        # The second worker stopped: nothing listens on its port any more.
        try:
            then = [await caller.call(both) for _ in range(2)]
            # and with 16 kHz refused, each worker is tried in 8 kHz before the next one
            then.append(await caller.call(both, TEST_CODEC="nosuchcodec"))
            assert await eventually(lambda: len(a.calls) == 3, 5)
            narrow = a.calls[uuid.UUID(then[-1][0])]
            assert await eventually(lambda: narrow.rate == 8000, 5)
        finally:
            await caller.hang_up_all()
        # Restarted, the second worker is back in the rotation: nothing to change in Asterisk.
        async with worker(asterisk, tmp_path / "b-again", prompt_cache, shared,
                          port=int(b_port.rsplit(":", 1)[1])):
            try:
                again = [await caller.call(both) for _ in range(2)]
            finally:
                await caller.hang_up_all()
    workers = [taken for _, taken in first]
    assert workers[0] != workers[1] and workers[0::2] == [workers[0]] * 2  # in turn
    assert {taken for _, taken in then} == {a_port}
    assert {taken for _, taken in again} == {a_port, b_port}
    assert not any(e.get("UserEvent") in ("StandardisteTransfer", "StandardisteApology")
                   for e in watcher.seen)  # no call fell back: each found a worker
    database = Database(DatabaseSettings(url=shared))
    try:
        recorded = {r.id for r in await database.run(calls.list_calls)}
    finally:
        database.dispose()
    assert recorded == {call_id for call_id, _ in first + then + again}  # one shared file


async def test_an_end_marked_by_the_service_is_hung_up_and_an_unmarked_one_is_not(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path
) -> None:
    shared = f"sqlite:///{tmp_path / 'shared.db'}"
    short = 3.0  # the service ends each call after 3 s (its longest call: a normal end)
    async with worker(asterisk, tmp_path / "ami", prompt_cache, shared,
                      max_call_s=short) as marking, \
            worker(asterisk, tmp_path / "no-ami", prompt_cache, shared, ami=False,
                   max_call_s=short) as blind, \
            Watcher(ami) as watcher:
        caller = Caller(ami, watcher)
        try:
            marked, _ = await caller.call(target(marking.audiosocket_port))
            unmarked, _ = await caller.call(target(blind.audiosocket_port))
            told, _ = await caller.call(target(blind.audiosocket_port), TEST_CUT="hangup")
            hangups = {call_id: await ami.channel_for(uuid.UUID(call_id))
                       for call_id in (marked, unmarked, told)}
            await watcher.wait_for(is_user_event("StandardisteTransfer", unmarked), 20)
            for call_id in (marked, told):
                channel = hangups[call_id]
                await watcher.wait_for(
                    lambda e, channel=channel: e.name == "Hangup"
                    and e.get("Channel") == channel, 20)
        finally:
            await caller.hang_up_all()
    def fell_back(call_id: str) -> bool:
        return any(e.get("Uuid") == call_id and e.get("UserEvent") in (
            "StandardisteTransfer", "StandardisteApology") for e in watcher.seen)

    assert not fell_back(marked) and not fell_back(told)
    # Without AMI the service cannot mark its end: the dialplan takes it for a cut call and
    # puts the caller through to the agents (the choice README "Several workers" explains).
    transfer = await watcher.wait_for(is_user_event("StandardisteTransfer", unmarked))
    assert transfer.get("Reason") == "Assistant interrompu"


@pytest.mark.postgres
async def test_a_worker_killed_mid_call_leaves_its_caller_to_the_agents(
    asterisk: AsteriskSandbox, ami: AmiClient, postgres_server: PostgresServer,
    tmp_path: Path, prompt_cache: Path,
) -> None:
    name = postgres_server.new_database()
    url = postgres_server.url(name)
    port = free_port()
    (tmp_path / "doomed").mkdir()
    config = serve_config(tmp_path / "doomed", database_url=url, port=port,
                          prompt_cache=prompt_cache, max_call_s=60.0)
    doomed = await start_serve(config, port, tmp_path / "doomed.log")
    database = Database(DatabaseSettings(url=url))
    try:
        async with worker(asterisk, tmp_path / "alive", prompt_cache, url,
                          max_call_s=2.0) as alive, Watcher(ami) as watcher:
            caller = Caller(ami, watcher)
            both = f"{target(port)}&{target(alive.audiosocket_port)}"
            try:
                while True:  # the first call in turn on the doomed worker
                    call_id, taken = await caller.call(both)
                    if taken == target(port):
                        break
                    await caller.hang_up(call_id)
                assert await call_record_is(database, call_id, open_=True, wait_s=15)
                await asyncio.sleep(1.5)  # in the middle of the call
                doomed.send_signal(signal.SIGKILL)
                await doomed.wait()
                transfer = await watcher.wait_for(
                    is_user_event("StandardisteTransfer", call_id), 10)
                after, taken = await caller.call(both)
                assert taken == target(alive.audiosocket_port)  # the dead worker is skipped
                # The surviving worker's sweep closes the record the dead one left open.
                assert await call_record_is(database, call_id, open_=False, wait_s=30)
            finally:
                await caller.hang_up_all()
        record = await database.run(calls.get_call, call_id)
    finally:
        await stop_serve(doomed)
        database.dispose()
        postgres_server.admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    assert transfer.get("Reason") == "Assistant interrompu" and transfer.get("Target") == "queue"
    assert transfer.get("Summary").startswith("Appel coupé")
    assert record.outcome == "abandoned"
    assert after != call_id
