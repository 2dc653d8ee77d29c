"""Vosk recognition with the real Korean model and real espeak-ng Korean speech."""

from __future__ import annotations

import asyncio
import json
import threading
from pathlib import Path

import pytest

from speech.convert import Rechunker, concat, silence
from speech.errors import (
    AudioFormatError,
    GrammarNotSupported,
    ModelUnavailable,
    RecognitionFailed,
)
from speech.frames import AudioFrame
from speech.recognizer import DecoderPool, Recognition, Recognizer, SpeechModel
from speech.vosk_model import GRAMMARS_KEPT
from tests.speech.conftest import KO_MODEL_DIR, Speak

PHRASES = ["안녕하세요", "감사합니다", "전화 번호", "하나 둘 셋", "대한민국"]
GRAMMAR_WORDS = {word for phrase in PHRASES for word in phrase.split()}


def decode(recognizer: Recognizer, audio: AudioFrame) -> tuple[list[str], Recognition]:
    partials = [recognizer.accept_blocking(f) for f in Rechunker(20).push(audio)]
    return partials, recognizer.finish_blocking()


def test_model_loads_with_its_rate_and_runtime_graph(ko_model: SpeechModel) -> None:
    assert ko_model.sample_rate == 16000
    assert ko_model.dynamic_grammar
    assert ko_model.knows("안녕하세요") and not ko_model.knows("bonjour")


def test_missing_or_broken_model_is_unavailable(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="no Vosk model folder"):
        SpeechModel.load(tmp_path / "nothing")
    (tmp_path / "am").mkdir()
    with pytest.raises(ModelUnavailable, match="could not load") as caught:
        SpeechModel.load(tmp_path)
    assert caught.value.code == "model_unavailable"


@pytest.mark.parametrize("rate", [8000, 16000])
def test_streaming_gives_partials_then_words_with_timings(
    ko_model: SpeechModel, speak: Speak, rate: int
) -> None:
    audio = concat([speak("안녕하세요. 전화 번호 하나 둘 셋", "ko", rate), silence(300, rate)])
    partials, result = decode(Recognizer(ko_model, input_rate=rate), audio)
    assert any(partials), "no partial result while the speech streamed in"
    assert result.text and result.words
    assert result.text == " ".join(w.word for w in result.words)
    assert 0.0 < result.confidence <= 1.0
    ends = [w.end for w in result.words]
    assert ends == sorted(ends)
    assert all(0.0 <= w.start < w.end <= audio.duration + 0.1 for w in result.words)
    assert all(0.0 <= w.conf <= 1.0 for w in result.words)


@pytest.mark.parametrize("rate", [8000, 16000])
def test_grammar_restricts_the_output_vocabulary(
    ko_model: SpeechModel, speak: Speak, rate: int
) -> None:
    for phrase in PHRASES:
        _, result = decode(
            Recognizer(ko_model, input_rate=rate, grammar=PHRASES), speak(phrase, "ko", rate)
        )
        assert result.words, phrase
        assert {w.word for w in result.words} <= GRAMMAR_WORDS, (phrase, result.text)
    _, hello = decode(
        Recognizer(ko_model, input_rate=rate, grammar=PHRASES), speak("안녕하세요", "ko", rate)
    )
    assert hello.text == "안녕하세요"


def test_grammar_errors_are_clear(ko_model: SpeechModel) -> None:
    with pytest.raises(GrammarNotSupported) as empty:
        Recognizer(ko_model, grammar=["bonjour madame"])
    assert empty.value.code == "grammar_empty"
    static = SpeechModel(ko_model.vosk_model, KO_MODEL_DIR, 16000, dynamic_grammar=False)
    with pytest.raises(GrammarNotSupported, match="static graph"):
        Recognizer(static, grammar=PHRASES)
    # Phrases with unknown words are dropped, the rest still works.
    assert ko_model.grammar(["bonjour", "안녕하세요"]) == '["안녕하세요"]'


def test_phrases_are_spelled_with_the_model_vocabulary(ko_model: SpeechModel) -> None:
    assert ko_model.spell("전화 번호") == ["전화", "번호"]
    # A hyphenated or elided word the model lacks is split into words it has.
    assert ko_model.spell("안녕하세요-감사합니다") == ["안녕하세요", "감사합니다"]
    assert ko_model.spell("bonjour-madame") is None
    assert json.loads(ko_model.grammar(["안녕하세요-감사합니다", "xyz"])) == [
        "안녕하세요 감사합니다"
    ]


def test_a_grammar_is_spelt_once_then_reused_and_few_are_kept(
    ko_model: SpeechModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    spelt: list[str] = []
    spell = ko_model.spell

    def counting(phrase: str) -> list[str] | None:
        spelt.append(phrase)
        return spell(phrase)

    monkeypatch.setattr(ko_model, "spell", counting)
    phrases = ["감사합니다", "전화 번호", "bonjour"]
    first = ko_model.grammar(phrases)
    assert json.loads(first) == ["감사합니다", "전화 번호"] and len(spelt) == 3
    assert ko_model.grammar(phrases) == first and len(spelt) == 3  # the next call, the same
    assert ko_model.grammar(phrases[:2]) == first and len(spelt) == 5  # other phrases: spelt
    for n in range(GRAMMARS_KEPT + 1):
        ko_model.grammar(["감사합니다", f"x{n}"])
    assert len(ko_model._grammars) == GRAMMARS_KEPT
    spelt.clear()
    ko_model.grammar(phrases)  # the oldest went first: spelt again
    assert len(spelt) == 3


def test_silence_gives_an_empty_result(ko_model: SpeechModel) -> None:
    partials, result = decode(Recognizer(ko_model, input_rate=8000), silence(1500, 8000))
    assert result == Recognition("", 0.0, ())
    assert not any(partials)


def test_wrong_audio_format_is_refused(ko_model: SpeechModel) -> None:
    recognizer = Recognizer(ko_model, input_rate=8000)
    with pytest.raises(AudioFormatError, match="8000 Hz"):
        recognizer.accept_blocking(silence(20, 16000))


def test_recognizer_is_reusable_after_finish(ko_model: SpeechModel, speak: Speak) -> None:
    recognizer = Recognizer(ko_model, input_rate=8000, grammar=PHRASES)
    _, first = decode(recognizer, speak("안녕하세요", "ko", 8000))
    _, second = decode(recognizer, speak("안녕하세요", "ko", 8000))
    assert first.text == second.text == "안녕하세요"


def test_recognizers_share_one_model_across_threads(ko_model: SpeechModel, speak: Speak) -> None:
    # Free decoding is not bit-for-bit repeatable in Vosk (even in one thread), so each thread
    # decodes with the grammar, where the answer is known, and freely, where words must come.
    hello = speak("안녕하세요", "ko", 8000)
    sentence = speak("전화 번호 하나 둘 셋", "ko", 8000)
    results: list[tuple[str, int]] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            _, grammar = decode(Recognizer(ko_model, input_rate=8000, grammar=PHRASES), hello)
            _, free = decode(Recognizer(ko_model, input_rate=8000), sentence)
            results.append((grammar.text, len(free.words)))
        except BaseException as err:  # reported below, in the test's thread
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(results) == 4
    assert all(text == "안녕하세요" and words >= 2 for text, words in results), results


async def test_async_decoding_in_the_bounded_pool(
    ko_model: SpeechModel, speak: Speak, pool: DecoderPool
) -> None:
    audio = speak("안녕하세요", "ko", 16000)

    async def one() -> Recognition:
        recognizer = await Recognizer.create(ko_model, pool, input_rate=16000)
        await recognizer.set_grammar(PHRASES)
        for frame in Rechunker(20).push(audio):
            await recognizer.accept(frame)
        return await recognizer.finish()

    results = await asyncio.gather(one(), one(), one())
    assert [r.text for r in results] == ["안녕하세요"] * 3
    threads_seen = {t.name for t in threading.enumerate() if t.name.startswith("vosk-decoder")}
    assert 1 <= len(threads_seen) <= pool.max_workers


def test_one_recognizer_per_call_changes_grammar_between_utterances(
    ko_model: SpeechModel, speak: Speak
) -> None:
    hello = speak("안녕하세요", "ko", 8000)
    recognizer = Recognizer(ko_model, input_rate=8000)
    free = decode(recognizer, hello)[1]
    assert free.text != "안녕하세요"  # espeak Korean decoded freely is not the phrase
    recognizer.set_grammar_blocking(PHRASES)
    second = decode(recognizer, hello)[1]
    assert second.text == "안녕하세요"
    # Timings count from each utterance's own start, not from the call's first one.
    assert abs(second.words[0].start - free.words[0].start) < 0.2
    recognizer.set_grammar_blocking(None)
    assert not {w.word for w in decode(recognizer, hello)[1].words} <= GRAMMAR_WORDS
    recognizer.accept_blocking(AudioFrame(hello.pcm[:320], 8000))
    with pytest.raises(RecognitionFailed) as caught:
        recognizer.set_grammar_blocking(PHRASES)
    assert caught.value.code == "grammar_mid_utterance"
    recognizer.reset_blocking()
    recognizer.set_grammar_blocking(PHRASES)
    assert decode(recognizer, hello)[1].text == "안녕하세요"
