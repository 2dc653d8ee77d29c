"""`python -m ivr nlu`, run as a real process: the JSON-lines contract and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def run_nlu(*args: str, stdin: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ivr", "nlu", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd="/",  # the default flow is found from the package, not the working directory
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        timeout=60,
        check=False,
    )


def test_jsonl_contract() -> None:
    lines = [
        "je veux un rendez-vous pour mon passeport demain à neuf heures",
        "",
        "vous pouvez me rappeler au zéro six douze trente-quatre cinquante-six soixante-dix-huit",
        "je voudrais commander une pizza",
    ]
    done = run_nlu("--now", "2026-11-23T10:00", "--jsonl", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(records) == 4
    for record, text in zip(records, lines, strict=True):
        assert set(record) == {"text", "intent", "confidence", "slots"}
        assert record["text"] == text
        assert isinstance(record["confidence"], float)
    assert records[0]["intent"] == "rendez_vous"
    assert records[0]["slots"]["date"] == "2026-11-24"
    assert records[0]["slots"]["time"] == "09:00"
    assert records[1] == {"text": "", "intent": None, "confidence": 0.0, "slots": {}}
    assert records[2]["intent"] == "agent"
    assert records[2]["slots"] == {"phone": "0612345678"}
    assert records[3]["intent"] is None and records[3]["slots"] == {}


def test_human_readable_lines() -> None:
    done = run_nlu("--now", "2026-11-23T10:00", stdin="merci au revoir\nblabla\n")
    assert done.returncode == 0, done.stderr
    out = done.stdout.splitlines()
    assert len(out) == 2
    assert out[0].startswith("au_revoir")
    assert "not understood" in out[1]


def test_other_flow_and_bad_input(tmp_path: Path) -> None:
    (tmp_path / "shop.intents.yaml").write_text(
        "intents:\n  payer:\n    examples: [je paie par carte, l'addition]\n", encoding="utf-8"
    )
    flow = tmp_path / "shop.yaml"
    flow.write_text("nlu: shop.intents.yaml\n", encoding="utf-8")
    done = run_nlu("--flow", str(flow), "--jsonl", stdin="l'addition s'il vous plaît\n")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["intent"] == "payer"

    missing = run_nlu("--flow", str(tmp_path / "nope.yaml"), "--jsonl", stdin="bonjour\n")
    assert missing.returncode == 2
    assert "nope.yaml" in missing.stderr and missing.stdout == ""

    bad_clock = run_nlu("--now", "lundi", "--jsonl", stdin="bonjour\n")
    assert bad_clock.returncode == 2
    assert "ISO 8601" in bad_clock.stderr
