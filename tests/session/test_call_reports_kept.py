"""The service keeps the reports of its last `FINISHED_KEPT` calls, not of every call: `ivr
serve` reads none of them, and the queue grew at every call (seen while fuzzing AudioSocket,
issue 16)."""

from __future__ import annotations

import asyncio
import uuid

from ivr.service import FINISHED_KEPT
from telephony.audiosocket.codec import encode_uuid
from tests.session.conftest import ServiceFactory
from tests.telephony.peers import eventually


async def call_and_hang_up(port: int, call_id: uuid.UUID) -> None:
    """A caller who hangs up as soon as the call is connected."""
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(encode_uuid(call_id))
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def test_only_the_latest_reports_are_kept(make_service: ServiceFactory) -> None:
    calls = [uuid.uuid4() for _ in range(FINISHED_KEPT + 30)]
    async with make_service() as service:
        registry = service.metrics.registry

        def ended() -> float:
            return registry.get_sample_value("ivr_calls_total", {"outcome": "abandoned"}) or 0

        for done, call_id in enumerate(calls, start=1):  # one after the other: in order
            await call_and_hang_up(service.audiosocket_port, call_id)
            assert await eventually(lambda n=done: ended() == n, 5)
        kept = [service.finished.get_nowait().call_id for _ in range(service.finished.qsize())]
    assert kept == [str(c) for c in calls[-FINISHED_KEPT:]]
