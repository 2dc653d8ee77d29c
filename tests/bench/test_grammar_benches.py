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
    # theirs answers every audio message: its decoding pace is each answer's lag
    assert runs["theirs"]["pace_ms"] is not None and runs["theirs"]["pace_ms"]["p50"] > 0
    assert runs["ours"]["pace_ms"] is None  # ours answers when a partial or final changes
    summary = report["summary"]
    assert {"ours", "theirs", "streams_sustained_ratio", "streams_ratio_by_pace"} <= set(summary)
    assert summary["theirs"]["streams_keeping_pace"] in (0, 1)
    assert summary["ours"]["streams_keeping_pace"] is None
    assert "1" in summary["cpu_per_stream_minute_ratio_by_streams"]
    assert "sustained" in out and "pace p95" in out


def test_decoder_memory_bench_shows_a_grammar_decoder_is_smaller(tmp_path: Path) -> None:
    report, _ = bench(tmp_path, "decoder_memory.py", "--decoders", "1")
    assert report["free"]["rss_mb_model"] > 100
    assert report["free"]["rss_mb_per_decoder"] > report["grammar"]["rss_mb_per_decoder"]
    assert report["grammar_over_free"] < 1
    # a fresh free decoder is slow at first (why the service warms some); both kinds timed
    assert report["free"]["first_pass_x_realtime"] > report["free"]["second_pass_x_realtime"] > 0
    assert report["grammar"]["first_pass_x_realtime"] > 0


def test_decoder_growth_samples_one_decoder_as_it_decodes(tmp_path: Path) -> None:
    report, _ = bench(tmp_path, "decoder_memory.py", "--growth", "4", "--every", "2")
    assert [s["utterances"] for s in report["samples"]] == [2, 4]
    assert report["rss_mb_end"] > report["rss_mb_model"] > 100
    assert report["rss_mb_added_second_half"] == round(
        report["samples"][-1]["rss_mb"] - report["samples"][0]["rss_mb"], 1)


def test_the_soak_hook_writes_the_python_heap_of_the_process_it_is_loaded_in(
        tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "SOAK_TRACE_DIR": str(tmp_path),
           "PYTHONPATH": str(ROOT / "bench" / "soak_trace")}
    code = ("import os, time\n"
            "kept = [bytes(1000) for _ in range(5000)]\n"  # 5 MB traced
            "path = os.path.join(os.environ['SOAK_TRACE_DIR'], str(os.getpid()))\n"
            "deadline = time.monotonic() + 20\n"
            "while time.monotonic() < deadline and int(open(path).read() if os.path.exists("
            "path) else 0) < 5_000_000:\n"
            "    time.sleep(0.1)\n"
            "print(os.getpid())\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, env=env, check=True)
    traced = int((tmp_path / run.stdout.strip()).read_text())
    assert 5_000_000 <= traced < 50_000_000
