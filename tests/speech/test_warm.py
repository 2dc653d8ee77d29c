"""Decoders warmed before the first calls (real Korean model, real espeak-ng speech): they go
on the shelf within its limit, the next utterance is decoded by one of them with true word
times, and a stop request leaves the shelf as it was."""

from __future__ import annotations

import threading

from speech.convert import Rechunker, concat, silence
from speech.recognizer import Recognizer, SpeechModel
from tests.speech.conftest import KO_MODEL_DIR, Speak

PHRASES = ["안녕하세요", "감사합니다", "전화 번호"]


def limited(ko_model: SpeechModel, limit: int) -> SpeechModel:
    return SpeechModel(ko_model.vosk_model, KO_MODEL_DIR, ko_model.sample_rate, True, limit)


def test_warmed_decoders_wait_on_the_shelf_and_serve_the_next_utterance(
    ko_model: SpeechModel, speak: Speak
) -> None:
    model = limited(ko_model, 2)
    speech = concat([speak("안녕하세요 감사합니다", "ko", 8000), silence(300, 8000)])
    assert model.warm(speech, 3) == 2  # the limit: no more decoders than calls may borrow
    assert model.decoders.made == 2 and model.decoders.idle == 2 and model.decoders.lent == 0
    recognizer = Recognizer(model, input_rate=16000)  # free speech: a warmed decoder
    hello = concat([silence(500, 16000), speak("안녕하세요", "ko", 16000), silence(300, 16000)])
    for piece in Rechunker(20).push(hello):
        recognizer.accept_blocking(piece)
    result = recognizer.finish_blocking()
    assert model.decoders.made == 2  # none built for the call
    assert result.words and 0.3 <= result.words[0].start <= 0.8  # times from this utterance


def test_a_stop_request_leaves_the_shelf_as_it_was(
    ko_model: SpeechModel, speak: Speak
) -> None:
    model = limited(ko_model, 4)
    stop = threading.Event()
    stop.set()
    assert model.warm(speak("안녕하세요", "ko", 8000), 2, stop) == 0
    assert model.decoders.made == 0 and model.decoders.idle == 0
