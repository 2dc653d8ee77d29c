"""When parts fail: synthesis (recorded fallback prompts, then a person or a polite end)."""

from __future__ import annotations

import asyncio

from ivr.session.fallback_prompts import PACKAGED
from speech.tts import Synthesizer
from speech.wav import read_wav
from tests.session.caller import LoopbackCaller
from tests.session.conftest import ServiceFactory
from tests.session.doubles import BrokenEngine, RecordingSwitchboard


def seconds(*prompt_ids: str) -> float:
    return sum(read_wav(PACKAGED / f"{p}.wav").duration for p in prompt_ids)


async def test_without_a_voice_the_caller_hears_recordings_and_reaches_a_person(
    make_service: ServiceFactory,
) -> None:
    board = RecordingSwitchboard(agents=1)
    broken = Synthesizer([BrokenEngine()])
    async with make_service(synthesizer=broken, switchboard=board) as service, LoopbackCaller(
        service.audiosocket_port
    ) as caller:
        board.after_transfer = caller.hangup
        report = await asyncio.wait_for(service.finished.get(), 30)
    assert report.outcome == "transferred"
    [(_, variables, target)] = board.transfers
    assert variables["STANDARDISTE_REASON"] == "Synthèse vocale indisponible"
    assert target.exten == "queue"
    heard = len(caller.heard) * 0.02
    assert abs(heard - seconds("erreur", "transfert")) < 0.2  # the two recorded sentences


async def test_without_a_voice_or_a_person_the_call_ends_politely(
    make_service: ServiceFactory,
) -> None:
    broken = Synthesizer([BrokenEngine()])
    async with make_service(synthesizer=broken) as service:
        async with LoopbackCaller(service.audiosocket_port) as caller:
            await caller.wait_end(30)
        report = await asyncio.wait_for(service.finished.get(), 10)
    assert report.outcome == "abandoned" and caller.hangup_received
    heard = len(caller.heard) * 0.02
    assert abs(heard - seconds("erreur", "indisponible", "rappeler")) < 0.2
    failures = service.metrics.registry.get_sample_value(
        "ivr_errors_total", {"code": "synthesis_failed"})
    assert failures is not None and failures >= 1
