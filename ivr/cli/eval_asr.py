"""`ivr eval-asr`: word error rate and real-time factor of the Vosk model on real French
recordings (Debian's asterisk-core-sounds-fr), printed as JSON.

    ivr eval-asr [--model DIR] [--limit N] [--sounds DIR] [--transcripts FILE]
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path
from typing import Any

from speech.errors import SpeechError
from speech.evaluation import Report, parse_transcripts, score_file
from speech.models import model_path
from speech.recognizer import SpeechModel
from speech.settings import SpeechSettings

SOUNDS = Path("/usr/share/asterisk/sounds/fr")
TRANSCRIPTS = Path("/usr/share/doc/asterisk-core-sounds-fr/core-sounds-fr.txt.gz")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "eval-asr", help="score speech recognition (WER, real-time factor) on French recordings"
    )
    parser.add_argument("--model", type=Path, help="Vosk model folder (default: IVR_VOSK_MODEL)")
    parser.add_argument("--limit", type=int, default=0, help="score only the first N recordings")
    parser.add_argument("--sounds", type=Path, default=SOUNDS, help="folder of <key>.wav files")
    parser.add_argument(
        "--transcripts", type=Path, default=TRANSCRIPTS, help="`key: text` file (.gz or plain)"
    )
    parser.set_defaults(func=eval_asr)


def _read_lines(path: Path) -> list[str]:
    if path.suffix == ".gz":
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return handle.readlines()
    return path.read_text(encoding="utf-8").splitlines()


def eval_asr(args: argparse.Namespace) -> int:
    try:
        folder = args.model or model_path(SpeechSettings.from_env())
        model = SpeechModel.load(folder)
        transcripts = parse_transcripts(_read_lines(args.transcripts))
    except (SpeechError, OSError) as err:
        print(f"ivr eval-asr: {err}", file=sys.stderr)
        return 2
    pairs = [(k, t, args.sounds / f"{k}.wav") for k, t in sorted(transcripts.items())]
    pairs = [pair for pair in pairs if pair[2].is_file()]
    if args.limit > 0:
        pairs = pairs[: args.limit]
    if not pairs:
        print(f"ivr eval-asr: no transcribed recording found in {args.sounds}", file=sys.stderr)
        return 2
    scored = []
    for key, text, wav in pairs:
        try:
            scored.append(score_file(model, key, text, wav))
        except SpeechError as err:
            print(f"ivr eval-asr: skipping {wav}: {err}", file=sys.stderr)
    report = Report(tuple(scored))
    worst = sorted(report.items, key=lambda s: s.errors / max(1, s.reference_words))[-5:]
    result = {
        "model": str(folder),
        "files": len(report.items),
        "reference_words": sum(s.reference_words for s in report.items),
        "word_errors": sum(s.errors for s in report.items),
        "wer": round(report.wer, 4),
        "audio_seconds": round(sum(s.audio_s for s in report.items), 2),
        "rtf": round(report.rtf, 4),
        "worst": [
            {"key": s.key, "reference": s.reference, "hypothesis": s.hypothesis}
            for s in reversed(worst)
        ],
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0
