"""Soak benchmark: N callers calling again and again for a long time against one real
`ivr serve`, to see whether memory or file descriptors grow and whether any call fails
(not a test).

    .venv/bin/python bench/soak.py --calls 12 --minutes 60 --json bench/results/soak.json
    .venv/bin/python bench/soak.py --calls 4 --minutes 3 --warmup-minutes 1   # a quick look

The service is the one `bench/calls.py` starts (`bench/calls_service.py`: the load flow, the
real Vosk engine with IVR_VOSK_MODEL or the Korean test model, SQLite). Each of the N caller
slots makes calls of `--call-seconds` one after the other (the same scripted conversation as
bench/calls.py: speech turns and keypad turns at real pace), the slots' first calls spread
over one call's length. Every `--sample-s` seconds it samples the service's resident memory
(MB), its open file descriptors and threads. A call failed when it could not connect, when a
turn got no reply within 12 s, when it got no reply at all, or when the service hung up
first (the load flow never does). Figures: RSS when the warm-up ends and at the end, its
growth (%; target under 5 %), descriptors and threads then, calls made and failed, the
speech-turn overhead p50/p95 (ms, as bench/calls.py) over the whole run, and the samples.

The service listens with free speech everywhere unless `--grammar` (its `[session]
hint_grammar`): free decoders are what holds memory. `--trace-python` has the service trace
its Python heap (`tracemalloc`, through `bench/soak_trace/sitecustomize.py`) and samples it
too: RSS that grows while the Python heap does not is native memory (Vosk's decoders).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shlex
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from calls import pick_model, script
from calls_caller import Measures, Turn, run_calls
from calls_metrics import GAUGES, scrape
from calls_report import percentile
from calls_service import rss_mb, start_service

from dialogs.events import Listen

TRACE_HOOK = Path(__file__).resolve().parent / "soak_trace"
"""Holds the `sitecustomize` that traces the service's Python heap (`--trace-python`)."""


def _count(pid: int, what: str) -> int:
    return len(os.listdir(f"/proc/{pid}/{what}"))


def _failed(m: Measures) -> bool:
    return m.unanswered > 0 or m.replies == 0 or m.ended_by_service


class Soak:
    def __init__(self, host: str, port: int, turns: list[Turn], args: argparse.Namespace,
                 metrics_url: str):
        self.host, self.port, self.turns, self.args = host, port, turns, args
        self.metrics_url = metrics_url
        self.measures: list[Measures] = []
        self.not_connected = 0
        self.samples: list[dict[str, float]] = []
        self.trace_dir: Path | None = None
        """Where the service writes its traced Python heap (`--trace-python`)."""

    async def slot(self, index: int, until: float) -> None:
        a = self.args
        await asyncio.sleep(a.call_seconds * index / a.calls)
        while time.monotonic() + a.call_seconds <= until:
            try:
                self.measures += await run_calls(self.host, self.port, self.turns, calls=1,
                                                 seconds=a.call_seconds, rate=16000,
                                                 pause_s=0.5, ramp_s=0.0)
            except OSError:
                self.not_connected += 1
                await asyncio.sleep(1.0)

    async def sample(self, pid: int, began: float, until: float) -> None:
        while time.monotonic() < until:
            self.samples.append(await self.one_sample(pid, began))
            print(json.dumps(self.samples[-1]), file=sys.stderr, flush=True)
            await asyncio.sleep(self.args.sample_s)

    async def one_sample(self, pid: int, began: float) -> dict[str, float]:
        """The service's memory, descriptors, threads and Vosk decoders built so far (a
        decoder is tens of MB: RSS that follows this count is the decoders' working set, not
        a leak)."""
        scraped = await asyncio.to_thread(scrape, self.metrics_url)
        decoders = scraped.get(GAUGES["decoders_made"]) if scraped is not None else None
        sample = {
            "minute": round((time.monotonic() - began) / 60, 2),
            "rss_mb": round(rss_mb(pid), 1), "fds": _count(pid, "fd"),
            "threads": _count(pid, "task"), "calls_done": len(self.measures),
            "calls_failed": sum(map(_failed, self.measures)) + self.not_connected,
            "decoders_made": -1 if decoders is None else decoders}
        if self.trace_dir is not None:
            traced = self.trace_dir / str(pid)
            with contextlib.suppress(OSError, ValueError):
                sample["python_heap_mb"] = round(int(traced.read_text()) / 1e6, 1)
        return sample


def _at(samples: list[dict[str, float]], minute: float) -> dict[str, float]:
    return next((s for s in samples if s["minute"] >= minute), samples[-1])


async def soak(args: argparse.Namespace) -> dict[str, Any]:
    model_dir, lang = pick_model()
    turns = script(lang, 16000)
    with tempfile.TemporaryDirectory(prefix="soak-bench-") as tmp:
        trace_dir = Path(tmp) / "python-heap"
        env = {}
        if args.trace_python:
            trace_dir.mkdir()
            env = {"SOAK_TRACE_DIR": str(trace_dir), "PYTHONPATH": str(TRACE_HOOK)}
        service = start_service(Path(tmp), model_dir, args.calls + 4, 2, extra_env=env,
                                hint_grammar=args.grammar)
        try:
            await asyncio.sleep(1.0)
            run = Soak("127.0.0.1", service.port, turns, args, service.metrics_url)
            run.trace_dir = trace_dir if args.trace_python else None
            began = time.monotonic()
            until = began + args.minutes * 60
            await asyncio.gather(run.sample(service.pid, began, until),
                                 *(run.slot(i, until) for i in range(args.calls)))
            run.samples.append(await run.one_sample(service.pid, began))
        finally:
            code = service.stop()
    warm, last = _at(run.samples, args.warmup_minutes), run.samples[-1]
    half = _at(run.samples, args.minutes / 2)
    speech = [ms - Listen().end_silence_ms for m in run.measures for ms in m.latencies["speech"]]
    return {
        "calls": args.calls, "minutes": args.minutes, "call_seconds": args.call_seconds,
        "model": f"{model_dir.name} ({lang})", "cores": os.cpu_count(),
        "warmup_minutes": args.warmup_minutes,
        "rss_mb_after_warmup": warm["rss_mb"], "rss_mb_end": last["rss_mb"],
        "rss_growth_percent": round(100 * (last["rss_mb"] - warm["rss_mb"]) / warm["rss_mb"], 2),
        "rss_growth_second_half_percent":
            round(100 * (last["rss_mb"] - half["rss_mb"]) / half["rss_mb"], 2),
        "decoders_after_warmup": warm["decoders_made"], "decoders_end": last["decoders_made"],
        "python_heap_mb_after_warmup": warm.get("python_heap_mb"),
        "python_heap_mb_end": last.get("python_heap_mb"),
        "grammar": args.grammar,
        "fds_after_warmup": warm["fds"], "fds_end": last["fds"],
        "threads_after_warmup": warm["threads"], "threads_end": last["threads"],
        "calls_made": len(run.measures) + run.not_connected,
        "calls_failed": last["calls_failed"], "not_connected": run.not_connected,
        "unanswered_turns": sum(m.unanswered for m in run.measures),
        "overhead_ms_p50": percentile(speech, 50), "overhead_ms_p95": percentile(speech, 95),
        "gaps": sum(m.gaps for m in run.measures), "service_exit_code": code,
        "samples": run.samples,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=12, help="callers at once")
    parser.add_argument("--minutes", type=float, default=60.0, help="length of the soak")
    parser.add_argument("--call-seconds", type=float, default=60.0, help="length of a call, s")
    parser.add_argument("--warmup-minutes", type=float, default=5.0,
                        help="memory growth is measured from the end of this, min")
    parser.add_argument("--sample-s", type=float, default=30.0, help="sampling interval, s")
    parser.add_argument("--grammar", action="store_true",
                        help="the service's [session] hint_grammar on (default: free speech "
                             "everywhere, the most decoder memory)")
    parser.add_argument("--trace-python", action="store_true",
                        help="trace the service's Python heap (tracemalloc, slower) and "
                             "sample it with the RSS")
    parser.add_argument("--json", type=Path, help="write the JSON report here")
    args = parser.parse_args()
    report = {"command": shlex.join([".venv/bin/python", "bench/soak.py", *sys.argv[1:]]),
              **asyncio.run(soak(args))}
    text = json.dumps(report, indent=2)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    summary = {k: v for k, v in report.items() if k != "samples"}
    print(json.dumps(summary, indent=2))
    ok = report["calls_failed"] == 0 and report["rss_growth_percent"] < 5.0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
