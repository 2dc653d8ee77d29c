"""Prompt audio: a recorded WAV replaces the synthetic voice for any prompt that has one.

Admins put recordings in one folder as `<prompt_id>.wav` (any rate, mono or stereo, integer
PCM); they are mixed to mono and resampled on load. Prompt ids are letters, digits, `_`, `-`
and `.`, starting with a letter or digit. A recording that cannot be used is reported and the
prompt is synthesised instead: the caller always hears something.
"""

from __future__ import annotations

import asyncio
import logging
import re
from pathlib import Path

from speech.convert import resample
from speech.errors import AudioFormatError, RecordingInvalid, SpeechError
from speech.frames import AudioFrame
from speech.tts import Synthesizer
from speech.wav import read_wav

log = logging.getLogger(__name__)

_PROMPT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class RecordedPrompts:
    """The folder of recorded prompts (None: no recordings)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder

    def ids(self) -> list[str]:
        """Prompt ids that have a recording, sorted."""
        if self.folder is None or not self.folder.is_dir():
            return []
        found = self.folder.glob("*.wav")
        return sorted(p.stem for p in found if p.is_file() and _PROMPT_ID.match(p.stem))

    def load(self, prompt_id: str, rate_hz: int) -> AudioFrame | None:
        """The recording for `prompt_id` at `rate_hz`, None when there is none.

        Raises `RecordingInvalid` for a bad id or a file that cannot be used.
        """
        if not _PROMPT_ID.match(prompt_id):
            raise RecordingInvalid(f"invalid prompt id {prompt_id!r}", code="bad_prompt_id")
        if self.folder is None:
            return None
        path = self.folder / f"{prompt_id}.wav"
        try:
            frame = read_wav(path)
        except FileNotFoundError:
            return None
        except (AudioFormatError, OSError) as err:
            raise RecordingInvalid(f"recorded prompt {path} cannot be used: {err}") from err
        if frame.samples == 0:
            raise RecordingInvalid(f"recorded prompt {path} holds no audio")
        return resample(frame, rate_hz)


class PromptAudio:
    """Audio for a prompt: its recording when there is a usable one, else synthesised speech."""

    def __init__(self, synthesizer: Synthesizer, recorded: RecordedPrompts) -> None:
        self.synthesizer = synthesizer
        self.recorded = recorded

    async def render(self, text: str, rate_hz: int, prompt_id: str | None = None) -> AudioFrame:
        """The prompt's audio at `rate_hz`; raises `SynthesisFailed` if nothing can say it."""
        if prompt_id is not None:
            try:
                frame = await asyncio.to_thread(self.recorded.load, prompt_id, rate_hz)
            except SpeechError as err:
                log.warning("prompt %s: %s; using the synthetic voice", prompt_id, err)
            else:
                if frame is not None:
                    return frame
        return await self.synthesizer.synthesize(text, rate_hz)
