"""Warm Vosk decoders lent to every call's recognizer for one utterance at a time (real Korean
model, real espeak-ng speech): a later call reuses a decoder instead of making a cold one,
decoders follow the utterances under way (not the recognizers), grammars are kept apart, and
word timings stay relative to each utterance."""

from __future__ import annotations

from speech.convert import Rechunker, concat, silence
from speech.decoders import DecoderShelf
from speech.frames import AudioFrame
from speech.recognizer import Recognition, Recognizer, SpeechModel
from tests.speech.conftest import KO_MODEL_DIR, Speak

PHRASES = ["안녕하세요", "감사합니다", "전화 번호"]


def fresh(ko_model: SpeechModel) -> SpeechModel:
    """The loaded model with a shelf of its own (the session's model is shared by tests)."""
    return SpeechModel(ko_model.vosk_model, KO_MODEL_DIR, ko_model.sample_rate, True)


def decode(recognizer: Recognizer, audio: AudioFrame) -> Recognition:
    for piece in Rechunker(20).push(audio):
        recognizer.accept_blocking(piece)
    return recognizer.finish_blocking()


def test_a_later_call_decodes_on_the_warm_decoder_of_an_earlier_one(
    ko_model: SpeechModel, speak: Speak
) -> None:
    model = fresh(ko_model)
    hello = concat([silence(300, 16000), speak("안녕하세요", "ko", 16000), silence(300, 16000)])
    first = Recognizer(model, input_rate=16000, grammar=PHRASES)
    assert decode(first, hello).text == "안녕하세요"
    assert decode(first, hello).text == "안녕하세요"
    second = Recognizer(model, input_rate=16000, grammar=PHRASES)
    result = decode(second, hello)
    assert result.text == "안녕하세요"
    assert model.decoders.made == 1 and model.decoders.idle == 1
    # the decoder has decoded three utterances; times still count from this one's start
    assert result.words and result.words[0].start < hello.duration_ms / 1000


def test_decoders_follow_the_utterances_under_way_and_their_grammar(
    ko_model: SpeechModel, speak: Speak
) -> None:
    model = fresh(ko_model)
    hello = speak("안녕하세요", "ko", 16000)
    a = Recognizer(model, input_rate=16000, grammar=PHRASES)
    b = Recognizer(model, input_rate=16000, grammar=PHRASES)
    assert model.decoders.made == 1  # recognizers alone hold no decoder
    piece = next(iter(Rechunker(20).push(hello)))
    a.accept_blocking(piece)
    b.accept_blocking(piece)  # two utterances at once: two decoders
    assert model.decoders.made == 2 and model.decoders.idle == 0
    a.finish_blocking()
    b.finish_blocking()
    assert model.decoders.idle == 2
    a.set_grammar_blocking(None)  # free speech needs a decoder of its own
    decode(a, hello)
    assert model.decoders.made == 3 and model.decoders.idle == 3
    b.accept_blocking(piece)
    b.reset_blocking()  # an abandoned utterance gives its decoder back too
    assert model.decoders.idle == 3


def test_the_shelf_keeps_at_most_max_idle_decoders() -> None:
    shelf = DecoderShelf(lambda grammar: object(), max_idle=2)
    taken = [shelf.take("[]") for _ in range(3)]
    for decoder in taken:
        shelf.give_back(decoder)
    assert shelf.made == 3 and shelf.idle == 2
    assert shelf.take("[]") is taken[1]  # the most recently returned kept one first
