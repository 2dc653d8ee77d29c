"""Scoring recognition on recorded French speech: transcripts, text normalisation, word error
rate (WER) and real-time factor (RTF = decoding seconds / audio seconds).

The reference set is Debian's `asterisk-core-sounds-fr` (real human recordings, 8 kHz mono
WAV) with its transcript file: `key: text` per line, `;` comments, keys like `digits/1` that
are paths of `<key>.wav` under the sounds folder. Lines that are not speech (`[tones]`,
`(beep)`) are skipped; typos in the transcripts stay (they cost the score a little).
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from speech.convert import Rechunker, to_mono
from speech.recognizer import Recognizer, SpeechModel
from speech.wav import read_wav

_UNITS = (
    "zéro", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
    "dix", "onze", "douze", "treize", "quatorze", "quinze", "seize",
)  # fmt: skip
_TENS = {2: "vingt", 3: "trente", 4: "quarante", 5: "cinquante", 6: "soixante"}


def french_number(n: int) -> str:
    """A whole number from 0 to 999 in French words (larger ones digit by digit)."""
    if n < 0 or n > 999:
        return " ".join(_UNITS[int(d)] for d in str(abs(n)))
    if n <= 16:
        return _UNITS[n]
    if n < 20:
        return "dix-" + _UNITS[n - 10]
    if n < 100:
        tens, unit = divmod(n, 10)
        if tens in (7, 9):
            base = "soixante" if tens == 7 else "quatre-vingt"
            joint = "-et-" if n == 71 else "-"
            return base + joint + french_number(10 + unit)
        base = "quatre-vingt" if tens == 8 else _TENS[tens]
        if unit == 0:
            return base + ("s" if tens == 8 else "")
        return base + ("-et-un" if unit == 1 and tens != 8 else "-" + _UNITS[unit])
    hundreds, rest = divmod(n, 100)
    head = "cent" if hundreds == 1 else _UNITS[hundreds] + " cent"
    if rest == 0:
        return head + ("s" if hundreds > 1 else "")
    return head + " " + french_number(rest)


def normalize(text: str) -> list[str]:
    """Words for scoring: lowercase, numbers in words, no punctuation, elisions split off
    (`l'heure` -> `l'` `heure`), hyphens as spaces."""
    text = unicodedata.normalize("NFC", text).lower().replace("’", "'").replace("`", "'")
    text = re.sub(r"\d+", lambda m: f" {french_number(int(m.group()))} ", text)
    text = re.sub(r"(\w)'", r"\1' ", text)
    text = re.sub(r"[^\w' ]+", " ", text.replace("-", " "))
    return [w for w in text.split() if w != "'"]


def parse_transcripts(lines: Iterable[str]) -> dict[str, str]:
    """`key: text` lines to {key: text}, without comments and entries that are not speech."""
    found: dict[str, str] = {}
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith(";") or ":" not in line:
            continue
        key, text = (part.strip() for part in line.split(":", 1))
        text = text.strip('"“”«» ')
        if not key or re.fullmatch(r"[\[(].*[\])]", text) or not normalize(text):
            continue
        found[key] = text
    return found


def word_errors(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Substitutions + deletions + insertions turning `reference` into `hypothesis`."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, 1):
        current = [i]
        for j, hyp_word in enumerate(hypothesis, 1):
            cost = 0 if ref_word == hyp_word else 1
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost))
        previous = current
    return previous[-1]


@dataclass(frozen=True, slots=True)
class Scored:
    """One recording's result."""

    key: str
    reference: str
    hypothesis: str
    errors: int
    reference_words: int
    audio_s: float
    decode_s: float


@dataclass(frozen=True, slots=True)
class Report:
    """Totals over a set of recordings."""

    items: tuple[Scored, ...]

    @property
    def wer(self) -> float:
        words = sum(s.reference_words for s in self.items)
        return sum(s.errors for s in self.items) / words if words else 0.0

    @property
    def rtf(self) -> float:
        audio = sum(s.audio_s for s in self.items)
        return sum(s.decode_s for s in self.items) / audio if audio else 0.0


def score_file(model: SpeechModel, key: str, reference: str, wav: Path) -> Scored:
    """Decode one recording in 20 ms frames (as a call would) and score it."""
    audio = to_mono(read_wav(wav))
    recognizer = Recognizer(model, input_rate=audio.rate)
    started = time.perf_counter()
    rechunker = Rechunker(20)
    for frame in rechunker.push(audio):
        recognizer.accept_blocking(frame)
    tail = rechunker.flush()
    if tail is not None:
        recognizer.accept_blocking(tail)
    hypothesis = recognizer.finish_blocking().text
    decode_s = time.perf_counter() - started
    ref_words = normalize(reference)
    errors = word_errors(ref_words, normalize(hypothesis))
    return Scored(key, reference, hypothesis, errors, len(ref_words), audio.duration, decode_s)
