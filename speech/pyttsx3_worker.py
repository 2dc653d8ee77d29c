"""Subprocess entry point running one pyttsx3 synthesis, so a hung engine can be killed.

    python -m speech.pyttsx3_worker VOICE RATE_WPM OUT.wav   < text (UTF-8 on stdin)

pyttsx3 drives espeak-ng and writes a 22 050 Hz mono 16-bit WAV. Exit status 0 on success;
the parent checks that the file holds audio (pyttsx3 may write nothing in some containers).

pyttsx3 2.99's espeak driver returns from `runAndWait()` as soon as synthesis has *started*
(its queued end-of-loop command runs before the text is spoken); espeak-ng's own thread writes
the file later, on its last callback. Exiting at once lost the file whenever the machine was
busy, so the worker waits for the "finished-utterance" notification, which comes after the
file is written.
"""

from __future__ import annotations

import sys
import threading

FINISH_WAIT_S = 60.0
"""Longest wait for espeak-ng's thread to finish writing, seconds (the parent's own timeout
kills the worker sooner)."""


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m speech.pyttsx3_worker VOICE RATE_WPM OUT.wav", file=sys.stderr)
        return 2
    voice, rate, out = argv
    text = sys.stdin.read()
    import pyttsx3  # imported here: only the worker process pays for it

    engine = pyttsx3.init()
    if voice not in {v.id for v in engine.getProperty("voices")}:
        print(f"pyttsx3 has no voice {voice!r}", file=sys.stderr)
        return 3
    engine.setProperty("voice", voice)
    engine.setProperty("rate", int(rate))
    finished = threading.Event()
    engine.connect("finished-utterance", lambda **_: finished.set())
    engine.save_to_file(text, out)
    engine.runAndWait()
    if not finished.wait(FINISH_WAIT_S):
        print("pyttsx3 never finished the utterance", file=sys.stderr)
        return 4
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
