"""Errors of the speech package: one base with a machine-readable `code`.

Foreign exceptions (vosk, soxr, espeak-ng, urllib, zipfile) are wrapped with
`raise SpeechError(...) from err`; cancellation and timeouts of the caller pass through untouched.
"""

from __future__ import annotations


class SpeechError(Exception):
    """Base of every error raised by the speech package."""

    code: str = "speech_error"
    """Stable machine-readable identifier (snake_case), for logs and the back office."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class AudioFormatError(SpeechError):
    """Audio that does not have the format a stage needs (rate, frame length, WAV encoding)."""

    code = "audio_format"


class ModelUnavailable(SpeechError):
    """No usable Vosk model: none configured or installed, or it does not load."""

    code = "model_unavailable"


class GrammarNotSupported(SpeechError):
    """A phrase-list grammar was asked of a model that cannot take one, or none of it is usable."""

    code = "grammar_not_supported"


class RecognitionFailed(SpeechError):
    """The decoder failed on audio it was given."""

    code = "recognition_failed"


class ModelDownloadFailed(SpeechError):
    """Fetching, checking or unpacking a model archive failed; nothing half-unpacked is kept."""

    code = "model_download_failed"


class SynthesisFailed(SpeechError):
    """Every synthesis engine failed, hung or produced no audio for a prompt."""

    code = "synthesis_failed"


class RecordingInvalid(SpeechError):
    """A recorded prompt file exists but cannot be used (unreadable, empty, odd encoding)."""

    code = "recording_invalid"


class SettingsInvalid(SpeechError):
    """A speech setting (environment variable) has a value that cannot be used."""

    code = "settings_invalid"
