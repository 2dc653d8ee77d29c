"""`ivr chat`: talk to a flow as a caller would, in text.

Input, one line per caller turn: text is speech (write it as Vosk hears it: lowercase, numbers
in words), `dtmf:1` is keypad digits, an empty line is silence. With `--jsonl`, the greeting
and then each turn are printed as one JSON object per line:
{"node", "intent", "slots", "say", "action", "transfer"}; after a hang-up or a transfer,
further lines print nothing. Without it, a readable conversation is shown. With
`--state FILE` the call state (JSON, with its transcript) is saved after each turn, and a call
saved that way is resumed where it was.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from dialogs.engine import Engine
from dialogs.errors import DialogsError, FlowError
from dialogs.hours import HoursFile
from dialogs.loader import load_flow
from dialogs.runtime import default_flow_path, french_understander
from dialogs.services import InMemoryServices
from dialogs.simulator import Call, parse_booked, parse_line
from dialogs.state import CallState, Turn
from dialogs.transcript import turn_view


def register(sub: Any) -> None:
    parser = sub.add_parser("chat", help="talk to a dialogue flow in text (simulator)")
    parser.add_argument("--flow", type=Path, default=None,
                        help="flow YAML file (default: the town-hall flow)")
    parser.add_argument("--now", type=datetime.fromisoformat, default=None,
                        help="fixed local time, ISO 8601 (default: the real clock)")
    parser.add_argument("--jsonl", action="store_true",
                        help="one JSON object per turn on stdout, for scripts and tests")
    parser.add_argument("--booked", action="append", default=[], metavar="SERVICE@ISO",
                        help="an appointment slot already taken, e.g. etat_civil@2026-05-12T10:00")
    parser.add_argument("--call-id", default="", metavar="ID",
                        help="id of the simulated call (it decides whether the call is among "
                        "those asked the satisfaction question)")
    parser.add_argument("--state", type=Path, default=None, metavar="FILE",
                        help="call state (JSON, with the transcript) written after each turn; "
                        "if FILE exists, the call resumes from it")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    stdin, stdout, stderr = sys.stdin, sys.stdout, sys.stderr
    try:
        loaded = load_flow(args.flow or default_flow_path())
        understander = french_understander(loaded)
        taken = [parse_booked(item) for item in args.booked]
        state = None
        if args.state is not None and args.state.exists():
            state = CallState.model_validate_json(args.state.read_text(encoding="utf-8"))
    except FlowError as err:
        for issue in err.issues:
            print(issue, file=stderr)
        return 1
    except (DialogsError, ValueError, OSError) as err:  # pydantic's errors are ValueErrors
        print(f"ivr chat: {err}", file=stderr)
        return 1
    services = InMemoryServices.with_booked(loaded.hours or HoursFile(services={}), taken)
    call = Call(Engine(loaded, understander, services), args.now or datetime.now(), state,
                call_id=args.call_id)
    return _converse(call, args.now is None, args.jsonl, args.state, stdin, stdout)


def _converse(
    call: Call, real_clock: bool, jsonl: bool, state_file: Path | None, stdin: TextIO,
    stdout: TextIO,
) -> int:
    if state_file is not None:
        state_file.write_text(call.current.model_dump_json(indent=1), encoding="utf-8")
    _show(call.last_turn, jsonl, stdout)
    if not jsonl:
        print("(texte = parole, dtmf:1 = touche, ligne vide = silence ; Ctrl-D pour quitter)",
              file=stdout)
    for line in stdin:
        if real_clock:
            call.now = datetime.now()
        turn = call.send(parse_line(line.rstrip("\n")))
        if turn is not None and state_file is not None:
            state_file.write_text(call.current.model_dump_json(indent=1), encoding="utf-8")
        if turn is None:
            if not jsonl:
                print("(l'appel est terminé)", file=stdout)
                break
            continue
        _show(turn, jsonl, stdout)
    return 0


def _show(turn: Turn, jsonl: bool, out: TextIO) -> None:
    if jsonl:
        print(json.dumps(turn_view(turn), ensure_ascii=False), file=out, flush=True)
        return
    details = f"[{turn.node}"
    if turn.input == "speech":
        details += f" | intention : {turn.intent or 'aucune'}"
    if turn.pace != 1.0:
        details += f" | débit de la voix : {turn.pace:g}"
    if turn.feedback is not None:
        details += f" | avis : {turn.feedback}"
    details += "]"
    print(details, file=out)
    for text in turn.say:
        print(f"Assistant : {text}", file=out)
    if turn.transfer is not None:
        print(f"[transfert vers « {turn.transfer.queue} » : {turn.transfer.reason}]", file=out)
    elif turn.action == "hangup":
        print("[fin de l'appel]", file=out)
    out.flush()
