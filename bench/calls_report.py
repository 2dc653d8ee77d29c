"""Figures of the load benchmark (`bench/calls.py`): percentiles, the targets, the summary table
and the latency-against-calls plot. Times in milliseconds, memory in MB (10^6 bytes), CPU in
percent of one core.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from calls_caller import Measures

TARGET_P50_MS = 100.0
TARGET_P95_MS = 250.0
TARGET_SPACING_MS = 5.0
TARGET_MB_PER_CALL = 10.0


def percentile(values: Sequence[float], q: float) -> float | None:
    return round(float(np.percentile(values, q)), 1) if len(values) else None


def summarise(measures: list[Measures], *, calls: int, end_silence_ms: int, model: str,
              rss_idle: float | None, rss_idle_warm: float | None, rss_peak: float | None,
              cpu_percent: float | None, rss_start: float | None = None) -> dict[str, Any]:
    """The JSON report of one run of `calls` simultaneous calls. Memory per call is the run's
    peak over the memory at its start (`rss_start`, else after the warm-up): what the calls
    add, not what earlier runs left (the decoders' caches only grow)."""
    speech = [ms - end_silence_ms for m in measures for ms in m.latencies["speech"]]
    dtmf = [ms for m in measures for ms in m.latencies["dtmf"]]
    spacing = [s for m in measures for s in m.spacing_ms]
    deviation = [abs(s - 20.0) for s in spacing]
    per_call = None
    base = rss_start if rss_start is not None else rss_idle_warm
    if rss_peak is not None and base is not None and calls:
        per_call = round((rss_peak - base) / calls, 2)
    report: dict[str, Any] = {
        "calls": calls,
        "model": model,
        "end_silence_ms": end_silence_ms,
        "turns": len(speech) + len(dtmf),
        "speech_turns": len(speech),
        "dtmf_turns": len(dtmf),
        "unanswered_turns": sum(m.unanswered for m in measures),
        "calls_ended_by_service": sum(m.ended_by_service for m in measures),
        "turn_overhead_ms": {"p50": percentile(speech, 50), "p95": percentile(speech, 95),
                             "max": percentile(speech, 100)},
        "dtmf_turn_ms": {"p50": percentile(dtmf, 50), "p95": percentile(dtmf, 95),
                         "max": percentile(dtmf, 100)},
        "frame_spacing_ms": {"p50": percentile(spacing, 50), "p99": percentile(spacing, 99),
                             "deviation_p99": percentile(deviation, 99),
                             "max": percentile(spacing, 100)},
        "frames_received": len(spacing),
        "gaps": sum(m.gaps for m in measures),
        "rss_mb": {"idle": _round(rss_idle), "idle_warm": _round(rss_idle_warm),
                   "start": _round(rss_start), "peak": _round(rss_peak)},
        "rss_mb_per_call": per_call,
        "cpu_percent": _round(cpu_percent),
    }
    report["targets"] = targets(report)
    return report


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def targets(r: dict[str, Any]) -> dict[str, Any]:
    """Each target: met or not, and by how much it is missed (positive: over the target)."""
    over = r["turn_overhead_ms"]
    checks: dict[str, Any] = {}

    def check(name: str, value: float | None, limit: float) -> None:
        if value is not None:
            checks[name] = {"value": value, "limit": limit, "met": value <= limit,
                            "excess": round(max(0.0, value - limit), 1)}

    check("overhead_p50_ms", over["p50"], TARGET_P50_MS)
    check("overhead_p95_ms", over["p95"], TARGET_P95_MS)
    check("spacing_deviation_p99_ms", r["frame_spacing_ms"]["deviation_p99"], TARGET_SPACING_MS)
    check("gaps", float(r["gaps"]), 0.0)
    check("mb_per_call", r["rss_mb_per_call"], TARGET_MB_PER_CALL)
    return checks


def table(reports: list[dict[str, Any]]) -> str:
    """One line per run: what a reader checks against the targets."""
    head = (f"{'calls':>5} {'turns':>6} {'p50 ms':>7} {'p95 ms':>7} {'dtmf p50':>8} "
            f"{'spc p50':>7} {'spc p99':>7} {'gaps':>5} {'rss idle':>8} {'rss peak':>8} "
            f"{'MB/call':>7} {'cpu %':>6} {'p95 ok':>6}")
    lines = [head]
    for r in reports:
        met = r["targets"].get("overhead_p95_ms", {}).get("met")
        lines.append(
            f"{r['calls']:>5} {r['turns']:>6} {_f(r['turn_overhead_ms']['p50']):>7} "
            f"{_f(r['turn_overhead_ms']['p95']):>7} {_f(r['dtmf_turn_ms']['p50']):>8} "
            f"{_f(r['frame_spacing_ms']['p50']):>7} {_f(r['frame_spacing_ms']['p99']):>7} "
            f"{r['gaps']:>5} {_f(r['rss_mb']['idle']):>8} {_f(r['rss_mb']['peak']):>8} "
            f"{_f(r['rss_mb_per_call']):>7} {_f(r['cpu_percent']):>6} "
            f"{'yes' if met else 'no':>6}")
    return "\n".join(lines)


def matrix_table(reports: list[dict[str, Any]]) -> str:
    """One line per run of a grammar-on/off matrix: overhead, gaps, CPU per call-minute, RSS."""
    head = (f"{'calls':>5} {'grammar':>7} {'p50 ms':>7} {'p95 ms':>7} {'gaps':>5} "
            f"{'cpu s/call-min':>14} {'rss peak MB':>11} {'MB/call':>7} {'phrase dec':>10} "
            f"{'p95 ok':>6}")
    lines = [head]
    for r in reports:
        met = r["targets"].get("overhead_p95_ms", {}).get("met")
        phrase = (r.get("decoders_total") or {}).get("phrase_list")
        lines.append(
            f"{r['calls']:>5} {r.get('grammar') or '-':>7} "
            f"{_f(r['turn_overhead_ms']['p50']):>7} {_f(r['turn_overhead_ms']['p95']):>7} "
            f"{r['gaps']:>5} {_f(r.get('cpu_s_per_call_minute')):>14} "
            f"{_f(r['rss_mb']['peak']):>11} {_f(r['rss_mb_per_call']):>7} "
            f"{'-' if phrase is None else phrase:>10} {'yes' if met else 'no':>6}")
    return "\n".join(lines)


def _f(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def max_calls_within_target(reports: list[dict[str, Any]]) -> int | None:
    """The largest number of calls whose p95 overhead met its target (runs in any order)."""
    ok = [r["calls"] for r in reports
          if r["targets"].get("overhead_p95_ms", {}).get("met")]
    return max(ok) if ok else None


def plot(reports: list[dict[str, Any]], path: Path) -> None:
    """Turn overhead (p50, p95) and CPU against the number of calls, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    calls = [r["calls"] for r in reports]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for key, style in (("p50", "o-"), ("p95", "s-")):
        ax.plot(calls, [r["turn_overhead_ms"][key] for r in reports], style,
                label=f"turn overhead {key}")
    ax.axhline(TARGET_P95_MS, color="red", linestyle="--", linewidth=1, label="p95 target")
    ax.axhline(TARGET_P50_MS, color="orange", linestyle=":", linewidth=1, label="p50 target")
    ax.set_xlabel("simultaneous calls")
    ax.set_ylabel("turn latency minus end-of-turn silence (ms)")
    cpu = ax.twinx()
    cpu.plot(calls, [r["cpu_percent"] for r in reports], "x--", color="grey", label="CPU %")
    cpu.set_ylabel("service CPU (% of one core)")
    ax.legend(loc="upper left")
    model = str(reports[0]["model"]).split(",")[0] + ")"  # "model (ko)": folder, language
    together = float(reports[0].get("ramp_s", 15.0)) <= 2.0
    ax.set_title(f"standardiste: {model}, "
                 f"{'all speaking together' if together else 'staggered arrivals'}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
