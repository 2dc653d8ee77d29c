"""Smoke runs of the issue 14 benches: bench/calls.py with the grammar on, bench/vosk_peer.py
(ours and the vosk-server equivalent, one stream each) and bench/decoder_memory.py, tiny;
their JSON reports have the promised keys and sane values (the figures are not judged)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def bench(tmp_path: Path, script: str, *args: str) -> tuple[dict[str, Any], str]:
    report_path = tmp_path / "report.json"
    env = {"HOME": str(tmp_path), "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args, "--json", str(report_path)],
        capture_output=True, text=True, timeout=180, env=env, check=False, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(report_path.read_text(encoding="utf-8")), run.stdout


def test_calls_bench_with_the_grammar_on_decodes_with_phrase_lists(tmp_path: Path) -> None:
    report, _ = bench(tmp_path, "calls.py", "--grammar", "on", "--calls", "1",
                        "--seconds", "12", "--warmup", "0", "--pause", "0.2", "--ramp", "1")
    assert report["command"].startswith(".venv/bin/python bench/calls.py --grammar on")
    assert report["grammar"] == "on"
    assert report["speech_turns"] >= 1
    assert report["decoders_total"]["phrase_list"] >= 1  # the menu's hints as a grammar
    assert report["cpu_s_per_call_minute"] > 0
    assert report["where_time_goes"]["recognition_wait"]["count"] >= 1


def test_matrix_table_has_one_row_per_run() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from calls_report import matrix_table
    finally:
        sys.path.remove(str(ROOT / "bench"))
    runs = [{"calls": n, "grammar": g, "gaps": 0, "cpu_s_per_call_minute": 3.0,
             "rss_mb": {"peak": 900.0}, "rss_mb_per_call": 5.0,
             "decoders_total": {"phrase_list": 4 if g == "on" else 0},
             "turn_overhead_ms": {"p50": 40.0, "p95": 300.0},
             "targets": {"overhead_p95_ms": {"met": False}}}
            for g in ("off", "on") for n in (8, 16)]
    lines = matrix_table(runs).splitlines()
    assert len(lines) == 5 and "cpu s/call-min" in lines[0]
    assert lines[3].split()[:2] == ["8", "on"] and lines[3].split()[-2:] == ["4", "no"]


def test_peer_bench_runs_both_servers(tmp_path: Path) -> None:
    report, out = bench(tmp_path, "vosk_peer.py", "--streams", "1", "--seconds", "6",
                        "--warmup", "0")
    assert report["command"].startswith(".venv/bin/python bench/vosk_peer.py")
    runs = {r["server"]: r for r in report["runs"]}
    assert set(runs) == {"ours", "theirs"}
    for run in runs.values():
        assert run["streams"] == 1 and run["utterances"] >= 1
        assert run["cpu_s_per_stream_minute"] > 0 and run["rss_mb_peak"] > 100
        assert run["lag_ms"]["p50"] is not None and run["lag_ms"]["p50"] > 0
    summary = report["summary"]
    assert {"ours", "theirs", "streams_sustained_ratio"} <= set(summary)
    assert "1" in summary["cpu_per_stream_minute_ratio_by_streams"]
    assert "sustained" in out


def test_decoder_memory_bench_shows_a_grammar_decoder_is_smaller(tmp_path: Path) -> None:
    report, _ = bench(tmp_path, "decoder_memory.py", "--decoders", "1")
    assert report["free"]["rss_mb_model"] > 100
    assert report["free"]["rss_mb_per_decoder"] > report["grammar"]["rss_mb_per_decoder"]
    assert report["grammar_over_free"] < 1
