"""AudioSocket: Asterisk's TCP audio protocol (codec, paced writer, per-call connection, server)."""

from telephony.audiosocket.codec import (
    AudioReceived,
    DigitReceived,
    ErrorReceived,
    Event,
    HangupReceived,
)
from telephony.audiosocket.connection import AudioSocketConnection
from telephony.audiosocket.pacing import PacedWriter, Playback
from telephony.audiosocket.server import AudioSocketServer, AudioSocketSettings

__all__ = [
    "AudioReceived",
    "AudioSocketConnection",
    "AudioSocketServer",
    "AudioSocketSettings",
    "DigitReceived",
    "ErrorReceived",
    "Event",
    "HangupReceived",
    "PacedWriter",
    "Playback",
]
