"""`ivr call caller.wav`: run a whole call offline from a recording of the caller's side,
through the same session code and the real AudioSocket framing on a loopback socket.

Prints the call as JSON (outcome, transfer, turns with what each side said, intents, barge-ins,
errors, simulated seconds) and, with `--out`, writes the conversation as a stereo WAV (left:
the caller, right: the assistant). By default nothing reaches Asterisk (AMI off: a transfer
becomes a callback offer) and the call is recorded in a throw-away database; `--record` uses
the configured one. Exit codes: 0 done, 1 unreadable input, 2 unusable settings or flow.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from ivr.cli.serve import configure_logging
from ivr.config import ConfigError, ServiceSettings, load_settings
from ivr.offline_call import OfflineResult, run_offline_call
from ivr.service import Service
from ivr.storage.database import DatabaseSettings
from speech.errors import AudioFormatError
from speech.wav import read_wav, write_wav


def register(sub: Any) -> None:
    parser = sub.add_parser("call", help="run a whole call offline from a caller recording")
    parser.add_argument("recording", type=Path, help="WAV of the caller's side")
    parser.add_argument("--flow", type=Path, default=None, help="flow YAML (default: settings)")
    parser.add_argument("--config", type=Path, default=None, help="TOML settings file")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the conversation here (stereo WAV: caller left)")
    parser.add_argument("--rate", type=int, default=8000, choices=[8000, 16000],
                        help="telephone audio rate, Hz (default 8000)")
    parser.add_argument("--speed", type=float, default=1.0,
                        help="stream the caller this many times faster than real time")
    parser.add_argument("--barge-in", action="store_true",
                        help="stream the recording as recorded, even over the prompts")
    parser.add_argument("--dtmf", action="append", default=[], metavar="SECONDS=DIGITS",
                        help="press keys at a call time, e.g. 3.5=1 or 20=0612345678#")
    parser.add_argument("--now", type=datetime.fromisoformat, default=None,
                        help="the dialogue's local time, ISO 8601 (default: the real clock)")
    parser.add_argument("--max-seconds", type=float, default=180.0,
                        help="longest call, seconds of call time")
    parser.add_argument("--record", action="store_true",
                        help="record the call in the configured database (default: a "
                             "throw-away one)")
    parser.add_argument("--log-level", default="WARNING",
                        choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    parser.set_defaults(func=run)


def parse_dtmf(items: list[str]) -> list[tuple[float, str]]:
    """[(seconds, digits)] from "3.5=1" items; ValueError names a bad one."""
    keys: list[tuple[float, str]] = []
    for item in items:
        at, sep, digits = item.partition("=")
        try:
            seconds = float(at)
        except ValueError:
            seconds = -1.0
        if not sep or seconds < 0 or not digits or set(digits) - set("0123456789*#"):
            raise ValueError(f"--dtmf {item!r}: write SECONDS=DIGITS, e.g. 3.5=1")
        keys.append((seconds, digits))
    return keys


def offline_settings(settings: ServiceSettings, flow: Path | None, db_dir: Path | None
                     ) -> ServiceSettings:
    """The settings for an offline call: loopback ephemeral port, no web, no AMI."""
    service = dataclasses.replace(settings.service, web_enabled=False, ami_enabled=False,
                                  flow=flow or settings.service.flow)
    audiosocket = dataclasses.replace(settings.audiosocket, host="127.0.0.1", port=0)
    database = settings.database
    if db_dir is not None:
        database = DatabaseSettings(url=f"sqlite:///{db_dir / 'offline-call.db'}")
    return dataclasses.replace(settings, service=service, audiosocket=audiosocket,
                               database=database)


def run(args: argparse.Namespace) -> int:
    configure_logging(args.log_level)
    try:
        keys = parse_dtmf(args.dtmf)
        recording = read_wav(args.recording)
    except (ValueError, FileNotFoundError, AudioFormatError) as err:
        print(f"ivr call: {err}", file=sys.stderr)
        return 1
    try:
        settings = load_settings(args.config)
    except ConfigError as err:
        print(f"ivr call: {err}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="ivr-call-") as tmp:
        db_dir = None if args.record else Path(tmp)
        service = Service(offline_settings(settings, args.flow, db_dir),
                          clock=(lambda: args.now) if args.now else None)
        try:
            result = asyncio.run(_call(service, args, recording, keys))
        except ConfigError as err:
            print(f"ivr call: {err}", file=sys.stderr)
            return 2
    if args.out is not None:
        write_wav(args.out, result.conversation)
    print(json.dumps(summary(result), ensure_ascii=False, indent=2))
    return 0


async def _call(service: Service, args: argparse.Namespace, recording: Any,
                keys: list[tuple[float, str]]) -> OfflineResult:
    try:
        await service.start()
        return await run_offline_call(
            service, recording, rate=args.rate, speed=args.speed,
            wait_prompts=not args.barge_in, digits=keys, max_seconds=args.max_seconds)
    finally:
        await service.close()


def summary(result: OfflineResult) -> dict[str, Any]:
    """The JSON printed for a call."""
    report = result.report
    return {
        "call_id": report.call_id,
        "outcome": report.outcome,
        "transfer": report.transfer,
        "keypad_only": report.keypad_only,
        "barge_ins": report.barge_ins,
        "errors": report.errors,
        "seconds": round(result.seconds, 2),
        "turns": report.turns,
    }
