"""A call whose UUID is already recorded (found by the AudioSocket fuzz, issue 16): a peer that
reuses a finished call's UUID is answered like any call, is not recorded, and keeps the first
call's record; the service says so as a warning, not as a database failure."""

from __future__ import annotations

import asyncio
import logging
import uuid

import pytest

from ivr.storage import calls
from tests.session.caller import LoopbackCaller
from tests.session.conftest import ServiceFactory

REUSED = uuid.UUID(int=0)  # the nil UUID: what a broken peer sends most readily


async def test_a_reused_uuid_is_answered_unrecorded_and_keeps_the_first_record(
    make_service: ServiceFactory, caplog: pytest.LogCaptureFixture,
) -> None:
    async with make_service() as service:
        async with LoopbackCaller(service.audiosocket_port, call_id=REUSED) as first:
            await first.wait_heard(10)
            first.press("1")  # the opening hours, then the end of the call
            await asyncio.sleep(1.5)
            first.press("2")
            await first.wait_end(20)
        assert (await asyncio.wait_for(service.finished.get(), 10)).outcome == "resolved"
        with caplog.at_level(logging.WARNING):
            async with LoopbackCaller(service.audiosocket_port, call_id=REUSED) as again:
                await again.wait_heard(10)  # answered all the same
            second = await asyncio.wait_for(service.finished.get(), 10)
        assert service.resources is not None and service.resources.database is not None
        record = await service.resources.database.run(calls.get_call, str(REUSED))
    assert second.outcome == "abandoned"
    assert record.outcome == "resolved"  # the first call's record, untouched
    assert [r.levelno for r in caplog.records if "already recorded" in r.getMessage()] == [
        logging.WARNING]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []
