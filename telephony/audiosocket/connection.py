"""One AudioSocket call: typed events in, paced audio out.

Incoming messages are read with a timeout (Asterisk sends audio every 20 ms while media comes
in, so a long silence on the socket means the peer is gone) and turned into events:
`AudioReceived` (with its rate), `DigitReceived`, `ErrorReceived`, and a final
`HangupReceived` (explicit 0x00, or the peer simply closed the connection, which Asterisk
does when the caller hangs up). Malformed input raises `TelephonyError`
(``audiosocket.protocol`` or ``audiosocket.timeout``); the server logs it and ends this call
only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Iterable

from speech.frames import AudioFrame
from telephony.audiosocket.call import CallAudio
from telephony.audiosocket.codec import (
    HEADER,
    AudioReceived,
    Event,
    HangupReceived,
    check_header,
    decode_event,
    encode_hangup,
)
from telephony.audiosocket.pacing import PacedWriter, Playback
from telephony.errors import TelephonyError

log = logging.getLogger(__name__)


async def read_message(reader: asyncio.StreamReader, wait_s: float) -> tuple[int, bytes] | None:
    """One (kind, payload), or None when the peer closed between messages.

    ``wait_s`` bounds the wait for the header, then for the payload, in seconds.
    """
    try:
        async with asyncio.timeout(wait_s):
            header = await reader.readexactly(HEADER.size)
    except asyncio.IncompleteReadError as err:
        if not err.partial:
            return None
        raise TelephonyError(
            "audiosocket.protocol", f"connection closed inside a header ({len(err.partial)} bytes)"
        ) from err
    except TimeoutError as err:
        raise TelephonyError("audiosocket.timeout", f"nothing received for {wait_s} s") from err
    kind, length = HEADER.unpack(header)
    check_header(kind, length)
    try:
        async with asyncio.timeout(wait_s):
            payload = await reader.readexactly(length)
    except asyncio.IncompleteReadError as err:
        raise TelephonyError(
            "audiosocket.protocol",
            f"connection closed inside a payload ({len(err.partial)} of {length} bytes)",
        ) from err
    except TimeoutError as err:
        raise TelephonyError(
            "audiosocket.timeout", f"payload of {length} bytes incomplete after {wait_s} s"
        ) from err
    return kind, payload


class AudioSocketConnection(CallAudio):
    """A call connected over AudioSocket, identified by the UUID Asterisk sent first."""

    def __init__(
        self,
        call_id: uuid.UUID,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        read_timeout: float,
    ) -> None:
        self.call_id = call_id
        """The call's UUID (the dialplan's ``STANDARDISTE_UUID``)."""
        self.peer = str(writer.get_extra_info("peername"))
        self._reader = reader
        self._writer = writer
        self._read_timeout = read_timeout
        self._ended = False
        self.rate: int | None = None
        """Sample rate (Hz) of the caller's audio, known from the first audio message; send
        prompts at this rate so that Asterisk needs no resampling."""
        self.audio = PacedWriter(self._send)
        """Outbound audio: ``play()`` prompts, ``flush()`` on barge-in."""

    async def _send(self, data: bytes) -> None:
        if self._writer.is_closing():
            raise TelephonyError("audiosocket.closed", "the connection is closed")
        self._writer.write(data)
        await self._writer.drain()

    async def events(self) -> AsyncIterator[Event]:
        """Events from Asterisk, ending with `HangupReceived`."""
        while not self._ended:
            message = await read_message(self._reader, self._read_timeout)
            if message is None:
                self._ended = True
                yield HangupReceived(explicit=False)
                return
            event = decode_event(*message)
            if isinstance(event, HangupReceived):
                self._ended = True
            elif isinstance(event, AudioReceived) and self.rate is None:
                self.rate = event.frame.rate
            yield event

    def play(self, audio: AudioFrame | Iterable[AudioFrame]) -> Playback:
        """Queue a prompt (see `PacedWriter.play`)."""
        return self.audio.play(audio)

    def flush(self) -> int:
        """Drop queued audio now (barge-in)."""
        return self.audio.flush()

    async def hangup(self) -> None:
        """Stop audio, ask Asterisk to hang up this leg, close the connection."""
        await self.audio.close()
        if not self._writer.is_closing():
            with contextlib.suppress(ConnectionError, OSError, TimeoutError):
                self._writer.write(encode_hangup())
                async with asyncio.timeout(1.0):
                    await self._writer.drain()
        await self.close()

    async def close(self) -> None:
        """Release everything: the writer task and the socket (idempotent)."""
        self._ended = True
        await self.audio.close()
        self._writer.close()
        with contextlib.suppress(ConnectionError, OSError, TimeoutError):
            async with asyncio.timeout(1.0):
                await self._writer.wait_closed()
