"""Transfers and what happens when nobody can take the call: loopback calls with a switchboard
double at the AMI boundary (the real AMI path is tested against Asterisk elsewhere)."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from ivr.session.call_endings import CANNOT_TRANSFER, NO_AGENT
from ivr.session.callback import OFFER_KEYPAD as OFFER
from ivr.storage import callbacks, calls
from tests.session.caller import LoopbackCaller
from tests.session.conftest import ServiceFactory, unasked_town_hall_flow
from tests.session.doubles import RecordingSwitchboard


def assistant_text(turns: list[dict[str, object]]) -> str:
    return " | ".join(str(t["text"]) for t in turns if t["speaker"] == "assistant")


async def test_zero_transfers_the_call_with_its_context(make_service: ServiceFactory) -> None:
    board = RecordingSwitchboard(agents=2)
    async with make_service(switchboard=board) as service:
        async with LoopbackCaller(service.audiosocket_port) as caller:
            board.after_transfer = caller.hangup  # Asterisk takes the channel away
            await caller.wait_heard(10)
            caller.press("0")
            report = await asyncio.wait_for(service.finished.get(), 20)
        assert service.resources is not None and service.resources.database is not None
        record = await service.resources.database.run(calls.get_call, report.call_id)
    assert report.outcome == "transferred"
    assert board.ends == []  # moved to a person, not ended: the dialplan must not hang up
    assert board.asked == ["standardiste-agents"]
    [(call_id, variables, target)] = board.transfers
    assert str(call_id) == report.call_id
    assert (target.context, target.exten) == ("standardiste-transfer", "queue")
    assert variables["STANDARDISTE_CALL_ID"] == report.call_id
    assert variables["STANDARDISTE_CALL_URL"] == (
        f"http://127.0.0.1:8080/agent/calls/{report.call_id}")
    assert variables["STANDARDISTE_REASON"] == "Le demandeur souhaite parler à un conseiller"
    assert variables["STANDARDISTE_SUMMARY"].startswith("Demande :")
    assert variables["STANDARDISTE_QUEUE"] == "standardiste-agents"
    assert all("," not in v and "\n" not in v for v in variables.values())
    assert "Je vous mets en relation" in assistant_text(report.turns)
    assert record.outcome == "transferred" and record.transfer_queue == "accueil"
    assert record.summary is not None and record.summary.startswith("Demande :")
    # the whisper waits for the agent who answers, under the UUID the dialplan will dial
    whisper = uuid.UUID(variables["STANDARDISTE_WHISPER"])
    assert service.resources.whispers.take(whisper) == (
        f"Appel transféré par l'assistant. {variables['STANDARDISTE_SUMMARY'].rstrip('.')}.")
    assert service.resources.whispers.take(whisper) is None  # played once


async def test_a_flow_without_whisper_sets_none(
    make_service: ServiceFactory, tmp_path: Path
) -> None:
    flow = unasked_town_hall_flow(tmp_path / "quiet")
    text = flow.read_text(encoding="utf-8")
    flow.write_text(text.replace("\nstart: accueil", "\nwhisper: false\nstart: accueil", 1),
                    encoding="utf-8")
    board = RecordingSwitchboard(agents=2)
    async with make_service(switchboard=board, flow=flow) as service, \
            LoopbackCaller(service.audiosocket_port) as caller:
        board.after_transfer = caller.hangup
        await caller.wait_heard(10)
        caller.press("0")
        report = await asyncio.wait_for(service.finished.get(), 20)
    assert report.outcome == "transferred"
    [(_, variables, _)] = board.transfers
    assert "STANDARDISTE_WHISPER" not in variables


async def test_no_agent_free_the_caller_leaves_a_callback_request(
    make_service: ServiceFactory,
) -> None:
    board = RecordingSwitchboard(agents=0)
    async with make_service(switchboard=board) as service:
        async with LoopbackCaller(service.audiosocket_port) as caller:
            await caller.wait_heard(10)
            caller.press("0")  # an agent, please
            await asyncio.sleep(1.0)
            caller.press("1")  # yes, call me back
            await asyncio.sleep(1.0)
            caller.press("0612345678#")
            await asyncio.sleep(1.0)
            caller.press("1")  # the number read back is right
            await caller.wait_end(30)
            report = await asyncio.wait_for(service.finished.get(), 10)
        assert service.resources is not None and service.resources.database is not None
        stored = await service.resources.database.run(callbacks.list_callbacks)
        record = await service.resources.database.run(calls.get_call, report.call_id)
    assert board.transfers == []
    # The service hung up itself, marked as a normal end (not a dead worker) for the dialplan.
    assert [str(call_id) for call_id in board.ends] == [report.call_id]
    said = assistant_text(report.turns)
    assert NO_AGENT in said and OFFER in said
    assert "Je vous mets en relation" not in said  # not promised when nobody can answer
    assert "06 12 34 56 78" in said
    assert report.outcome == "callback" and record.outcome == "callback"
    [request] = stored
    assert request.phone == "0612345678" and request.call_id == report.call_id
    assert request.queue == "accueil" and request.status == "pending"
    assert f"C {request.id}" in said  # the reference read back


async def test_without_ami_the_caller_is_told_and_offered_a_callback(
    make_service: ServiceFactory,
) -> None:
    async with make_service() as service:  # AMI disabled: no switchboard at all
        async with LoopbackCaller(service.audiosocket_port) as caller:
            await caller.wait_heard(10)
            caller.press("0")
            await asyncio.sleep(2.0)
        report = await asyncio.wait_for(service.finished.get(), 10)
    said = assistant_text(report.turns)
    assert CANNOT_TRANSFER in said and OFFER in said
    assert "Je vous mets en relation" not in said  # no AMI at all: nothing to wait for
    assert report.outcome == "abandoned"  # the caller hung up during the offer


async def test_a_refused_redirect_becomes_a_callback_offer(make_service: ServiceFactory) -> None:
    board = RecordingSwitchboard(agents=1, fail=True)
    async with make_service(switchboard=board) as service:
        async with LoopbackCaller(service.audiosocket_port) as caller:
            await caller.wait_heard(10)
            caller.press("0")
            await asyncio.sleep(1.0)
            caller.press("1")  # a callback (no message without speech recognition)
            await asyncio.sleep(1.0)
            caller.press("0698765432#")
            await asyncio.sleep(0.5)
            caller.press("1")
            await caller.wait_end(40)
            report = await asyncio.wait_for(service.finished.get(), 10)
        assert service.resources is not None and service.resources.database is not None
        stored = await service.resources.database.run(callbacks.list_callbacks)
    said = assistant_text(report.turns)
    assert CANNOT_TRANSFER in said
    assert report.outcome == "callback"
    assert [r.phone for r in stored] == ["0698765432"]
    assert any(e.startswith("ami.action") for e in report.errors)
