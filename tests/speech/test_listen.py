"""One listen step end to end: real espeak-ng speech through webrtcvad, the segmenter and the
real Korean Vosk model; silence must not reach the decoder."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import numpy as np
import pytest

from speech.convert import Rechunker, concat, frame_of, silence
from speech.errors import AudioFormatError
from speech.frames import AudioFrame
from speech.listen import CUT_AFTER_MS, Final, ListenEvent, NoInput, Partial, Started, listen
from speech.recognizer import DecoderPool, Recognizer, SpeechModel
from speech.vad import EndReason, SegmenterSettings
from speech.voice import VoiceDetector
from tests.speech.conftest import KO_MODEL_DIR, Speak, noise

PHRASES = ["안녕하세요", "감사합니다", "전화 번호"]


async def frames_of(audio: AudioFrame, size_ms: int = 20) -> AsyncIterator[AudioFrame]:
    """The audio as a line streams it, at ten times real time (decoding runs alongside)."""
    for frame in Rechunker(size_ms).push(audio):
        await asyncio.sleep(size_ms / 10_000)
        yield frame


async def collect(events: AsyncIterator[ListenEvent]) -> list[ListenEvent]:
    return [event async for event in events]


async def test_speech_between_silences_gives_started_partials_final_and_skips_silence(
    ko_model: SpeechModel, speak: Speak, pool: DecoderPool
) -> None:
    speech = speak("안녕하세요", "ko", 8000)
    audio = concat([silence(2000, 8000), speech, silence(3000, 8000)])
    recognizer = Recognizer(ko_model, pool, input_rate=8000, grammar=PHRASES)
    settings = SegmenterSettings(end_silence_ms=600, pre_roll_ms=300)
    events = await collect(listen(frames_of(audio), recognizer, VoiceDetector(), settings))
    started, *partials, final = events
    assert isinstance(started, Started) and not started.barge_in
    assert 1900 <= started.start_ms <= 2300
    assert partials and all(isinstance(p, Partial) for p in partials)
    assert isinstance(final, Final) and final.reason is EndReason.SILENCE
    assert final.recognition.text == "안녕하세요"
    # Only the speech, its pre-roll, the run before the start and the first 300 ms of the
    # closing silence were decoded: not the 2 s before nor the 2.7 s after.
    budget = speech.duration_ms + settings.pre_roll_ms + settings.barge_in_ms + CUT_AFTER_MS + 100
    assert recognizer.decoded_ms <= budget
    assert recognizer.decoded_ms >= speech.duration_ms + settings.pre_roll_ms  # nothing clipped
    assert recognizer.decoded_ms < audio.duration_ms / 2


async def test_a_pause_inside_an_utterance_is_cut_and_both_sides_come_out(
    ko_model: SpeechModel, speak: Speak, pool: DecoderPool
) -> None:
    model = SpeechModel(ko_model.vosk_model, KO_MODEL_DIR, ko_model.sample_rate, True, 2)
    hello = speak("안녕하세요", "ko", 8000)  # twice: the word this model never mistakes
    pause_ms = 500.0  # past the cut (300 ms), short of the end of the turn (900 ms here)
    audio = concat([silence(500, 8000), hello, silence(pause_ms, 8000), hello,
                    silence(1500, 8000)])
    recognizer = Recognizer(model, pool, input_rate=8000, grammar=PHRASES)
    settings = SegmenterSettings(end_silence_ms=900)
    events = await collect(listen(frames_of(audio), recognizer, VoiceDetector(), settings))
    final = events[-1]
    assert isinstance(final, Final) and final.recognition.text == "안녕하세요 안녕하세요"
    first, second = final.recognition.words
    assert second.start - first.end >= (pause_ms - 200) / 1000  # times stay true
    # the 200 ms of the pause between the cut and the last 100 ms were not decoded
    assert recognizer.decoded_ms <= audio.duration_ms - 1500 - 100 + CUT_AFTER_MS
    assert model.decoders.lent == 0


async def test_silence_only_is_no_input_and_decodes_nothing(
    ko_model: SpeechModel, pool: DecoderPool
) -> None:
    recognizer = Recognizer(ko_model, pool, input_rate=16000)
    audio = concat([silence(500, 16000), noise(2000, 16000, 3.0)])
    settings = SegmenterSettings(no_input_ms=2000)
    events = await collect(listen(frames_of(audio, 60), recognizer, VoiceDetector(), settings))
    assert events == [NoInput(at_ms=2000)]
    assert recognizer.decoded_ms == 0


async def test_barge_in_while_a_prompt_plays(ko_model: SpeechModel, speak: Speak) -> None:
    audio = concat(
        [silence(500, 8000), speak("안녕하세요 감사합니다", "ko", 8000), silence(1000, 8000)]
    )
    recognizer = Recognizer(ko_model, input_rate=8000, grammar=PHRASES)
    events = await collect(
        listen(frames_of(audio), recognizer, VoiceDetector(), prompt_playing=lambda: True)
    )
    assert isinstance(events[0], Started) and events[0].barge_in
    assert isinstance(events[-1], Final) and events[-1].recognition.words


async def test_hang_up_mid_utterance_still_gives_the_words(
    ko_model: SpeechModel, speak: Speak
) -> None:
    audio = concat([silence(300, 8000), speak("안녕하세요 감사합니다", "ko", 8000)])
    recognizer = Recognizer(ko_model, input_rate=8000, grammar=PHRASES)
    settings = SegmenterSettings(end_silence_ms=900)
    events = await collect(listen(frames_of(audio), recognizer, VoiceDetector(), settings))
    final = events[-1]
    assert isinstance(final, Final) and final.reason is EndReason.END_OF_AUDIO
    assert final.recognition.words


async def test_one_recognizer_serves_successive_steps_even_after_an_abandoned_one(
    ko_model: SpeechModel, speak: Speak, pool: DecoderPool
) -> None:
    hello = speak("안녕하세요", "ko", 8000)
    recognizer = await Recognizer.create(ko_model, pool, input_rate=8000, grammar=PHRASES)
    # A step abandoned mid-utterance (the caller pressed a key, say).
    step = listen(frames_of(concat([silence(300, 8000), hello])), recognizer, VoiceDetector())
    async for event in step:
        if isinstance(event, Partial):
            break
    await step.aclose()
    assert recognizer.in_utterance
    audio = concat([silence(500, 8000), hello, silence(1000, 8000)])
    for _ in range(2):
        events = await collect(listen(frames_of(audio), recognizer, VoiceDetector()))
        final = events[-1]
        assert isinstance(final, Final) and final.recognition.text == "안녕하세요"


async def test_audio_at_the_wrong_rate_is_refused_before_anything_is_decoded(
    ko_model: SpeechModel,
) -> None:
    recognizer = Recognizer(ko_model, input_rate=8000)
    with pytest.raises(AudioFormatError, match="8000 Hz"):
        await collect(listen(frames_of(silence(100, 16000)), recognizer, VoiceDetector()))
    assert recognizer.decoded_ms == 0


async def test_a_cough_during_a_prompt_does_not_barge_in(
    ko_model: SpeechModel, speak: Speak
) -> None:
    rng = np.random.default_rng(7)
    burst = rng.normal(0.0, 6000.0, 1200) * np.hanning(1200)  # 150 ms of loud noise
    cough = frame_of(burst, 8000)
    audio = concat([silence(500, 8000), cough, silence(1500, 8000)])
    recognizer = Recognizer(ko_model, input_rate=8000, grammar=PHRASES)
    detector = VoiceDetector()
    flags = [detector.is_speech(f) for f in Rechunker(20).push(audio)]
    assert any(flags), "the burst should at least look like voice to webrtcvad"
    events = await collect(
        listen(frames_of(audio), recognizer, VoiceDetector(), prompt_playing=lambda: True)
    )
    assert events == [] and recognizer.decoded_ms == 0
    # Without a prompt playing, the same burst is long enough to open an utterance.
    settings = SegmenterSettings(no_input_ms=0)
    alone = await collect(listen(frames_of(audio), recognizer, VoiceDetector(), settings))
    assert isinstance(alone[0], Started) and not alone[0].barge_in
