"""Recorded fallback prompts: what the caller hears when speech synthesis fails.

A few short sentences exist as WAV files. At start-up `FallbackPrompts.prepare()` synthesises
them with the configured voice into `<data dir>/fallback-prompts/<id>.wav` (once); the package
ships the same sentences as 8 kHz mono 16-bit WAVs made with espeak-ng (ivr/session/fallback/),
used when the data folder has none. `load(id, rate)` returns the audio at the line's rate.
"""

from __future__ import annotations

import logging
from pathlib import Path

from speech.convert import resample
from speech.errors import AudioFormatError, SpeechError
from speech.frames import AudioFrame
from speech.tts import Synthesizer
from speech.wav import read_wav, write_wav

log = logging.getLogger(__name__)

PACKAGED = Path(__file__).resolve().parent / "fallback"
TEXTS: dict[str, str] = {
    "erreur": "Désolé, une erreur est survenue.",
    "transfert": "Un instant, je vous passe un conseiller.",
    "rappeler": "Merci de rappeler plus tard. Au revoir.",
    "indisponible": "Aucun conseiller ne peut vous répondre pour le moment.",
    "fermeture": "Le service s'interrompt. Merci de rappeler dans quelques minutes. Au revoir.",
}
"""Prompt id -> its sentence."""
PREPARE_RATE = 16000


class FallbackPrompts:
    """The fallback sentences, from the data folder or, failing that, from the package."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def prepare(self, synthesizer: Synthesizer) -> list[str]:
        """Synthesise the missing sentences into the data folder (blocking; run it off the
        event loop). Returns the ids that could not be made (the packaged ones stay in use)."""
        failed: list[str] = []
        for prompt_id, text in TEXTS.items():
            path = self.folder / f"{prompt_id}.wav"
            if path.exists():
                continue
            try:
                frame = synthesizer.synthesize_blocking(text, PREPARE_RATE)
                self.folder.mkdir(parents=True, exist_ok=True)
                write_wav(path, frame)
            except (SpeechError, OSError) as err:
                log.warning("fallback prompt %s not synthesised (%s); the packaged recording "
                            "stays in use", prompt_id, err)
                failed.append(prompt_id)
        return failed

    def load(self, prompt_id: str, rate_hz: int) -> AudioFrame:
        """The sentence's audio at `rate_hz`; KeyError for an unknown id."""
        if prompt_id not in TEXTS:
            raise KeyError(prompt_id)
        for folder in (self.folder, PACKAGED):
            try:
                return resample(read_wav(folder / f"{prompt_id}.wav"), rate_hz)
            except FileNotFoundError:
                continue
            except AudioFormatError as err:
                log.warning("fallback prompt %s in %s is unusable: %s", prompt_id, folder, err)
        raise FileNotFoundError(f"no recording of fallback prompt {prompt_id}")
