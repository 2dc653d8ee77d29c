"""`ivr say "texte" -o out.wav`: synthesise French text to a WAV file the way prompts are.

Options: --voice (espeak-ng voice, default IVR_TTS_VOICE or roa/fr), --rate (words per
minute), --sample-rate (8000 or 16000 Hz, the telephone rates; default 8000).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from speech.errors import SpeechError
from speech.settings import SpeechSettings
from speech.tts import FRENCH_VOICES, Synthesizer
from speech.wav import write_wav


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "say", help="synthesise French text to a WAV file, as a prompt would sound"
    )
    parser.add_argument("text", help="the text to say")
    parser.add_argument("-o", "--output", required=True, help="WAV file to write")
    parser.add_argument("--voice", help=f"espeak-ng voice ({', '.join(FRENCH_VOICES)})")
    parser.add_argument("--rate", type=int, help="speaking rate, words per minute")
    parser.add_argument(
        "--sample-rate", type=int, default=8000, choices=(8000, 16000), help="output rate, Hz"
    )
    parser.set_defaults(func=say)


def say(args: argparse.Namespace) -> int:
    try:
        synthesizer = Synthesizer.from_settings(SpeechSettings.from_env())
        frame = synthesizer.synthesize_blocking(
            args.text, args.sample_rate, voice=args.voice, rate_wpm=args.rate
        )
        write_wav(Path(args.output), frame)
    except (SpeechError, OSError) as err:
        print(f"ivr say: {err}", file=sys.stderr)
        return 1
    print(f"{args.output}: {frame.duration:.2f} s at {frame.rate} Hz")
    return 0
