"""AudioSocket wire format: message kinds, sample rates, encoding and decoding.

A message is 1 byte of kind, 2 bytes of payload length (big-endian, unsigned) and the payload.
Kinds (Asterisk 22, ``res_audiosocket``):

- ``0x00`` hang-up (no payload), ``0x01`` the call's UUID (16 bytes, first message),
- ``0x03`` one DTMF digit (1 ASCII byte),
- ``0x10``-``0x18`` audio, signed 16-bit little-endian mono PCM at 8, 12, 16, 24, 32, 44.1, 48,
  96 and 192 kHz (``AUDIO_KINDS``); Asterisk sends 20 ms per message,
- ``0xff`` an error, payload an optional error code (``ERROR_CODES``).

Asterisk sends UUID, DTMF, audio and error messages and accepts audio and hang-up ones.
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from speech.frames import AudioFrame
from telephony.errors import TelephonyError

HEADER = struct.Struct(">BH")
"""Kind (1 byte) and payload length (2 bytes, big-endian)."""

KIND_HANGUP = 0x00
KIND_UUID = 0x01
KIND_DTMF = 0x03
KIND_ERROR = 0xFF

AUDIO_KINDS: Mapping[int, int] = MappingProxyType(
    {
        0x10: 8000,
        0x11: 12000,
        0x12: 16000,
        0x13: 24000,
        0x14: 32000,
        0x15: 44100,
        0x16: 48000,
        0x17: 96000,
        0x18: 192000,
    }
)
"""Audio message kind -> sample rate in Hz."""

KIND_FOR_RATE: Mapping[int, int] = MappingProxyType(
    {rate: kind for kind, rate in AUDIO_KINDS.items()}
)
"""Sample rate in Hz -> audio message kind."""

ERROR_CODES: Mapping[int, str] = MappingProxyType(
    {
        0x00: "none",
        0x01: "the calling party hung up",
        0x02: "frame forwarding error",
        0x04: "memory (allocation) error",
    }
)
"""Asterisk's own error codes (the first payload byte of an 0xff message)."""

DIGITS = frozenset("0123456789*#ABCD")
"""The DTMF digits a 0x03 message may carry."""

MAX_AUDIO_SECONDS = 0.25
"""Longest audio payload accepted in one message, seconds (Asterisk sends 20 ms)."""

MAX_ERROR_PAYLOAD = 256
"""Longest error or hang-up payload accepted, bytes."""


@dataclass(frozen=True, slots=True)
class AudioReceived:
    """Audio from the caller, with its rate (signed 16-bit little-endian mono)."""

    frame: AudioFrame


@dataclass(frozen=True, slots=True)
class DigitReceived:
    """A keypad digit the caller pressed ('0'-'9', '*', '#', 'A'-'D')."""

    digit: str


@dataclass(frozen=True, slots=True)
class HangupReceived:
    """The call is over: Asterisk said so (``explicit``) or simply closed the connection."""

    explicit: bool


@dataclass(frozen=True, slots=True)
class ErrorReceived:
    """Asterisk reported an error; ``code`` is None when the payload was empty."""

    code: int | None

    @property
    def description(self) -> str:
        if self.code is None:
            return "unspecified error"
        return ERROR_CODES.get(self.code, f"application error 0x{self.code:02x}")


Event = AudioReceived | DigitReceived | HangupReceived | ErrorReceived


def max_payload(kind: int) -> int:
    """Largest payload, in bytes, accepted for a message of this kind."""
    if kind in AUDIO_KINDS:
        return int(AUDIO_KINDS[kind] * MAX_AUDIO_SECONDS) * 2
    if kind == KIND_UUID:
        return 16
    if kind == KIND_DTMF:
        return 1
    if kind in (KIND_HANGUP, KIND_ERROR):
        return MAX_ERROR_PAYLOAD
    raise TelephonyError("audiosocket.protocol", f"unknown message kind 0x{kind:02x}")


def check_header(kind: int, length: int) -> None:
    """Refuse a header before reading its payload: unknown kind or length out of bounds."""
    limit = max_payload(kind)
    if length > limit:
        raise TelephonyError(
            "audiosocket.protocol",
            f"message kind 0x{kind:02x} announces {length} bytes, more than {limit}",
        )
    if kind in AUDIO_KINDS and length % 2:
        raise TelephonyError("audiosocket.protocol", f"audio payload of odd length {length}")
    if kind in (KIND_UUID, KIND_DTMF) and length != limit:
        raise TelephonyError(
            "audiosocket.protocol", f"message kind 0x{kind:02x} must carry {limit} bytes"
        )


def decode_uuid(kind: int, payload: bytes) -> uuid.UUID:
    """The first message's UUID; anything else first is a protocol error."""
    if kind != KIND_UUID or len(payload) != 16:
        raise TelephonyError(
            "audiosocket.protocol",
            f"first message must be a 16-byte UUID, got kind 0x{kind:02x} of {len(payload)} bytes",
        )
    return uuid.UUID(bytes=payload)


def decode_event(kind: int, payload: bytes) -> Event:
    """Turn one message after the UUID into a typed event (header already checked)."""
    if kind in AUDIO_KINDS:
        return AudioReceived(AudioFrame(pcm=payload, rate=AUDIO_KINDS[kind]))
    if kind == KIND_DTMF:
        digit = chr(payload[0])
        if digit not in DIGITS:
            raise TelephonyError("audiosocket.protocol", f"not a DTMF digit: {payload!r}")
        return DigitReceived(digit)
    if kind == KIND_HANGUP:
        return HangupReceived(explicit=True)
    if kind == KIND_ERROR:
        return ErrorReceived(payload[0] if payload else None)
    raise TelephonyError("audiosocket.protocol", f"unexpected message kind 0x{kind:02x}")


def encode(kind: int, payload: bytes = b"") -> bytes:
    """One message on the wire."""
    if len(payload) > 0xFFFF:
        raise TelephonyError("audiosocket.format", f"payload of {len(payload)} bytes is too long")
    return HEADER.pack(kind, len(payload)) + payload


def encode_audio(frame: AudioFrame) -> bytes:
    """An audio message of the kind matching the frame's rate (mono only)."""
    if frame.channels != 1:
        raise TelephonyError("audiosocket.format", f"mono only, got {frame.channels} channels")
    kind = KIND_FOR_RATE.get(frame.rate)
    if kind is None:
        raise TelephonyError("audiosocket.format", f"no AudioSocket kind for {frame.rate} Hz")
    return encode(kind, frame.pcm)


def encode_hangup() -> bytes:
    """Ask Asterisk to hang up the AudioSocket channel."""
    return encode(KIND_HANGUP)


def encode_uuid(call_id: uuid.UUID) -> bytes:
    """The first message (what Asterisk sends; used by test peers)."""
    return encode(KIND_UUID, call_id.bytes)
