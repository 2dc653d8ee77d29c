"""Recorded prompts: a WAV recording that replaces the synthetic voice for one prompt id.

Accepted audio: RIFF/WAVE, 16-bit PCM, mono, 8000 to 48000 Hz, at most 60 s. The service
converts it to the call's rate when it plays it.
"""

from __future__ import annotations

import io
import re
import wave

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr.storage.errors import InvalidValue, NotFound
from ivr.storage.models import RecordedPrompt
from ivr.storage.records import PromptInfo, PromptRecord
from ivr.storage.types import utc_now

PROMPT_ID = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
MAX_SECONDS = 60
MAX_BYTES = 48_000 * 2 * MAX_SECONDS + 4096
"""Largest acceptable upload: 60 s of 48 kHz 16-bit mono plus headers."""


def check_wav(data: bytes) -> None:
    """InvalidValue unless the bytes are a 16-bit mono PCM WAV file of at most 60 s."""
    try:
        with wave.open(io.BytesIO(data), "rb") as wav:
            channels, width, rate = wav.getnchannels(), wav.getsampwidth(), wav.getframerate()
            seconds = wav.getnframes() / rate if rate else 0.0
    except (wave.Error, EOFError) as err:
        raise InvalidValue(f"not a PCM WAV file: {err}") from err
    if channels != 1 or width != 2:
        raise InvalidValue("the recording must be mono, 16-bit PCM")
    if not 8000 <= rate <= 48000:
        raise InvalidValue("the sample rate must be between 8000 and 48000 Hz")
    if seconds > MAX_SECONDS:
        raise InvalidValue(f"a prompt lasts at most {MAX_SECONDS} s")


def _record(row: RecordedPrompt) -> PromptRecord:
    return PromptRecord(
        prompt_id=row.prompt_id, wav=row.wav, uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def save_prompt(session: Session, prompt_id: str, wav: bytes, *, uploaded_by: str) -> PromptRecord:
    """Store (or replace) the recording for a prompt id."""
    if not PROMPT_ID.fullmatch(prompt_id):
        raise InvalidValue("prompt id: lowercase letters, digits, '.', '-' and '_' (1-64)")
    check_wav(wav)
    row = session.get(RecordedPrompt, prompt_id)
    if row is None:
        row = RecordedPrompt(prompt_id=prompt_id, wav=wav, uploaded_by=uploaded_by,
                             uploaded_at=utc_now())
        session.add(row)
    else:
        row.wav, row.uploaded_by, row.uploaded_at = wav, uploaded_by, utc_now()
    session.flush()
    return _record(row)


def get_prompt(session: Session, prompt_id: str) -> PromptRecord:
    row = session.get(RecordedPrompt, prompt_id)
    if row is None:
        raise NotFound(f"no recording for prompt {prompt_id}")
    return _record(row)


def list_prompts(session: Session) -> list[PromptInfo]:
    """Every recorded prompt, by id, without the audio."""
    query = select(RecordedPrompt.prompt_id, RecordedPrompt.uploaded_by,
                   RecordedPrompt.uploaded_at, func.length(RecordedPrompt.wav)
                   ).order_by(RecordedPrompt.prompt_id)
    return [PromptInfo(prompt_id=p, uploaded_by=by, uploaded_at=at, size_bytes=int(size))
            for p, by, at, size in session.execute(query)]


def prompt_ids(session: Session) -> list[str]:
    """Ids of every recorded prompt, sorted."""
    query = select(RecordedPrompt.prompt_id).order_by(RecordedPrompt.prompt_id)
    return list(session.scalars(query))


def delete_prompt(session: Session, prompt_id: str) -> None:
    row = session.get(RecordedPrompt, prompt_id)
    if row is None:
        raise NotFound(f"no recording for prompt {prompt_id}")
    session.delete(row)
    session.flush()
