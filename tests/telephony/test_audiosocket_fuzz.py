"""Fuzz: malformed AudioSocket streams never stop the server from serving other calls."""

from __future__ import annotations

import asyncio
import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telephony.audiosocket import AudioSocketServer, AudioSocketSettings, HangupReceived
from telephony.audiosocket.codec import encode
from tests.telephony.peers import FakeAsterisk, eventually
from tests.telephony.test_audiosocket_server import Recorder

# Short timeouts so that stalled peers end fast, long enough for a busy machine's hiccups.
FUZZ_SETTINGS = AudioSocketSettings(
    port=0, handshake_timeout=0.3, read_timeout=0.5, close_timeout=0.5
)

# Pieces a hostile or broken peer could send: random bytes, plausible headers with wrong
# lengths, huge announced lengths, truncated headers, valid messages in the wrong place.
pieces = st.one_of(
    st.binary(max_size=64),
    st.builds(lambda k, n: bytes([k]) + n.to_bytes(2, "big"), st.integers(0, 255),
              st.integers(0, 65535)),
    st.sampled_from([b"\x10", b"\x10\xff", b"\x01\x00\x10", b"\xff\xff\xff"]),
    st.builds(lambda n: encode(0x10, bytes(2 * n)), st.integers(0, 200)),
    st.just(encode(0x03, b"5")),
    st.just(encode(0x00)),
)


async def scenario(chunks: list[bytes], with_uuid: bool, close_early: bool) -> None:
    recorder = Recorder()
    async with AudioSocketServer(FUZZ_SETTINGS, recorder) as server:
        good = await FakeAsterisk.dial(server.port)
        talking = asyncio.create_task(good.talk(0.8))  # a call going on meanwhile
        bad = await FakeAsterisk.dial(server.port, send_uuid=with_uuid)
        for chunk in chunks:
            bad.send_raw(chunk)
        with contextlib.suppress(ConnectionError):  # the server may have dropped it already
            await bad.writer.drain()
        if close_early:
            await bad.close()
        assert await bad.closed_by_server(3.0)  # ends by error, timeout, hang-up or close
        frames = await talking
        good.send(0x03, b"9")
        good.send(0x00)
        await asyncio.wait_for(recorder.ended_event(good.call_id).wait(), 2)
        events = recorder.events[good.call_id]
        assert len(events) == frames + 2 and events[-1] == HangupReceived(True)
        # The server still takes new calls, and holds nothing of the bad one.
        late = await FakeAsterisk.dial(server.port)
        late.send(0x00)
        await asyncio.wait_for(recorder.ended_event(late.call_id).wait(), 2)
        assert await eventually(lambda: server.connections == 0)
        for peer in (good, bad, late):
            await peer.close()


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    chunks=st.lists(pieces, min_size=1, max_size=6),
    with_uuid=st.booleans(),
    close_early=st.booleans(),
)
def test_malformed_streams_never_stop_the_server(
    chunks: list[bytes], with_uuid: bool, close_early: bool
) -> None:
    asyncio.run(scenario(chunks, with_uuid, close_early))
