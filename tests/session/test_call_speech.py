"""Calls where the caller speaks: the real Vosk recognizer with the Korean model (the only
real model available to tests) and real espeak-ng speech, over loopback AudioSocket.
Barge-in, a cough that must not interrupt, a dialogue error, and a French call where a
French model is installed."""

from __future__ import annotations

import asyncio
import itertools
import os
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from ivr.session.call import KEYPAD_SWITCH
from ivr.session.call_endings import NO_AGENT
from ivr.storage import calls
from speech.convert import concat, frame_of, resample, silence
from speech.frames import AudioFrame
from speech.wav import read_wav
from tests.session.caller import LoopbackCaller
from tests.session.conftest import FLOWS, ServiceFactory
from tests.session.doubles import FailingUnderstander, PhraseUnderstander, RecordingSwitchboard

FLOW = FLOWS / "essai.yaml"
KOREAN = {"session": {"hint_grammar": True}, "korean": True, "flow": FLOW}


@pytest.fixture(scope="module")
def speak(tmp_path_factory: pytest.TempPathFactory) -> object:
    folder = tmp_path_factory.mktemp("voices")

    def run(text: str, voice: str, rate: int = 8000) -> AudioFrame:
        path = folder / f"{abs(hash((text, voice)))}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-w", str(path), text], check=True)
        return resample(read_wav(path), rate)

    return run


def burst(ms: float, rate: int = 8000) -> AudioFrame:
    """A loud short noise (a cough): white noise over a low tone."""
    n = round(rate * ms / 1000)
    rng = np.random.default_rng(7)
    t = np.arange(n) / rate
    return frame_of(6000 * np.sin(2 * np.pi * 180 * t) + rng.normal(0, 3000, n), rate)


async def greeting_frames(service: object) -> int:
    """How many 20 ms frames the greeting and the menu question last."""
    from ivr.service import Service

    assert isinstance(service, Service) and service.resources is not None
    res = service.resources
    loaded = (await asyncio.to_thread(res.current_flow)).loaded
    total = 0.0
    for node in ("bonjour", "menu"):
        flow_node = loaded.flow.nodes[node]
        text = getattr(flow_node, "say", None) or flow_node.prompt
        total += (await res.prompts.render(" ".join(str(text).split()), 8000)).duration
    return int(total / 0.02)


async def test_speech_over_a_prompt_stops_it_and_is_the_answer(
    make_service: ServiceFactory, speak: object
) -> None:
    hello = speak("안녕하세요", "ko")  # type: ignore[operator]
    understander = PhraseUnderstander({"안녕하세요": "horaires"})
    async with make_service(understander=understander, **KOREAN) as service:
        full = await greeting_frames(service)
        async with LoopbackCaller(service.audiosocket_port) as caller:
            await caller.wait_heard(10)
            await asyncio.sleep(1.0)
            spoke_at = time.monotonic()
            caller.say(concat([hello, silence(1000, 8000)]))
            await caller.wait_end(30)
        report = await asyncio.wait_for(service.finished.get(), 10)
        assert service.resources is not None and service.resources.database is not None
        record = await service.resources.database.run(calls.get_call, report.call_id)
    greeting = [at for at, _ in caller.heard if at < spoke_at + 1.2]
    assert len(greeting) < full - 50  # cut well before its end
    after = [at for at, _ in caller.heard if at > spoke_at]
    gap = [b - a for a, b in itertools.pairwise(after) if b - a > 0.1]
    assert gap, "the assistant never went quiet after the caller spoke"
    assert report.barge_ins == 1
    caller_turns = [t for t in report.turns if t["speaker"] == "caller"]
    assert caller_turns[0]["text"] == "안녕하세요" and caller_turns[0]["intent"] == "horaires"
    assert report.recognitions == {"grammar": 1}  # the menu's grammar heard it, no re-decode
    assert "La mairie est ouverte" in str(report.turns[2]["text"])
    assert report.outcome == "resolved"
    # stored with both confidences apart: the recogniser's and the understanding's
    heard = next(turn for turn in record.turns if turn.speaker == "caller")
    assert heard.intent == "horaires" and heard.intent_confidence == 0.95
    assert heard.confidence is not None and 0.0 < heard.confidence <= 1.0


async def test_a_cough_does_not_stop_the_prompt(
    make_service: ServiceFactory,
) -> None:
    understander = PhraseUnderstander({"안녕하세요": "horaires"})
    async with make_service(understander=understander, **KOREAN) as service:
        full = await greeting_frames(service)
        async with LoopbackCaller(service.audiosocket_port) as caller:
            await caller.wait_heard(10)
            await asyncio.sleep(1.0)
            caller.say(burst(150))
            await caller.wait_quiet(0.5, 40)
            heard = len(caller.heard)
    assert heard >= full - 5  # the greeting and the question were played to their end
    assert heard < full + 50


async def test_a_dialogue_error_brings_an_apology_and_a_transfer(
    make_service: ServiceFactory, speak: object
) -> None:
    board = RecordingSwitchboard(agents=1)
    service_kw = {"understander": FailingUnderstander(), "switchboard": board, **KOREAN}
    async with make_service(**service_kw) as service, LoopbackCaller(
        service.audiosocket_port
    ) as caller:
        board.after_transfer = caller.hangup
        await caller.wait_heard(1, 10)
        await asyncio.sleep(1.0)  # over the greeting
        caller.say(concat([speak("안녕하세요", "ko"), silence(1500, 8000)]))  # type: ignore[operator]
        report = await asyncio.wait_for(service.finished.get(), 40)
    assert report.outcome == "transferred"
    assert any(e.startswith("dialogue_error") for e in report.errors)
    said = [str(t["text"]) for t in report.turns if t["speaker"] == "assistant"]
    assert "une erreur est survenue. Je vous passe un conseiller" in said[-1]
    [(_, variables, _)] = board.transfers
    assert variables["STANDARDISTE_REASON"] == "Erreur de l'assistant vocal"
    assert NO_AGENT not in " ".join(said)


FRENCH_MODEL = os.environ.get("IVR_VOSK_MODEL", "")


@pytest.mark.french_model
@pytest.mark.skipif(
    not (FRENCH_MODEL and Path(FRENCH_MODEL, "am").is_dir()),
    reason="needs a French Vosk model: set IVR_VOSK_MODEL to one (`ivr models download "
           "fr-small`); none can be downloaded on the test machines",
)
async def test_a_french_caller_is_understood(
    make_service: ServiceFactory, speak: object, tmp_path: Path
) -> None:
    words = speak("je voudrais connaître les horaires de la mairie", "roa/fr")  # type: ignore[operator]
    async with make_service(vosk_model=Path(FRENCH_MODEL)) as service:
        assert service.resources is not None and service.resources.model is not None
        async with LoopbackCaller(service.audiosocket_port) as caller:
            await caller.wait_quiet(0.4, 60)
            caller.say(concat([words, silence(1500, 8000)]))
            await asyncio.sleep(6)
        report = await asyncio.wait_for(service.finished.get(), 10)
    caller_turns = [t for t in report.turns if t["speaker"] == "caller"]
    assert caller_turns and caller_turns[0]["intent"] == "horaires"


async def test_recognition_failing_mid_call_moves_the_call_to_the_keypad(
    make_service: ServiceFactory,
) -> None:
    understander = PhraseUnderstander({"안녕하세요": "horaires"})
    async with make_service(understander=understander, **KOREAN) as service, LoopbackCaller(
        service.audiosocket_port
    ) as caller:
        await caller.wait_heard(10)
        await asyncio.sleep(0.5)
        caller.rate = 16000  # audio the recognizer of this call cannot take any more
        await asyncio.sleep(1.0)
        caller.press("1")
        await caller.wait_end(30)
        report = await asyncio.wait_for(service.finished.get(), 10)
    assert report.keypad_only and any(e.startswith("audio_format") for e in report.errors)
    said = [str(t["text"]) for t in report.turns if t["speaker"] == "assistant"]
    assert KEYPAD_SWITCH in said
    assert [t["text"] for t in report.turns if t["speaker"] == "caller"] == ["[touches 1]"]
    assert report.outcome == "resolved"


async def test_calls_ended_mid_sentence_leave_no_decoder_lent(
    make_service: ServiceFactory, speak: object
) -> None:
    """A hang-up mid-sentence, then the service closing mid-sentence (the turn is cancelled
    with the utterance under way): each time the decoder goes back to the shelf. The caller
    speaks over the long greeting (barge-in), which also starts an utterance."""
    sentence = speak("안녕하세요 감사합니다 전화 번호 하나 둘 셋", "ko")  # type: ignore[operator]
    understander = PhraseUnderstander({"안녕하세요": "horaires"})
    async with make_service(understander=understander, **KOREAN) as service:
        res = service.resources
        assert res is not None and res.model is not None
        for ending in ("hangup", "closing"):
            async with LoopbackCaller(service.audiosocket_port) as caller:
                await caller.wait_heard(10)
                caller.say(sentence)
                await asyncio.sleep(sentence.duration_ms / 2000)
                assert res.model.decoders.lent == 1  # decoding while the caller speaks
                if ending == "hangup":
                    await caller.hangup()
                else:
                    res.closing.set()
                    await caller.wait_end(30)
            report = await asyncio.wait_for(service.finished.get(), 10)
            assert report.outcome == "abandoned"
            assert res.model.decoders.lent == 0  # back on the shelf for the next calls


class MessageUnderstander(PhraseUnderstander):
    """Korean phrases to intents, and any words as a message."""

    def extract(self, kind: str, text: str, now: object) -> str | None:  # type: ignore[override]
        return text.strip() or None if kind == "text" else None


async def test_a_free_text_step_is_heard_with_free_speech(
    make_service: ServiceFactory, speak: object
) -> None:
    hello = speak("안녕하세요", "ko")  # type: ignore[operator]
    sentence = speak("전화 번호 하나 둘 셋", "ko")  # type: ignore[operator]
    understander = MessageUnderstander({"안녕하세요": "horaires"})
    flow = {**KOREAN, "flow": FLOWS / "libre.yaml"}
    async with make_service(understander=understander, **flow) as service:
        async with LoopbackCaller(service.audiosocket_port) as caller:
            await caller.wait_heard(1, 10)
            await caller.wait_quiet(0.8, 20)
            caller.say(concat([hello, silence(1000, 8000)]))
            await asyncio.sleep(1.5)
            await caller.wait_quiet(0.8, 20)  # "Quel est votre message ?" was said
            caller.say(concat([sentence, silence(2000, 8000)]))
            await asyncio.sleep(2.5)
            await caller.wait_quiet(0.8, 20)  # the read-back question
            await caller.hangup()
        report = await asyncio.wait_for(service.finished.get(), 20)
    caller_turns = [t for t in report.turns if t["speaker"] == "caller"]
    assert [t["text"] for t in caller_turns][:1] == ["안녕하세요"], report.turns
    assert report.recognitions == {"grammar": 1, "free": 1}, report.turns
    message = str(caller_turns[1]["text"]).split()
    assert message and not set(message) <= {"안녕하세요", "감사합니다"}, message
