"""`ivr nlu`: what the French understanding makes of caller utterances, one per stdin line.

    python -m ivr nlu [--flow PATH] [--now ISO] [--jsonl]

With `--jsonl`, one JSON object per input line on stdout:
`{"text": str, "intent": str|null, "confidence": float, "slots": {...}}` (dates
"YYYY-MM-DD", times "HH:MM", phone numbers as digits; a slot not found is absent). Without it,
one human-readable line per utterance. `--flow` defaults to the town hall's flow shipped in
the `dialogs` package; its `nlu` key names the intents file. `--now` fixes the clock used for
relative dates (ISO 8601, default: local time now). Exit code 2 when the flow or intents
file cannot be used.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import dialogs
from dialogs.nlu import FrenchUnderstander, NluError
from dialogs.understanding import Understanding

DEFAULT_FLOW = Path(dialogs.__file__).resolve().parent / "flows" / "mairie.yaml"


def register(sub: Any) -> None:
    """Add the `nlu` sub-command to the `ivr` parser."""
    parser: argparse.ArgumentParser = sub.add_parser(
        "nlu", help="understand caller utterances read from stdin (one per line)"
    )
    parser.add_argument(
        "--flow", type=Path, default=DEFAULT_FLOW, help="flow file whose 'nlu' key is used"
    )
    parser.add_argument(
        "--now", type=_parse_now, default=None, help="clock for relative dates (ISO 8601)"
    )
    parser.add_argument("--jsonl", action="store_true", help="one JSON object per line")
    parser.set_defaults(func=run)


def _parse_now(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 date-time: {value!r}") from err


def _as_json(result: Understanding) -> str:
    record = {
        "text": result.text,
        "intent": result.intent,
        "confidence": round(result.confidence, 4),
        "slots": dict(result.slots),
    }
    return json.dumps(record, ensure_ascii=False)


def _as_text(result: Understanding) -> str:
    slots = " ".join(f"{name}={value}" for name, value in result.slots.items())
    intent = result.intent or "(not understood)"
    line = f"{intent:<14} {result.confidence:.2f}  {result.text}"
    return line + (f"  [{slots}]" if slots else "")


def understand_lines(
    understander: FrenchUnderstander, lines: TextIO, out: TextIO, now: datetime, jsonl: bool
) -> None:
    """Write one result line per input line (empty lines included)."""
    for line in lines:
        text = line.rstrip("\r\n").strip()
        result = understander.understand(text, now)
        out.write((_as_json(result) if jsonl else _as_text(result)) + "\n")
        out.flush()


def run(args: argparse.Namespace) -> int:
    try:
        understander = FrenchUnderstander.from_flow(args.flow)
    except NluError as err:
        print(f"ivr nlu: {err}", file=sys.stderr)
        return 2
    now: datetime = args.now if args.now is not None else datetime.now()
    for stream in (sys.stdin, sys.stdout):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    understand_lines(understander, sys.stdin, sys.stdout, now, args.jsonl)
    return 0
