"""The peer of `bench/vosk_peer.py`: a websocket speech server that behaves as alphacep's
vosk-server `websocket/asr_server.py` (Apache-2.0, github.com/alphacep/vosk-server), written
here from its behaviour, not copied: the stored copy we read is not ours to commit, and its
handler's `(websocket, path)` signature no longer runs on the `websockets` of today (13+).

What it does, as theirs: one process, one `vosk.Model` (folder: first argument, else
VOSK_MODEL_PATH); port VOSK_SERVER_PORT (2700), interface VOSK_SERVER_INTERFACE; default rate
VOSK_SAMPLE_RATE (8000 Hz; a client may send {"config": {"sample_rate": ...,
"phrase_list": [...]}} first). Each connection gets its own fresh `KaldiRecognizer` (with
the phrase list as its grammar when one was given) at its first audio message (SetWords(True),
SetMaxAlternatives(0)); every message (16-bit mono PCM, any length) is decoded in a thread pool
of `os.cpu_count()` threads, and each gets one answer: Vosk's Result JSON when its endpointer
closed an utterance, else its PartialResult JSON; the text `{"eof" : 1}` gets FinalResult and
ends the connection. No voice detection: silence is decoded like speech. Run:

    .venv/bin/python bench/peer/vosk_server_like.py MODEL_FOLDER
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import vosk
from websockets.asyncio.server import ServerConnection, serve

EOF_MESSAGE = '{"eof" : 1}'
READY = "vosk peer ready"


def decode(recognizer: Any, message: str | bytes) -> tuple[str, bool]:
    """One message through the recognizer: (answer JSON, whether the stream ended)."""
    if message == EOF_MESSAGE:
        return recognizer.FinalResult(), True
    if recognizer.AcceptWaveform(message):
        return recognizer.Result(), False
    return recognizer.PartialResult(), False


class Server:
    def __init__(self, model: Any, rate: float) -> None:
        self.model = model
        self.rate = rate
        self.pool = ThreadPoolExecutor(os.cpu_count() or 1)

    async def handle(self, connection: ServerConnection) -> None:
        loop = asyncio.get_running_loop()
        recognizer = None
        rate = self.rate
        phrases: list[str] | None = None
        while True:
            message = await connection.recv()
            if isinstance(message, str) and "config" in message:
                config = json.loads(message)["config"]
                rate = float(config.get("sample_rate", rate))
                phrases = config.get("phrase_list", phrases)
                continue
            if recognizer is None:
                recognizer = (vosk.KaldiRecognizer(self.model, rate, json.dumps(
                    phrases, ensure_ascii=False)) if phrases
                    else vosk.KaldiRecognizer(self.model, rate))
                recognizer.SetWords(True)
                recognizer.SetMaxAlternatives(0)
            answer, stop = await loop.run_in_executor(self.pool, decode, recognizer, message)
            await connection.send(answer)
            if stop:
                break


async def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    vosk.SetLogLevel(-1)
    folder = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VOSK_MODEL_PATH", "model")
    server = Server(vosk.Model(folder), float(os.environ.get("VOSK_SAMPLE_RATE", 8000)))
    host = os.environ.get("VOSK_SERVER_INTERFACE", "0.0.0.0")
    port = int(os.environ.get("VOSK_SERVER_PORT", 2700))
    async with serve(server.handle, host, port, max_size=None):
        print(READY, flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
