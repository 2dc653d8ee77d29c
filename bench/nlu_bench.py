"""Speed of the French understanding, printed as JSON.

Figures: building the town hall's understander (ms), `python -m ivr nlu` start-up for one
line (ms, a fresh process), per-utterance latency of `understand` over the evaluation set
(mean, p95, max in ms), and the learning loop: grouping the evaluation set's texts as if they
had all been missed (ms, number of groups) and one precision check of a new intents version
(ms, both versions scored). Run: `.venv/bin/python bench/nlu_bench.py`.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dialogs.nlu import (  # noqa: E402
    FrenchUnderstander,
    MissedPhrase,
    add_examples,
    check_precision,
    group_phrases,
    load_eval_set,
)

FLOW = ROOT / "dialogs" / "flows" / "mairie.yaml"
EVAL_SET = ROOT / "dialogs" / "flows" / "mairie.nlu-eval.tsv"
INTENTS = ROOT / "dialogs" / "flows" / "mairie.intents.yaml"


def learning_figures(understander: FrenchUnderstander) -> dict[str, float]:
    eval_set = load_eval_set(EVAL_SET)
    missed = [MissedPhrase(row.text, 0.2) for row in eval_set.rows]
    begin = time.perf_counter()
    groups = group_phrases(missed, understander, eval_set.clock)
    group_ms = (time.perf_counter() - begin) * 1000
    before = INTENTS.read_text(encoding="utf-8")
    after = add_examples(before, "dechets", ["un bac de tri supplémentaire"])
    begin = time.perf_counter()
    check_precision(before, after, eval_set)
    precision_ms = (time.perf_counter() - begin) * 1000
    return {
        "group_phrases": len(missed),
        "group_ms": round(group_ms, 1),
        "groups": len(groups),
        "check_precision_ms": round(precision_ms, 1),
    }


def main() -> None:
    started = time.perf_counter()
    understander = FrenchUnderstander.from_flow(FLOW)
    build_ms = (time.perf_counter() - started) * 1000

    lines = [
        line.split("\t")[0]
        for line in EVAL_SET.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    now = datetime(2026, 11, 23, 10, 0)
    latencies = []
    for _ in range(5):
        for text in lines:
            begin = time.perf_counter()
            understander.understand(text, now)
            latencies.append((time.perf_counter() - begin) * 1000)
    latencies.sort()

    begin = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "ivr", "nlu", "--jsonl"],
        input="je voudrais un rendez-vous demain à dix heures\n",
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    cli_ms = (time.perf_counter() - begin) * 1000

    print(
        json.dumps(
            {
                "build_understander_ms": round(build_ms, 1),
                "cli_one_line_ms": round(cli_ms, 1),
                "utterances": len(latencies),
                "understand_mean_ms": round(statistics.fmean(latencies), 3),
                "understand_p95_ms": round(latencies[int(len(latencies) * 0.95)], 3),
                "understand_max_ms": round(latencies[-1], 3),
                **learning_figures(understander),
            }
        )
    )


if __name__ == "__main__":
    main()
