"""Benchmark: time of one dialogue turn (engine + French understanding) on the town-hall flow.

Plays every expected conversation of dialogs/flows/mairie.tests.yaml, `--rounds` times, and
prints one JSON object: flow load time, understander build time (milliseconds), and per-turn
step times (milliseconds: mean, p50, p95, max) over all turns played. Run:
    .venv/bin/python bench/dialog_turns.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from datetime import datetime

from dialogs.engine import Engine
from dialogs.hours import HoursFile
from dialogs.runtime import default_flow_path, french_understander
from dialogs.scenarios import load_suite, tests_file_for
from dialogs.services import InMemoryServices
from dialogs.simulator import parse_booked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5, help="times each conversation is played")
    args = parser.parse_args()
    started = time.perf_counter()
    suite = load_suite(tests_file_for(default_flow_path())[0])
    loaded_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    understander = french_understander(suite.loaded)
    nlu_ms = (time.perf_counter() - started) * 1000
    hours = suite.loaded.hours or HoursFile(services={})
    steps: list[float] = []
    for _ in range(args.rounds):
        for conversation in suite.tests.conversations:
            now = conversation.now or suite.tests.now or datetime(2026, 5, 12, 10)
            booked = [parse_booked(item) for item in conversation.booked]
            engine = Engine(suite.loaded, understander, InMemoryServices.with_booked(hours, booked))
            state, _ = engine.start(now)
            for turn in conversation.turns:
                if state.ended:
                    break
                begin = time.perf_counter()
                state, _ = engine.step(state, turn.caller_input(), now)
                steps.append((time.perf_counter() - begin) * 1000)
    ordered = sorted(steps)
    print(json.dumps({
        "benchmark": "dialog_turns",
        "flow": str(default_flow_path().name),
        "flow_load_ms": round(loaded_ms, 2),
        "understander_build_ms": round(nlu_ms, 2),
        "turns": len(steps),
        "step_ms_mean": round(statistics.fmean(steps), 3),
        "step_ms_p50": round(ordered[len(ordered) // 2], 3),
        "step_ms_p95": round(ordered[int(len(ordered) * 0.95) - 1], 3),
        "step_ms_max": round(ordered[-1], 3),
    }))


if __name__ == "__main__":
    main()
