"""Smoke run of bench/speech_bench.py --quick: it runs and prints the promised JSON figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_speech_benchmark_quick_run_prints_figures(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "PATH": "/usr/local/bin:/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "speech_bench.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    figures = json.loads(run.stdout)
    decoding = figures["decoding"]
    assert decoding["rtf_every_frame"] > 0 and decoding["rtf_vad_gated"] > 0
    assert 0 < decoding["share_of_audio_decoded_gated"] < 1
    assert decoding["streams_per_core_vad_gated"] > 0 and decoding["final_result_ms"] > 0
    for engine in ("pyttsx3", "espeak-ng"):
        timing = figures["synthesis_per_prompt"][engine]
        assert timing["uncached_ms"] > timing["cached_ms"] > 0
    assert figures["quick"] is True
