"""Our recognition path behind the same websocket protocol as `vosk_server_like.py`, for
`bench/vosk_peer.py`: each connection is one caller's audio going through exactly what a
call's listen steps run in `ivr serve` (`speech.listen.listen`: webrtcvad + the pure
`Segmenter`, only speech reaches the `Recognizer`, pauses cut utterances; the model's shelf
of warm decoders lent per utterance, at most `IVR_DECODERS` at once; decoding in a
`DecoderPool` of `IVR_DECODER_WORKERS` threads), without AudioSocket, dialogue or speech
synthesis: the difference from the peer is the decoding path, not the transport.

Protocol (theirs): optional {"config": {"sample_rate": 16000}} text first, then binary 16-bit
mono PCM messages, then the text `{"eof" : 1}`. Answers: {"partial": ...} when the partial
text changes, {"text": ..., "result": [...]} when an utterance ends (after `end_silence_ms`
of silence, 600 ms as in the service's listen steps), and the last one at end of stream.
With `--grammar` (or IVR_GRAMMAR_PHRASES, a JSON list) every utterance is decoded against
that phrase list, as a listen step with hints when `[session] hint_grammar` is on. Run:

    .venv/bin/python bench/peer/ours_server.py MODEL_FOLDER
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from websockets.asyncio.server import ServerConnection, serve

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from speech.frames import AudioFrame  # noqa: E402
from speech.listen import Final, NoInput, Partial, listen  # noqa: E402
from speech.recognizer import DecoderPool, Recognizer, SpeechModel  # noqa: E402
from speech.vad import SegmenterSettings  # noqa: E402
from speech.voice import VoiceDetector  # noqa: E402

EOF_MESSAGE = '{"eof" : 1}'
READY = "ours peer ready"


class Stream:
    """A connection's audio messages as frames, until `{"eof" : 1}` or the connection ends."""

    def __init__(self, connection: ServerConnection, rate: int) -> None:
        self.connection = connection
        self.rate = rate
        self.ended = False

    def __aiter__(self) -> AsyncIterator[AudioFrame]:
        return self

    async def __anext__(self) -> AudioFrame:
        while not self.ended:
            message = await self.connection.recv()
            if isinstance(message, bytes):
                return AudioFrame(message, self.rate)
            if message == EOF_MESSAGE:
                self.ended = True
            elif "config" in message:
                self.rate = int(json.loads(message)["config"].get("sample_rate", self.rate))
        raise StopAsyncIteration


class Server:
    def __init__(self, model: SpeechModel, pool: DecoderPool, rate: int,
                 grammar: list[str] | None) -> None:
        self.model, self.pool, self.rate, self.grammar = model, pool, rate, grammar

    async def handle(self, connection: ServerConnection) -> None:
        stream = Stream(connection, self.rate)
        first = await anext(stream)  # its rate (config) is known once audio comes
        recognizer = await Recognizer.create(self.model, self.pool, input_rate=stream.rate,
                                             grammar=self.grammar)
        detector = VoiceDetector(2)
        settings = SegmenterSettings(no_input_ms=0)

        async def frames() -> AsyncIterator[AudioFrame]:
            yield first
            async for frame in stream:
                yield frame

        audio = frames()
        try:
            while not stream.ended:
                async for event in listen(audio, recognizer, detector, settings):
                    if isinstance(event, Partial):
                        await connection.send(json.dumps({"partial": event.text}))
                    elif isinstance(event, Final):
                        words = [{"word": w.word, "start": w.start, "end": w.end,
                                  "conf": w.conf} for w in event.recognition.words]
                        await connection.send(json.dumps(
                            {"text": event.recognition.text, "result": words},
                            ensure_ascii=False))
                    elif isinstance(event, NoInput):
                        break
            await connection.send(json.dumps({"text": ""}))
        finally:
            await recognizer.close()


async def main() -> None:
    folder = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("VOSK_MODEL_PATH", "model")
    limit = int(os.environ.get("IVR_DECODERS", "24"))
    model = await asyncio.to_thread(SpeechModel.load, folder, limit)
    phrases = os.environ.get("IVR_GRAMMAR_PHRASES")
    grammar = json.loads(phrases) if phrases else None
    pool = DecoderPool(int(os.environ.get("IVR_DECODER_WORKERS", "2")))
    server = Server(model, pool, int(os.environ.get("VOSK_SAMPLE_RATE", 16000)), grammar)
    port = int(os.environ.get("VOSK_SERVER_PORT", 2700))
    async with serve(server.handle, "127.0.0.1", port, max_size=None):
        print(READY, flush=True)
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main())
