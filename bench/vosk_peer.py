"""Peer comparison for issue 14: our recognition path against alphacep's vosk-server, the
same Vosk model, the same recorded caller audio, the same machine, in one run (not a test).

    .venv/bin/python bench/vosk_peer.py --streams 1,2,4,6,8,12,16 --seconds 60 \\
        --json bench/results/vosk_peer.json
    .venv/bin/python bench/vosk_peer.py --grammar --streams 1,8,16,24,32 --seconds 60 \\
        --json bench/results/vosk_peer_grammar.json

Two servers are started side by side, each in its own process, speaking vosk-server's
websocket protocol (audio messages in, Vosk JSON results out):
- theirs: `bench/peer/vosk_server_like.py`, vosk-server's `websocket/asr_server.py`
  re-written from its behaviour (see that file for why it is not a copy): a fresh
  `KaldiRecognizer` per connection decoding every message, silence included, in a pool of
  `os.cpu_count()` threads;
- ours: `bench/peer/ours_server.py`, the listen loop of a call in `ivr serve`
  (`speech.listen`: webrtcvad, so silence is not decoded; warm decoders lent per utterance
  from the model's shelf; a `DecoderPool` of 2 threads, the service's default), behind the
  same protocol. It leaves out AudioSocket, the dialogue and speech synthesis (those are in
  `bench/calls.py`): what is compared is the decoding path.

The audio is the calls bench's: the espeak-ng Korean phrases of `bench/calls.py` at 16 kHz,
each followed by `--pause` seconds of digital silence, cycled (each stream starts at another
phrase), sent in `--chunk-ms` messages at real-time pace (a message leaves once its audio has
been spoken); all streams start together (everyone speaking at once). With `--grammar` both
decode against the load flow's menu hints (theirs through the `phrase_list` config). Caveat,
seen in smoke runs: with a phrase list (and no "[unk]": the Korean model has none) Vosk's own
endpointer no longer closes utterances at the pauses, so theirs gives one merged result every
10 s or so; with `--grammar` only the CPU per stream-minute compares, not the lags or the
streams sustained.

For each number of streams N, each server in turn (theirs, then ours, so that drift in the
machine's load hits both): the lag of each utterance's final result = its arrival minus the
end of the utterance's speech (it includes the server's own end-of-utterance silence: Vosk's
endpointer for theirs, 600 ms for ours), the p50/p95 lag, results missing, the server's CPU
seconds per stream-minute, its peak RSS. N is sustained in real time when no result is
missing and the p95 lag is within `--slack-ms` (500) of that server's lag with one stream
(its endpointing, measured alone first): decoding keeps pace. The report gives the largest N
sustained by each, and ours/theirs for it and for CPU per stream-minute. JSON keys: `runs`
(one per server and N), `summary`, `command`.

Theirs' endpointer closes utterances late or merges them on this audio even alone, so its
final results say little of its decoding. Its pace does: theirs answers every message once,
in order, so each answer's arrival minus the moment that message's audio had been spoken is
how far its decoding is behind (`pace_ms`). Theirs keeps pace with N streams when every
message is answered (none of its connections `dropped`: websockets closes one whose server is
too far behind to read the keepalive pongs) and the pace p95 is within the slack. The fair
ratio is `streams_ratio_by_pace`: ours' streams sustained over theirs' streams keeping pace.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from calls import PHRASES, pick_model, voice, wait_idle
from calls_caller import VOICED_RMS
from calls_service import ROOT, ProcessSampler, free_port, rss_mb
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from speech.convert import silence

EOF_MESSAGE = '{"eof" : 1}'
RATE = 16000
SERVERS = {"theirs": ("vosk_server_like.py", "vosk peer ready"),
           "ours": ("ours_server.py", "ours peer ready")}
FINISH_S = 60.0
"""How long a stream waits for the server's last answers after its end, seconds (past it,
the answers still to come count as missing: the server did not keep pace)."""
ANSWERS_EVERY_MESSAGE = {"theirs"}
"""Servers that answer each audio message once, in order (vosk-server does): their decoding
pace is each answer's lag behind the audio it answers."""


@dataclass
class Utterance:
    chunks: list[bytes]
    speech_ms: float
    """Where its speech ends, from its first sample, milliseconds."""


@dataclass
class StreamResult:
    lags_ms: list[float] = field(default_factory=list)
    missing: int = 0
    seconds: float = 0.0
    pace_ms: list[float] = field(default_factory=list)
    """Each audio message's answer arrival minus the moment its audio was spoken, ms, for a
    server that answers every message once and in order (theirs); empty otherwise."""
    dropped: bool = False
    """The server closed the connection before the stream's end."""


def hints() -> list[str]:
    flow = yaml.safe_load((ROOT / "bench" / "flows" / "charge.yaml").read_text("utf-8"))
    return list(flow["nodes"]["menu"]["hints"])


def utterances(lang: str, pause_s: float, chunk_ms: int) -> list[Utterance]:
    """Each phrase spoken, then `pause_s` of silence, cut in `chunk_ms` messages."""
    size = RATE * chunk_ms // 1000 * 2
    found = []
    for text in PHRASES[lang]:
        speech = voice(text, lang, RATE).pcm
        pcm = speech + silence(pause_s * 1000, RATE).pcm
        chunks = [pcm[i:i + size] for i in range(0, len(pcm), size)]
        found.append(Utterance(chunks, speech_end_ms(speech)))
    return found


def speech_end_ms(pcm: bytes) -> float:
    """The end of the last voiced 20 ms frame (RMS at least `VOICED_RMS`), milliseconds."""
    samples = np.frombuffer(pcm, "<i2").astype(np.float64)
    size = RATE // 50
    for end in range(len(samples) - len(samples) % size, 0, -size):
        frame = samples[end - size:end]
        if float(np.sqrt(np.mean(frame * frame))) >= VOICED_RMS:
            return 1000 * end / RATE
    return 1000 * len(samples) / RATE


def match(ends: list[float], finals: list[float]) -> tuple[list[float], int]:
    """Each utterance's end with the first final result after it: lags (ms), missing."""
    lags, missing, i = [], 0, 0
    for end in ends:
        while i < len(finals) and finals[i] <= end:
            i += 1
        if i < len(finals):
            lags.append(1000 * (finals[i] - end))
            i += 1
        else:
            missing += 1
    return lags, missing


async def one_stream(url: str, script: list[Utterance], seed: int, seconds: float,
                     chunk_ms: int, began: float, phrases: list[str] | None) -> StreamResult:
    ends: list[float] = []
    finals: list[float] = []
    spoken: list[float] = []  # when each message's audio had been spoken
    answers: list[float] = []
    sent_s, dropped = 0.0, False
    # A server far behind stops reading its socket (websockets' `max_queue`) and misses the
    # keepalive pongs: vosk-server (websockets' defaults) then closes the connection. The
    # client sends no pings of its own; a closed connection is a stream `dropped`.
    async with connect(url, max_size=None, open_timeout=30, ping_interval=None) as ws:
        config: dict[str, Any] = {"sample_rate": RATE}
        if phrases:
            config["phrase_list"] = phrases
        await ws.send(json.dumps({"config": config}))

        async def read() -> None:
            with contextlib.suppress(ConnectionClosed):
                async for message in ws:
                    now = time.monotonic()
                    answers.append(now)
                    if json.loads(message).get("text"):
                        finals.append(now)

        reader = asyncio.create_task(read())
        turn = seed
        try:
            while sent_s < seconds:
                utterance = script[turn % len(script)]
                turn += 1
                start = began + sent_s
                ends.append(start + utterance.speech_ms / 1000)
                for index, chunk in enumerate(utterance.chunks):
                    due = start + (index + 1) * chunk_ms / 1000
                    await asyncio.sleep(max(0.0, due - time.monotonic()))
                    spoken.append(due)
                    await ws.send(chunk)
                sent_s += len(b"".join(utterance.chunks)) / 2 / RATE
            await ws.send(EOF_MESSAGE)
        except ConnectionClosed:
            dropped = True
            sent_s = max(sent_s, seconds)  # its audio counts as sent: theirs took the CPU
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader, FINISH_S)
        reader.cancel()
    lags, missing = match(ends, finals)
    # one answer per message and one for the end of stream: the i-th answers the i-th message
    pace = ([1000 * (a - d) for a, d in zip(answers, spoken, strict=False)]
            if len(answers) == len(spoken) + 1 and not dropped else [])
    return StreamResult(lags, missing, sent_s, pace, dropped)


def start_server(name: str, model: Path, port: int, log: Path,
                 phrases: list[str] | None) -> subprocess.Popen[bytes]:
    script, ready = SERVERS[name]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IVR_", "VOSK_"))}
    env.update(VOSK_SERVER_PORT=str(port), VOSK_SERVER_INTERFACE="127.0.0.1",
               VOSK_SAMPLE_RATE=str(RATE), PYTHONPATH=str(ROOT))
    if phrases and name == "ours":
        env["IVR_GRAMMAR_PHRASES"] = json.dumps(phrases, ensure_ascii=False)
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "peer" / script),
                                    str(model)], stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if ready in log.read_text(errors="replace"):
            return process
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{name} server did not start:\n{log.read_text()[-2000:]}")


def percentile(values: list[float], q: int) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))], 1)


async def run(name: str, port: int, pid: int, streams: int, args: argparse.Namespace,
              script: list[Utterance], phrases: list[str] | None) -> dict[str, Any]:
    url = f"ws://127.0.0.1:{port}"
    began = time.monotonic() + 0.5
    async with ProcessSampler(pid) as sampler:
        results = await asyncio.gather(*(
            one_stream(url, script, seed, args.seconds, args.chunk_ms, began, phrases)
            for seed in range(streams)))
    lags = [lag for r in results for lag in r.lags_ms]
    pace = [ms for r in results for ms in r.pace_ms]
    minutes = sum(r.seconds for r in results) / 60
    return {
        "server": name, "streams": streams, "utterances": len(lags) + sum(
            r.missing for r in results),
        "missing": sum(r.missing for r in results),
        "dropped": sum(r.dropped for r in results),
        "lag_ms": {"p50": percentile(lags, 50), "p95": percentile(lags, 95),
                   "max": percentile(lags, 100),
                   "mean": round(statistics.fmean(lags), 1) if lags else None},
        "pace_ms": ({"p50": percentile(pace, 50), "p95": percentile(pace, 95),
                     "max": percentile(pace, 100)}
                    if pace and all(r.pace_ms for r in results) else None),
        "cpu_s_per_stream_minute": round(sampler.cpu_s / minutes, 2) if minutes else None,
        "cpu_percent": round(sampler.cpu_percent, 1),
        "rss_mb_peak": round(sampler.peak_mb, 1),
        "machine_busy_percent": round(sampler.machine_percent, 1),
    }


def summarise(runs: list[dict[str, Any]], slack_ms: float) -> dict[str, Any]:
    summary: dict[str, Any] = {"slack_ms": slack_ms}
    for name in SERVERS:
        mine = sorted((r for r in runs if r["server"] == name), key=lambda r: r["streams"])
        alone = mine[0]["lag_ms"]["p95"] if mine else None
        for r in mine:
            p95 = r["lag_ms"]["p95"]
            r["sustained"] = bool(r["missing"] == 0 and not r.get("dropped")
                                  and p95 is not None and alone is not None
                                  and p95 <= alone + slack_ms)
            if name in ANSWERS_EVERY_MESSAGE:  # its decoding pace, endpointing aside (None:
                pace = r.get("pace_ms")  # some message was never answered)
                r["keeps_pace"] = bool(pace is not None and pace["p95"] is not None
                                       and pace["p95"] <= slack_ms)
        ok = [r["streams"] for r in mine if r["sustained"]]
        paced = [r["streams"] for r in mine if r.get("keeps_pace")]
        summary[name] = {"streams_sustained": max(ok) if ok else 0,
                         "lag_p95_alone_ms": alone,
                         "streams_keeping_pace": (max(paced) if paced else 0)
                         if name in ANSWERS_EVERY_MESSAGE else None}
    ours, theirs = summary["ours"]["streams_sustained"], summary["theirs"]["streams_sustained"]
    summary["streams_sustained_ratio"] = round(ours / theirs, 2) if theirs else None
    # the fair ratio: ours' streams sustained (its finals keep pace) over theirs' streams whose
    # every message is answered within the slack (its decoding keeps pace, whatever its
    # endpointer does)
    pace = summary["theirs"]["streams_keeping_pace"]
    summary["streams_ratio_by_pace"] = round(ours / pace, 2) if pace else None
    cpu: dict[str, float] = {}
    for r in runs:
        if r["server"] == "ours":
            peer = next((p for p in runs if p["server"] == "theirs"
                         and p["streams"] == r["streams"]), None)
            if peer and peer["cpu_s_per_stream_minute"] and r["cpu_s_per_stream_minute"]:
                cpu[str(r["streams"])] = round(
                    r["cpu_s_per_stream_minute"] / peer["cpu_s_per_stream_minute"], 2)
    summary["cpu_per_stream_minute_ratio_by_streams"] = cpu
    return summary


def table(runs: list[dict[str, Any]]) -> str:
    lines = [f"{'server':>7} {'streams':>7} {'utts':>5} {'miss':>5} {'lag p50':>8} "
             f"{'lag p95':>8} {'pace p95':>8} {'cpu s/stream-min':>16} {'rss MB':>7} "
             f"{'sustained':>9}"]
    for r in sorted(runs, key=lambda r: (r["server"], r["streams"])):
        lag = r["lag_ms"]
        pace = f"{r['pace_ms']['p95'] or 0:>8.0f}" if r.get("pace_ms") else f"{'-':>8}"
        held = r.get("sustained") or r.get("keeps_pace")
        lines.append(f"{r['server']:>7} {r['streams']:>7} {r['utterances']:>5} "
                     f"{r['missing']:>5} {lag['p50'] or 0:>8.0f} {lag['p95'] or 0:>8.0f} "
                     f"{pace} {r['cpu_s_per_stream_minute'] or 0:>16.2f} "
                     f"{r['rss_mb_peak']:>7.0f} {'yes' if held else 'no':>9}")
    return "\n".join(lines)


async def bench(args: argparse.Namespace, counts: list[int]) -> list[dict[str, Any]]:
    model, lang = pick_model()
    phrases = hints() if args.grammar else None
    script = utterances(lang, args.pause, args.chunk_ms)
    runs: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="vosk-peer-") as tmp:
        ports = {name: free_port() for name in SERVERS}
        servers = {name: start_server(name, model, ports[name], Path(tmp) / f"{name}.log",
                                      phrases) for name in SERVERS}
        try:
            if args.warmup > 0:  # ours keeps warm decoders (as the service does); theirs
                for name in SERVERS:  # builds a fresh recognizer per connection anyway
                    await asyncio.gather(*(
                        one_stream(f"ws://127.0.0.1:{ports[name]}", script, s, args.warmup,
                                   args.chunk_ms, time.monotonic() + 0.5, phrases)
                        for s in range(args.warmup_streams or max(counts))))
            idle = {name: round(rss_mb(p.pid), 1) for name, p in servers.items()}
            for streams in counts:
                for name in SERVERS:
                    report = await run(name, ports[name], servers[name].pid, streams, args,
                                       script, phrases)
                    report["rss_mb_before"] = idle[name]
                    runs.append(report)
                    print(table([report]).splitlines()[-1], file=sys.stderr, flush=True)
                    await wait_idle(servers[name].pid, limit_s=90)  # its backlog done:
                    # none of it is charged to the next run
        finally:
            for process in servers.values():
                process.terminate()
                with contextlib.suppress(subprocess.TimeoutExpired):
                    process.wait(10)
                if process.poll() is None:
                    process.kill()
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", default="1,2,4,6,8,12,16",
                        help="comma-separated numbers of simultaneous streams (1 is added: "
                             "each server's lag alone is the reference)")
    parser.add_argument("--seconds", type=float, default=60.0, help="audio per stream, s")
    parser.add_argument("--pause", type=float, default=2.5,
                        help="silence after each phrase, s (Vosk's own endpointer, theirs, "
                             "needs up to 2 s to close an utterance: shorter pauses merge "
                             "phrases)")
    parser.add_argument("--chunk-ms", type=int, default=100, help="audio per message, ms")
    parser.add_argument("--slack-ms", type=float, default=500.0,
                        help="p95 lag allowed over the server's lag alone, ms")
    parser.add_argument("--grammar", action="store_true",
                        help="both decode against the load flow's menu hints")
    parser.add_argument("--warmup", type=float, default=20.0,
                        help="warm-up audio per stream, s (0: none)")
    parser.add_argument("--warmup-streams", type=int, default=0,
                        help="streams of the warm-up (default: the largest count)")
    parser.add_argument("--json", type=Path, help="write the JSON report here")
    argv = sys.argv[1:]
    args = parser.parse_args(argv)
    counts = sorted({1, *(int(n) for n in args.streams.split(","))})
    command = shlex.join([".venv/bin/python", "bench/vosk_peer.py", *argv])
    print(command, file=sys.stderr, flush=True)
    runs = asyncio.run(bench(args, counts))
    summary = summarise(runs, args.slack_ms)
    print(table(runs))
    print(json.dumps(summary, indent=2))
    model, lang = pick_model()
    result = {"command": command, "model": f"{model.name} ({lang}, {model})",
              "seconds": args.seconds, "pause_s": args.pause, "chunk_ms": args.chunk_ms,
              "grammar": args.grammar, "machine_cores": os.cpu_count(),
              "summary": summary, "runs": runs}
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
