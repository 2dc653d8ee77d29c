"""A step's grammar first, free speech again on the kept audio when the grammar does not cover
the utterance: the real Korean model, real espeak-ng Korean speech, streamed as calls do."""

from __future__ import annotations

from speech.convert import Rechunker, concat, silence
from speech.frames import AudioFrame
from speech.recognizer import DecoderPool, Recognition, Recognizer, SpeechModel, Word
from tests.speech.conftest import Speak

GRAMMAR = ["안녕하세요", "감사합니다"]
SENTENCE = "전화 번호 하나 둘 셋"


async def stream(recognizer: Recognizer, audio: AudioFrame) -> Recognition:
    for frame in Rechunker(20).push(concat([audio, silence(300, audio.rate)])):
        recognizer.push(frame)
    return await recognizer.finish()


async def test_an_utterance_of_the_grammar_comes_from_the_grammar_pass(
    ko_model: SpeechModel, pool: DecoderPool, speak: Speak
) -> None:
    recognizer = await Recognizer.create(ko_model, pool, grammar=GRAMMAR)
    result = await stream(recognizer, speak("안녕하세요", "ko", 8000))
    assert (result.text, result.source) == ("안녕하세요", "grammar")
    assert recognizer.redecodes == 0
    await recognizer.set_grammar(None)
    free = await stream(recognizer, speak(SENTENCE, "ko", 8000))
    assert free.source == "free" and recognizer.redecodes == 0
    await recognizer.close()


async def test_an_utterance_the_grammar_does_not_cover_is_decoded_again_freely(
    ko_model: SpeechModel, pool: DecoderPool, speak: Speak
) -> None:
    audio = speak(SENTENCE, "ko", 8000)
    # The Korean model has no [unk] word: its grammar pass forces the grammar's words on any
    # speech, with full confidence, so only a threshold above that sends it to free speech.
    forced = await Recognizer.create(ko_model, pool, grammar=["감사합니다"])
    grammar_only = await stream(forced, audio)
    assert grammar_only.source == "grammar" and grammar_only.words
    assert {w.word for w in grammar_only.words} == {"감사합니다"}
    await forced.close()
    recognizer = await Recognizer.create(ko_model, pool, grammar=["감사합니다"],
                                         redecode_below=1.01)
    result = await stream(recognizer, audio)
    assert result.source == "free_after_grammar" and recognizer.redecodes == 1
    heard = {w.word for w in result.words}
    assert heard and "감사합니다" not in heard, result.text
    # what free speech hears in the same audio (espeak's Korean is not heard word for word
    # at 8 kHz, and a decoder carries Vosk's speaker adaptation from its earlier utterances,
    # so two free decodings of the same audio differ: a third of the words must agree)
    free = await Recognizer.create(ko_model, pool)
    freely = {w.word for w in (await stream(free, audio)).words}
    await free.close()
    assert len(heard & freely) >= max(2, len(freely) / 3), (result.text, freely)
    assert all(0.0 <= w.start < w.end <= audio.duration + 0.4 for w in result.words)
    assert ko_model.decoders.lent == 0  # both decoders went back to the shelf
    # the next utterance starts with the grammar again, and is decoded again too
    again = await stream(recognizer, speak("감사합니다", "ko", 8000))
    assert again.source == "free_after_grammar" and recognizer.redecodes == 2
    await recognizer.close()


async def test_the_kept_audio_is_bounded(
    ko_model: SpeechModel, pool: DecoderPool, speak: Speak
) -> None:
    audio = speak(SENTENCE, "ko", 8000)
    recognizer = await Recognizer.create(ko_model, pool, grammar=["감사합니다"],
                                         redecode_below=1.01, keep_ms=500)
    result = await stream(recognizer, audio)
    assert recognizer.redecodes == 1
    if result.source == "free_after_grammar":  # words heard in the first half second only
        assert all(w.end <= 0.6 for w in result.words), result.words
    full = await Recognizer.create(ko_model, pool, grammar=["감사합니다"], redecode_below=1.01)
    whole = await stream(full, audio)
    assert max(w.end for w in whole.words) > 0.6
    await recognizer.close()
    await full.close()


def test_which_grammar_results_need_the_free_pass(ko_model: SpeechModel) -> None:
    recognizer = Recognizer(ko_model, grammar=GRAMMAR, redecode_below=0.5)
    word = Word("감사합니다", 0.1, 0.5, 0.9)
    sure = Recognition("감사합니다", 0.9, (word,), "grammar")
    assert not recognizer.needs_free_pass(sure)
    assert recognizer.needs_free_pass(Recognition("", 0.0, (), "grammar"))
    assert recognizer.needs_free_pass(Recognition("감사합니다", 0.9, (word,), "grammar", 1))
    assert not recognizer.needs_free_pass(
        Recognition("감사합니다 감사합니다", 0.9, (word, word), "grammar", 1))
    unsure = Word("감사합니다", 0.1, 0.5, 0.3)
    assert recognizer.needs_free_pass(Recognition("감사합니다", 0.3, (unsure,), "grammar"))
    assert not recognizer.needs_free_pass(Recognition("", 0.0, (), "free"))
