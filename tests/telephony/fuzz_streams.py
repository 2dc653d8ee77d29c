"""Malformed AudioSocket streams, generated from a seed, sent to a server on loopback.

Run as its own process (``python -m tests.telephony.fuzz_streams PORT SEED COUNT``) so that
the hostile peers do not share the service's event loop, as Asterisk would not: it prints one
JSON object, the streams sent per category and what became of them.

Each stream is one TCP connection. A *strict* stream carries an error the server can see in
the bytes it has (an unknown kind, a length out of bounds, a second UUID...): the server must
close it by itself within `STRICT_WAIT_S`, or it counts as a hang. The others end with the
peer closing (or resetting) the connection, as a broken Asterisk would.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import socket
import struct
import sys
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from telephony.audiosocket.codec import (
    AUDIO_KINDS,
    KIND_DTMF,
    KIND_ERROR,
    KIND_HANGUP,
    KIND_UUID,
    encode,
    encode_uuid,
    max_payload,
)

STRICT_WAIT_S = 5.0
"""Seconds the server has to close a stream whose error is in the bytes it received."""
CONCURRENCY = 8
"""Streams in flight at once (below the service's 20 call places, so that most streams that
send a UUID become a call and reach the parser past the handshake)."""
SLOW_WRITERS = 12
"""Streams written one byte at a time (each lasts about a second)."""
FLOODS = 6
"""Connection floods (each holds more connections than ``max_calls`` and ``max_pending``)."""
KNOWN_KINDS = frozenset({KIND_HANGUP, KIND_UUID, KIND_DTMF, KIND_ERROR, *AUDIO_KINDS})
UNKNOWN_KINDS = tuple(k for k in range(256) if k not in KNOWN_KINDS)


@dataclass
class Stream:
    """One connection's bytes: ``chunks`` written in turn (``pause_s`` between them)."""

    category: str
    chunks: list[bytes]
    strict: bool = False
    rst: bool = False
    pause_s: float = 0.0


@dataclass
class Tally:
    sent: Counter[str] = field(default_factory=Counter)
    strict: Counter[str] = field(default_factory=Counter)
    """Strict streams sent (the server must close them by itself)."""
    closed_by_server: Counter[str] = field(default_factory=Counter)
    hangs: Counter[str] = field(default_factory=Counter)
    """Strict streams the server did not close within `STRICT_WAIT_S`."""
    refused_connect: int = 0
    flood_connections: int = 0
    flood_closed_by_server: int = 0


def _header(kind: int, length: int) -> bytes:
    return struct.pack(">BH", kind, length)


def _audio(rng: random.Random, frames: int = 1) -> bytes:
    return b"".join(encode(0x10, rng.randbytes(320)) for _ in range(frames))


def _uuid() -> bytes:
    return encode_uuid(uuid.uuid4())


def wrong_length(rng: random.Random) -> Stream:
    """A length larger than the payload sent, then close (before or after the UUID)."""
    kind = rng.choice([0x10, 0x12, KIND_DTMF, KIND_ERROR, KIND_UUID])
    length = rng.randint(1, max_payload(kind))
    if kind in AUDIO_KINDS:
        length += length % 2
    if kind in (KIND_UUID, KIND_DTMF):
        length = max_payload(kind)
    message = _header(kind, length) + rng.randbytes(rng.randint(0, length - 1))
    prefix = b"" if kind == KIND_UUID else _uuid() + _audio(rng, rng.randint(0, 3))
    return Stream("wrong_length", [prefix + message])


def zero_length(rng: random.Random) -> Stream:
    """Length 0 for a kind that needs a payload (the UUID, a digit); audio of 0 bytes."""
    kind = rng.choice([KIND_UUID, KIND_DTMF, KIND_DTMF, 0x10, 0x12])
    if kind == KIND_UUID:
        return Stream("zero_length", [_header(KIND_UUID, 0)], strict=True)
    if kind == KIND_DTMF:
        return Stream("zero_length", [_uuid() + _header(KIND_DTMF, 0)], strict=True)
    # Empty audio is well formed; the call goes on, so the peer hangs up after it.
    return Stream("zero_length", [_uuid() + _header(kind, 0) + _audio(rng) + encode(0x00)])


def unknown_kind(rng: random.Random) -> Stream:
    kind = rng.choice(UNKNOWN_KINDS)
    length = rng.randint(0, 64)
    message = _header(kind, length) + rng.randbytes(length)
    prefix = _uuid() + _audio(rng, rng.randint(0, 2)) if rng.random() < 0.7 else b""
    return Stream("unknown_kind", [prefix + message], strict=True)


def truncated_header(rng: random.Random) -> Stream:
    """1 or 2 bytes of a header, then close."""
    partial = rng.randbytes(rng.choice([1, 2]))
    prefix = _uuid() + _audio(rng, rng.randint(0, 2)) if rng.random() < 0.5 else b""
    return Stream("truncated_header", [prefix + partial])


def garbage_before_uuid(rng: random.Random) -> Stream:
    garbage = rng.randbytes(rng.randint(1, 48))
    return Stream("garbage_before_uuid", [garbage + _uuid() + _audio(rng)])


def audio_before_uuid(rng: random.Random) -> Stream:
    kind = rng.choice(sorted(AUDIO_KINDS))
    return Stream("audio_before_uuid", [encode(kind, bytes(320)) + _uuid()], strict=True)


def second_uuid(rng: random.Random) -> Stream:
    first = _uuid()
    again = first if rng.random() < 0.3 else _uuid()
    return Stream("second_uuid", [first + _audio(rng, rng.randint(0, 3)) + again], strict=True)


def oversized(rng: random.Random) -> Stream:
    """Length 65535, or just past the codec's limit for the kind; part of it sent."""
    kind = rng.choice([0x10, 0x12, 0x18, KIND_UUID, KIND_DTMF, KIND_ERROR, KIND_HANGUP])
    beyond = max_payload(kind) + rng.choice([1, 2])
    length = 65535 if rng.random() < 0.5 or beyond > 65535 else beyond  # 65535: odd for audio
    body = rng.randbytes(min(length, rng.choice([0, 100, 4096, 65535])))
    prefix = b"" if kind == KIND_UUID else _uuid()
    return Stream("oversized", [prefix + _header(kind, length) + body], strict=True)


def non_uuid(rng: random.Random) -> Stream:
    """16 bytes that are not a UUID message: unframed, the nil UUID twice, 15 or 17 bytes."""
    choice = rng.randrange(3)
    if choice == 0:
        return Stream("non_uuid", [rng.randbytes(16)])  # read as a header: any kind, any length
    if choice == 1:
        return Stream("non_uuid", [encode(KIND_UUID, bytes(16)) + _audio(rng)])
    size = rng.choice([15, 17])
    return Stream("non_uuid", [encode(KIND_UUID, rng.randbytes(size))], strict=True)


def immediate_close(rng: random.Random) -> Stream:
    return Stream("immediate_close", [])


def reset(rng: random.Random) -> Stream:
    """SO_LINGER 0: the peer's close is a TCP RST, after nothing, a UUID, or half a message."""
    chunks = rng.choice([b"", _uuid(), _uuid() + _audio(rng, 2)[: rng.randint(1, 600)]])
    return Stream("rst", [chunks] if chunks else [], rst=True)


def random_pieces(rng: random.Random) -> Stream:
    """A UUID, then a mix of valid and malformed messages and raw bytes."""
    pieces: list[Callable[[], bytes]] = [
        lambda: rng.randbytes(rng.randint(1, 32)),
        lambda: _header(rng.randrange(256), rng.randrange(65536)),
        lambda: _audio(rng, rng.randint(1, 3)),
        lambda: encode(KIND_DTMF, bytes([rng.randrange(256)])),
        lambda: encode(KIND_ERROR, rng.randbytes(rng.randint(0, 4))),
    ]
    body = b"".join(rng.choice(pieces)() for _ in range(rng.randint(1, 6)))
    return Stream("random_mix", [_uuid() + body])


def slow_writer(rng: random.Random) -> Stream:
    """One byte at a time with pauses: a UUID and a couple of frames, or a header."""
    data = _uuid() + _audio(rng, 1)[:40] if rng.random() < 0.5 else rng.randbytes(12)
    return Stream("slow_writer", [bytes([b]) for b in data], pause_s=0.03)


GENERATORS: tuple[Callable[[random.Random], Stream], ...] = (
    wrong_length, zero_length, unknown_kind, truncated_header, garbage_before_uuid,
    audio_before_uuid, second_uuid, oversized, non_uuid, immediate_close, reset, random_pieces,
)


def generate(seed: int, count: int) -> list[Stream]:
    """``count`` streams (a few slow writers among them), the same for the same seed."""
    rng = random.Random(seed)
    streams = [slow_writer(rng) for _ in range(SLOW_WRITERS)]
    streams += [rng.choice(GENERATORS)(rng) for _ in range(count - len(streams))]
    rng.shuffle(streams)
    return streams


async def _drain_until_closed(reader: asyncio.StreamReader, wait_s: float) -> bool:
    """True once the server closed its end (the assistant's audio is read and dropped)."""
    try:
        async with asyncio.timeout(wait_s):
            while await reader.read(65536):
                pass
    except TimeoutError:
        return False
    except (ConnectionError, OSError):
        return True
    return True


def _abort(writer: asyncio.StreamWriter) -> None:
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def send(port: int, stream: Stream, tally: Tally) -> None:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        tally.refused_connect += 1
        return
    tally.sent[stream.category] += 1
    if stream.strict:
        tally.strict[stream.category] += 1
    try:
        for chunk in stream.chunks:
            writer.write(chunk)
            await writer.drain()
            if stream.pause_s:
                await asyncio.sleep(stream.pause_s)
        if stream.rst:
            _abort(writer)
            return
        if stream.strict:
            if await _drain_until_closed(reader, STRICT_WAIT_S):
                tally.closed_by_server[stream.category] += 1
            else:
                tally.hangs[stream.category] += 1
    except (ConnectionError, OSError):
        tally.closed_by_server[stream.category] += 1  # dropped while we were still writing
    finally:
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()


async def flood(port: int, size: int, with_uuid: bool, tally: Tally) -> None:
    """``size`` connections at once, held a moment, then closed."""
    peers: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    for _ in range(size):
        try:
            peers.append(await asyncio.open_connection("127.0.0.1", port))
        except OSError:
            tally.refused_connect += 1
            continue
        if with_uuid:
            peers[-1][1].write(_uuid())
    tally.flood_connections += len(peers)
    await asyncio.sleep(0.5)
    for reader, writer in peers:
        if reader.at_eof() or await _drain_until_closed(reader, 0.01):
            tally.flood_closed_by_server += 1
        writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await writer.wait_closed()


async def run(port: int, seed: int, count: int, max_calls: int, max_pending: int) -> Tally:
    tally = Tally()
    streams = generate(seed, count)
    queue: asyncio.Queue[Stream] = asyncio.Queue()
    for stream in streams:
        queue.put_nowait(stream)

    async def worker() -> None:
        while not queue.empty():
            await send(port, queue.get_nowait(), tally)

    async def floods() -> None:
        for i in range(FLOODS):
            await asyncio.sleep(2.0)
            with_uuid = i % 2 == 0
            await flood(port, (max_calls if with_uuid else max_pending) + 10, with_uuid, tally)

    await asyncio.gather(floods(), *(worker() for _ in range(CONCURRENCY)))
    return tally


def main(argv: list[str]) -> None:
    port, seed, count, max_calls, max_pending = (int(a) for a in argv)
    tally = asyncio.run(run(port, seed, count, max_calls, max_pending))
    print(json.dumps({
        "sent": dict(tally.sent), "strict": dict(tally.strict),
        "closed_by_server": dict(tally.closed_by_server),
        "hangs": dict(tally.hangs), "refused_connect": tally.refused_connect,
        "flood_connections": tally.flood_connections,
        "flood_closed_by_server": tally.flood_closed_by_server,
    }))


if __name__ == "__main__":
    main(sys.argv[1:])
