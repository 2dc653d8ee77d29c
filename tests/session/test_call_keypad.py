"""Whole calls through the real AudioSocket framing on loopback (no Asterisk): the keypad
path to an answer, the call record, the caller hanging up mid-prompt, shutdown."""

from __future__ import annotations

import asyncio
import uuid

from dialogs.nodes.feedback import sampled
from ivr.session.fallback_prompts import TEXTS
from ivr.storage import calls
from tests.session.caller import LoopbackCaller
from tests.session.conftest import FLOWS, ServiceFactory
from tests.session.doubles import ExplodingSwitchboard, PhraseUnderstander
from tests.telephony.peers import eventually, open_sockets

SESSION_TASKS = ("line-", "recorder-", "speaker", "audiosocket-paced-writer")


def said(report_turns: list[dict[str, object]], speaker: str) -> list[str]:
    return [str(t["text"]) for t in report_turns if t["speaker"] == speaker]


async def test_a_keypad_call_reaches_an_answer_and_is_recorded(
    make_service: ServiceFactory,
) -> None:
    async with make_service() as service, LoopbackCaller(service.audiosocket_port) as caller:
        followed = service.live.subscribe()  # the agent console follows calls
        await caller.wait_heard(10)  # the greeting is playing
        caller.press("1")  # the hours, pressed over the greeting
        await asyncio.sleep(1.5)
        before_goodbye = len(caller.heard)
        caller.press("2")  # end the call
        await caller.wait_end()
        report = await asyncio.wait_for(service.finished.get(), 10)
        assert service.resources is not None and service.resources.database is not None
        record = await service.resources.database.run(calls.get_call, report.call_id)
        events = []
        while (event := await followed.next(0.2)) is not None:
            events.append(event)
    assert events[0].kind == "start" and events[-1].kind == "end"
    assert events[-1].reason == "resolved" and not service.live.snapshot()
    assert [e.text for e in events if e.speaker == "caller"] == ["[touches 1]", "[touches 2]"]
    assert report.outcome == "resolved" and report.keypad_only
    assert said(report.turns, "caller") == ["[touches 1]", "[touches 2]"]
    assistant = said(report.turns, "assistant")
    assert assistant[0].startswith("Bonjour, vous êtes bien à la mairie")
    assert "utilisez le clavier" in assistant[0]  # no speech model here: keypad announced
    assert "L'accueil de la mairie est ouvert" in assistant[1]
    assert assistant[-1] == "Merci de votre appel. Bonne journée, au revoir."
    assert caller.hangup_received and len(caller.heard) > before_goodbye + 50  # goodbye heard
    assert report.barge_ins == 2  # both keys cut a prompt
    assert record.outcome == "resolved" and record.ended_at is not None
    assert [t.speaker for t in record.turns] == ["assistant", "caller", "assistant", "caller",
                                                 "assistant"]
    assert record.turns[1].text == "[touches 1]"


async def test_the_caller_hanging_up_mid_prompt_ends_the_session_cleanly(
    make_service: ServiceFactory,
) -> None:
    async with make_service() as service:
        sockets = open_sockets()
        caller = LoopbackCaller(service.audiosocket_port)
        await caller.__aenter__()
        await caller.wait_heard(10)
        await asyncio.sleep(0.5)
        await caller.hangup()  # in the middle of the greeting
        report = await asyncio.wait_for(service.finished.get(), 10)
        assert await eventually(lambda: not service.calls, 3)
        assert service.resources is not None and service.resources.database is not None
        record = await service.resources.database.run(calls.get_call, report.call_id)
        assert await eventually(lambda: open_sockets() == sockets, 3)
        leftovers = [t.get_name() for t in asyncio.all_tasks()
                     if t.get_name().startswith(SESSION_TASKS)]
        assert leftovers == []
    assert report.outcome == "abandoned"
    assert record.outcome == "abandoned" and record.ended_at is not None
    assert service.metrics.registry.get_sample_value("ivr_active_calls") == 0
    assert service.metrics.registry.get_sample_value(
        "ivr_calls_total", {"outcome": "abandoned"}) == 1


async def test_shutdown_ends_calls_politely_and_refuses_new_ones(
    make_service: ServiceFactory,
) -> None:
    async with make_service() as service:
        port = service.audiosocket_port
        caller = LoopbackCaller(port)
        await caller.__aenter__()
        await caller.wait_heard(10)
        heard = len(caller.heard)
        closing = asyncio.create_task(service.close())
        await caller.wait_end(10)
        await closing
        report = await asyncio.wait_for(service.finished.get(), 5)
        late = LoopbackCaller(port)
        refused = False
        try:
            await late.__aenter__()
            await late.wait_end(2)
            refused = not late.heard
        except OSError:
            refused = True
        finally:
            await late.hangup()
        await caller.hangup()
    assert said(report.turns, "assistant")[-1] == TEXTS["fermeture"]
    assert caller.hangup_received and len(caller.heard) > heard + 100  # the goodbye was heard
    assert report.outcome == "abandoned"
    assert refused


async def test_a_failure_in_one_call_ends_it_politely_and_spares_the_others(
    make_service: ServiceFactory,
) -> None:
    async with make_service(switchboard=ExplodingSwitchboard()) as service:
        port = service.audiosocket_port
        async with LoopbackCaller(port) as broken, LoopbackCaller(port) as other:
            await broken.wait_heard(10)
            await other.wait_heard(10)
            broken.press("0")  # the transfer path meets the bug
            await broken.wait_end(20)
            other.press("1")
            await asyncio.sleep(1.5)
            other.press("2")
            await other.wait_end(20)
            reports = {r.call_id: r for r in [await service.finished.get() for _ in range(2)]}
    failed, fine = reports[str(broken.call_id)], reports[str(other.call_id)]
    assert failed.outcome == "abandoned" and broken.hangup_received
    assert any(e.startswith("session_failed") for e in failed.errors)
    assert fine.outcome == "resolved" and fine.errors == []
    assert said(fine.turns, "caller") == ["[touches 1]", "[touches 2]"]


async def test_a_call_never_outlasts_its_limit(make_service: ServiceFactory) -> None:
    async with make_service(session={"max_call_s": 4.0}) as service, LoopbackCaller(
        service.audiosocket_port
    ) as caller:  # a caller who never answers anything
        await caller.wait_end(20)
        report = await asyncio.wait_for(service.finished.get(), 5)
    assert caller.hangup_received and report.outcome == "abandoned"
    assert caller.heard[-1][0] - caller.heard[0][0] < 4.0 + 4.0  # limit, then the goodbye


async def test_star_one_slows_the_voice_for_the_rest_of_the_call(
    make_service: ServiceFactory,
) -> None:
    async with make_service() as service, LoopbackCaller(service.audiosocket_port) as caller:
        await caller.wait_heard(10)
        caller.press("*1")  # a two-key code: slower, please
        await asyncio.sleep(0.3)
        before = len(caller.heard)
        await caller.wait_quiet(0.6, 60)
        slow_s = (len(caller.heard) - before) * 0.02
        await caller.hangup()
        report = await asyncio.wait_for(service.finished.get(), 10)
        assert service.resources is not None
        text = said(report.turns, "assistant")[1]
        normal_s = (await service.resources.prompts.render(text, 8000)).duration
    assert said(report.turns, "caller") == ["[touches *1]"]
    assert text.startswith("D'accord, je vais parler plus lentement.")
    assert slow_s > normal_s * 1.1  # said at the slower pace (0.8 of the normal rate)


async def test_a_satisfaction_answer_is_stored_with_the_call(
    make_service: ServiceFactory,
) -> None:
    # the session gives the engine its call id (the sampling key: half the calls are asked,
    # and a call with no id would never be) and the database keeps the answer with the call
    asked = next(u for i in range(1, 100) if sampled(str(u := uuid.UUID(int=i)), 0.5))
    assert not sampled("", 0.5)
    flow = {"flow": FLOWS / "avis.yaml", "understander": PhraseUnderstander({})}
    async with make_service(**flow) as service, \
            LoopbackCaller(service.audiosocket_port, call_id=asked) as caller:
        await caller.wait_heard(10)
        caller.press("4")
        await caller.wait_end()
        report = await asyncio.wait_for(service.finished.get(), 10)
        assert service.resources is not None and service.resources.database is not None
        record = await service.resources.database.run(calls.get_call, report.call_id)
    assert report.outcome == "resolved"
    assert "Merci pour votre avis." in said(report.turns, "assistant")[-1]
    assert (record.satisfaction_scale, record.satisfaction_score) == ("1-5", 4)
