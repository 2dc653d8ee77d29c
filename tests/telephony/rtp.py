"""The media end of a test SIP phone: G.711 u-law RTP and RFC 4733 telephone events over a
real UDP socket on loopback.

SIPp plays the phone's signalling (REGISTER, INVITE, 180, 200, BYE) and puts this peer's address
in its SDP (`-key rtp_ip`, `-key rtp_port`); this peer sends 20 ms packets at the line's pace
(silence unless told to play something) and keeps every packet it receives, so a test can hear
what the phone heard. It learns where to send from the first packet Asterisk sends it (Asterisk
sends from the port of its own SDP).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import struct
import time
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from tests.telephony.audio_checks import dominant_frequency

RATE = 8000
FRAME = 160
"""Samples in 20 ms at 8 kHz, one packet."""
PCMU = 0
EVENT = 101
"""The telephone-event payload type of the test scenarios' SDP."""
DIGITS = "0123456789*#ABCD"
KEY_PACKETS = 5
"""Packets of one key, 20 ms apart: a 100 ms press (the last one, the end, sent 3 times)."""
KEY_GAP = 4
"""20 ms packets of audio between two keys."""

_BIAS, _CLIP = 0x84, 32635


def ulaw_encode(pcm: npt.NDArray[np.int16]) -> bytes:
    """G.711 u-law of 16-bit samples."""
    x = pcm.astype(np.int32)
    sign = np.where(x < 0, 0x80, 0)
    magnitude = np.minimum(np.abs(x), _CLIP) + _BIAS
    exponent = np.floor(np.log2(magnitude)).astype(np.int32) - 7
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return bytes((~(sign | (exponent << 4) | mantissa) & 0xFF).astype(np.uint8).tobytes())


def ulaw_decode(data: bytes) -> npt.NDArray[np.int16]:
    """16-bit samples of G.711 u-law bytes."""
    u = ~np.frombuffer(data, dtype=np.uint8).astype(np.int32) & 0xFF
    exponent, mantissa = (u >> 4) & 0x07, u & 0x0F
    magnitude = (((mantissa << 3) + _BIAS) << exponent) - _BIAS
    return np.where(u & 0x80, -magnitude, magnitude).astype(np.int16)


def pitch(audio: npt.NDArray[np.int16]) -> float:
    """Frequency (Hz) of the strongest spectral peak of 8 kHz audio."""
    return dominant_frequency(audio.astype(np.float64), RATE)


def tone(freq: float, seconds: float, level: float = 8000) -> npt.NDArray[np.int16]:
    t = np.arange(int(seconds * RATE)) / RATE
    return (level * np.sin(2 * np.pi * freq * t)).astype(np.int16)


@dataclass
class Received:
    at: float
    """Loop time of arrival, s."""
    wall: float
    """Wall-clock time of arrival (`time.time()`), s: to compare with SIPp's traces."""
    payload_type: int
    payload: bytes


@dataclass
class RtpPeer(asyncio.DatagramProtocol):
    """One phone's RTP: `open` it, `close` it; `play` audio, `press` keys, read `heard`."""

    host: str
    port: int = 0
    received: list[Received] = field(default_factory=list)
    remote: tuple[str, int] | None = None
    _transport: asyncio.DatagramTransport | None = None
    _queue: list[npt.NDArray[np.int16]] = field(default_factory=list)
    _digits: list[str] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None
    _heard_remote: asyncio.Event = field(default_factory=asyncio.Event)

    @classmethod
    async def open(cls, host: str) -> RtpPeer:
        peer = cls(host)
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: peer, local_addr=(host, 0))
        assert peer._transport is not None
        peer.port = int(peer._transport.get_extra_info("sockname")[1])
        peer._task = asyncio.create_task(peer._send_loop(), name=f"rtp-{host}:{peer.port}")
        return peer

    # -- asyncio protocol -------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = transport  # type: ignore[assignment]  # a datagram endpoint's

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if len(data) < 12 or data[0] >> 6 != 2:
            return
        if self.remote is None:
            self.remote = addr
        self._heard_remote.set()
        now = asyncio.get_running_loop().time()
        self.received.append(Received(now, time.time(), data[1] & 0x7F, data[12:]))

    # -- what the phone does ----------------------------------------------------------------
    def play(self, audio: npt.NDArray[np.int16]) -> None:
        """Send this audio (8 kHz) after what is already queued; silence once it is sent."""
        self._queue.append(audio)

    def press(self, digits: str) -> None:
        """Send each key as an RFC 4733 event of 100 ms; audio pauses meanwhile."""
        assert all(d in DIGITS for d in digits), digits
        self._digits.extend(digits)

    def send_to(self, address: tuple[str, int]) -> None:
        """Start sending there (from the SDP Asterisk sent), before anything is received."""
        self.remote = address

    async def wait_remote(self, wait_s: float = 10) -> None:
        """Until the first packet from the other side arrived."""
        await asyncio.wait_for(self._heard_remote.wait(), wait_s)

    def heard(self, since: float = 0.0, until: float = float("inf")) -> npt.NDArray[np.int16]:
        """The u-law audio received (arrival order) between loop times `since` and `until`,
        decoded."""
        return ulaw_decode(b"".join(
            r.payload for r in self.received
            if r.payload_type == PCMU and since <= r.at < until))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._transport is not None:
            self._transport.close()

    # -- sending ----------------------------------------------------------------------------
    async def _send_loop(self) -> None:
        """One tick per 20 ms: an audio packet, or the next packet of a key being pressed.
        The RTP timestamp advances 160 per tick; a key's packets keep its first timestamp."""
        loop = asyncio.get_running_loop()
        ssrc, seq, timestamp = random.getrandbits(32), random.getrandbits(16), 0
        pending = np.zeros(0, dtype=np.int16)
        start, tick = loop.time(), 0
        key: tuple[int, int, int] | None = None  # (event code, its timestamp, packets sent)
        marker, gap = True, 0
        while True:
            tick += 1
            timestamp += FRAME
            await asyncio.sleep(max(0.0, start + 0.02 * tick - loop.time()))
            if self.remote is None or self._transport is None:
                continue
            gap = max(0, gap - 1)
            if key is None and self._digits and gap == 0:
                key = (DIGITS.index(self._digits.pop(0)), timestamp, 0)
            if key is not None:
                code, key_ts, sent = key
                sent += 1
                ending = sent == KEY_PACKETS
                payload = struct.pack("!BBH", code, (0x80 if ending else 0) | 10, FRAME * sent)
                for _ in range(3 if ending else 1):  # the end packet is sent three times
                    self._send(EVENT, sent == 1, seq, key_ts, ssrc, payload)
                    seq += 1
                key = None if ending else (code, key_ts, sent)
                marker, gap = True, (KEY_GAP if ending else 0)
                continue
            if len(pending) < FRAME and self._queue:
                pending = np.concatenate([pending, self._queue.pop(0)])
            chunk, pending = pending[:FRAME], pending[FRAME:]
            if len(chunk) < FRAME:
                chunk = np.concatenate([chunk, np.zeros(FRAME - len(chunk), np.int16)])
            self._send(PCMU, marker, seq, timestamp, ssrc, ulaw_encode(chunk))
            seq += 1
            marker = False

    def _send(self, payload_type: int, marker: bool, seq: int, timestamp: int, ssrc: int,
              payload: bytes) -> None:
        assert self._transport is not None and self.remote is not None
        header = struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | payload_type,
                             seq & 0xFFFF, timestamp & 0xFFFFFFFF, ssrc)
        self._transport.sendto(header + payload, self.remote)
