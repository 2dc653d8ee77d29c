"""Disk cache of synthesised prompts, so a repeated prompt costs no synthesis.

One 16-bit mono WAV per entry, named by the SHA-256 of (text, voice, words per minute, sample
rate in Hz). Writes are atomic; an unreadable entry counts as a miss and is removed. A hit
refreshes the entry's modification time, so `prune` removes the least recently used first.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

from speech.errors import AudioFormatError
from speech.frames import AudioFrame
from speech.wav import read_wav, write_wav

log = logging.getLogger(__name__)


class PromptCache:
    """Synthesised audio on disk under `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def key(text: str, voice: str, rate_wpm: int, rate_hz: int) -> str:
        """The entry name for this synthesis (whitespace in the text is normalised)."""
        payload = json.dumps([" ".join(text.split()), voice, rate_wpm, rate_hz])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.wav"

    def get(self, key: str) -> AudioFrame | None:
        """The cached audio, or None."""
        path = self._path(key)
        try:
            frame = read_wav(path)
            path.touch()
            return frame
        except FileNotFoundError:
            return None
        except (AudioFormatError, OSError) as err:
            log.warning("dropping unreadable cached prompt %s: %s", path, err)
            path.unlink(missing_ok=True)
            return None

    def put(self, key: str, frame: AudioFrame) -> bool:
        """Store audio for `key` (replacing any previous entry); whether it was stored. A
        folder that cannot be written (disk full, read-only) is logged, never raised: the
        audio is still good to play, it is only not kept (issue 16: a full disk silenced
        every prompt)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            write_wav(self._path(key), frame)
        except OSError as err:
            log.warning("prompt not cached in %s: %s", self.folder, err)
            return False
        return True

    def prune(self, max_bytes: int) -> int:
        """Remove least recently used entries until the cache holds at most `max_bytes`;
        return how many were removed."""
        if not self.folder.is_dir():
            return 0
        entries = []
        for path in self.folder.glob("*.wav"):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        entries.sort()
        total = sum(size for _, size, _ in entries)
        removed = 0
        for _, size, path in entries:
            if total <= max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        return removed
