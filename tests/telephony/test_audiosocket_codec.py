"""The AudioSocket wire format: kinds, rates, bounds."""

from __future__ import annotations

import uuid

import pytest

from speech.frames import AudioFrame
from telephony.audiosocket.codec import (
    AUDIO_KINDS,
    AudioReceived,
    DigitReceived,
    ErrorReceived,
    HangupReceived,
    check_header,
    decode_event,
    decode_uuid,
    encode,
    encode_audio,
    encode_hangup,
)
from telephony.errors import TelephonyError


def test_rate_table_matches_asterisk_22() -> None:
    assert AUDIO_KINDS[0x10] == 8000
    assert AUDIO_KINDS[0x12] == 16000
    assert sorted(AUDIO_KINDS) == list(range(0x10, 0x19))
    assert sorted(AUDIO_KINDS.values()) == [
        8000,
        12000,
        16000,
        24000,
        32000,
        44100,
        48000,
        96000,
        192000,
    ]


def test_framing_is_kind_then_big_endian_length() -> None:
    assert encode(0x10, b"\x01\x02" * 300) == b"\x10\x02\x58" + b"\x01\x02" * 300
    assert encode_hangup() == b"\x00\x00\x00"


@pytest.mark.parametrize(("rate", "kind"), [(8000, 0x10), (16000, 0x12), (48000, 0x16)])
def test_outbound_audio_uses_the_kind_of_its_rate(rate: int, kind: int) -> None:
    pcm = bytes(rate // 50 * 2)
    assert encode_audio(AudioFrame(pcm, rate))[0] == kind


def test_outbound_audio_refuses_what_asterisk_cannot_take() -> None:
    with pytest.raises(TelephonyError) as err:
        encode_audio(AudioFrame(bytes(882), 22050))
    assert err.value.code == "audiosocket.format"
    with pytest.raises(TelephonyError):
        encode_audio(AudioFrame(bytes(640), 8000, channels=2))


def test_inbound_events_are_typed() -> None:
    audio = decode_event(0x12, bytes(640))
    assert isinstance(audio, AudioReceived)
    assert audio.frame.rate == 16000 and audio.frame.duration_ms == 20
    assert decode_event(0x03, b"#") == DigitReceived("#")
    assert decode_event(0x00, b"") == HangupReceived(explicit=True)
    error = decode_event(0xFF, b"\x02")
    assert error == ErrorReceived(2) and error.description == "frame forwarding error"
    assert ErrorReceived(None).description == "unspecified error"


def test_uuid_comes_first() -> None:
    call = uuid.uuid4()
    assert decode_uuid(0x01, call.bytes) == call
    with pytest.raises(TelephonyError, match="first message"):
        decode_uuid(0x10, bytes(320))


@pytest.mark.parametrize(
    ("kind", "length", "why"),
    [
        (0x42, 4, "unknown message kind"),
        (0x10, 4001, "more than"),
        (0x10, 321, "odd length"),
        (0x01, 15, "must carry 16"),
        (0x03, 2, "more than"),
        (0xFF, 65535, "more than"),
    ],
)
def test_bad_headers_are_refused_before_reading_the_payload(
    kind: int, length: int, why: str
) -> None:
    with pytest.raises(TelephonyError, match=why) as err:
        check_header(kind, length)
    assert err.value.code == "audiosocket.protocol"


def test_a_non_digit_is_a_protocol_error() -> None:
    with pytest.raises(TelephonyError, match="DTMF"):
        decode_event(0x03, b"x")
