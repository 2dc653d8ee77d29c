"""Streaming an utterance to the recognizer (real Korean model, real espeak-ng speech): audio
pushed without waiting is decoded in the background, a cut at a pause gives the decoder back
while the caller is silent, the words on both sides of the pause come out in order with true
times, an utterance past the decoder limit waits and is caught up, and closing the recognizer
returns a decoder lent mid-utterance."""

from __future__ import annotations

import asyncio

from speech.convert import Rechunker, concat, silence
from speech.frames import AudioFrame
from speech.recognizer import DecoderPool, Recognizer, SpeechModel
from tests.speech.conftest import KO_MODEL_DIR, Speak

PHRASES = ["안녕하세요", "감사합니다", "전화 번호"]
RATE = 16000


def limited(ko_model: SpeechModel, limit: int) -> SpeechModel:
    """The loaded model with a shelf of its own lending at most `limit` decoders."""
    return SpeechModel(ko_model.vosk_model, KO_MODEL_DIR, ko_model.sample_rate, True, limit)


async def stream(recognizer: Recognizer, audio: AudioFrame) -> None:
    """Push `audio` as a line brings it, at ten times real time."""
    for piece in Rechunker(20).push(audio):
        recognizer.push(piece)
        await asyncio.sleep(0.002)


async def test_a_cut_at_a_pause_returns_the_decoder_and_keeps_both_sides(
    ko_model: SpeechModel, speak: Speak, pool: DecoderPool
) -> None:
    model = limited(ko_model, 4)
    hello = speak("안녕하세요", "ko", RATE)  # twice: the word this model never mistakes
    recognizer = Recognizer(model, pool, input_rate=RATE, grammar=PHRASES)
    await stream(recognizer, concat([silence(200, RATE), hello, silence(200, RATE)]))
    recognizer.cut()
    recognizer.skip(900.0)  # most of a second of pause is not decoded: its last 100 ms is
    for _ in range(200):
        await asyncio.sleep(0.01)
        if model.decoders.lent == 0:
            break
    assert model.decoders.lent == 0  # silent caller: the decoder serves other calls
    assert recognizer.partial == "안녕하세요"
    await stream(recognizer, concat([silence(100, RATE), hello, silence(200, RATE)]))
    result = await recognizer.finish()
    assert result.text == "안녕하세요 안녕하세요"
    first, second = result.words
    pause_end_s = (200 + hello.duration_ms + 200 + 1000) / 1000
    assert first.end < pause_end_s - 1.0 + 0.1
    assert pause_end_s - 0.1 <= second.start <= pause_end_s + hello.duration_ms / 1000
    assert model.decoders.lent == 0 and not recognizer.in_utterance


async def test_streaming_gives_what_frame_by_frame_decoding_gives(
    ko_model: SpeechModel, speak: Speak, pool: DecoderPool
) -> None:
    model = limited(ko_model, 4)
    audio = concat([silence(300, RATE), speak("전화 번호", "ko", RATE), silence(300, RATE)])
    streamed = Recognizer(model, pool, input_rate=RATE, grammar=PHRASES)
    await stream(streamed, audio)
    waited = Recognizer(model, pool, input_rate=RATE, grammar=PHRASES)
    for piece in Rechunker(20).push(audio):
        await waited.accept(piece)
    assert (await streamed.finish()).text == (await waited.finish()).text == "전화 번호"


async def test_past_the_limit_an_utterance_is_caught_up_once_a_decoder_is_free(
    ko_model: SpeechModel, speak: Speak, pool: DecoderPool
) -> None:
    model = limited(ko_model, 1)
    hello = concat([silence(200, RATE), speak("안녕하세요", "ko", RATE), silence(200, RATE)])
    talking = Recognizer(model, pool, input_rate=RATE, grammar=PHRASES)
    waiting = Recognizer(model, pool, input_rate=RATE, grammar=PHRASES)
    await asyncio.gather(stream(talking, hello), stream(waiting, hello))
    assert model.decoders.waited >= 1 and waiting.partial == ""  # nothing decoded yet
    assert (await talking.finish()).text == "안녕하세요"
    assert (await waiting.finish()).text == "안녕하세요"  # caught up on the freed decoder
    assert model.decoders.lent == 0 and model.decoders.made == 1


async def test_closing_returns_a_decoder_lent_mid_utterance(
    ko_model: SpeechModel, speak: Speak, pool: DecoderPool
) -> None:
    model = limited(ko_model, 1)
    recognizer = Recognizer(model, pool, input_rate=RATE)
    await stream(recognizer, speak("안녕하세요", "ko", RATE))
    assert model.decoders.lent == 1
    other = Recognizer(model, pool, input_rate=RATE)
    other.push(silence(20, RATE))  # waits for the only decoder
    await asyncio.sleep(0.05)
    await recognizer.close()  # the caller hung up mid-sentence
    assert (await asyncio.wait_for(other.finish(), 5.0)).text == ""
    assert model.decoders.lent == 0
