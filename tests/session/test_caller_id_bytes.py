"""A trunk's caller ID in invalid UTF-8, on a real call: a SIPp caller on the operator trunk
whose From header has a display name of bytes that are no UTF-8 (b"\\xff\\xfe", an "é" cut
after its first byte, an overlong "/", a "€" cut after two bytes) and a number with %FF%FE in
it (Asterisk stores it unescaped: raw bytes in CALLERID(num); raw bytes in the URI itself
make Asterisk 22 drop the INVITE unanswered). It talks to the real service, asks for a person,
and agent 101's SIPp phone rings and answers, while a second caller is on the line with a
plain caller ID. Neither call nor the AMI reader fails; what is stored and what the agent's
phone shows is valid text: the number, not a phone number, is recorded as unknown; the
agent's phone shows the reason. Against the real Asterisk 22 of the test suite and the
shipped dialplan."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from dialogs.events import Transfer
from ivr.config.sections import TransferSection
from ivr.session.switchboard import AmiSwitchboard, context_variables, plan
from ivr.storage import calls
from telephony.ami import AmiClient
from telephony.ami.safe_text import NO_REASON
from telephony.audiosocket import AudioSocketConnection
from tests.asterisk_fixture import AsteriskSandbox
from tests.session.test_asterisk_sessions import report_of, town_hall
from tests.telephony.calls import Calls, Watcher, is_transfer, service
from tests.telephony.peers import eventually
from tests.telephony.phones import Sipp, SippRun, agent_phone, caller, invite_display_name
from tests.telephony.rtp import RtpPeer

pytestmark = pytest.mark.asterisk

NAME = b"\xff\xfe Ren\xc3 \xc0\xaf x\xe2\x82"
"""Not UTF-8 four ways; Python's decoder (errors="replace") makes each bad byte U+FFFD."""
SHOWN = "\ufffd\ufffd Ren\ufffd \ufffd\ufffd x\ufffd"
"""`NAME` as the AMI reader hands it over."""


@dataclass
class TrunkCall:
    """A trunk caller named `NAME`, answered by a bare AudioSocket service."""

    connection: AudioSocketConnection
    channel: str
    calling: SippRun
    watcher: Watcher


@contextlib.asynccontextmanager
async def trunk_call(asterisk: AsteriskSandbox, ami: AmiClient,
                     scenario: str) -> AsyncIterator[TrunkCall]:
    """A call from the trunk with `NAME` as its caller name, on the line for 8 s; the
    caller's end is awaited on leaving."""
    sipp = Sipp(asterisk, scenario)
    line = await RtpPeer.open("127.0.0.1")
    test_calls = Calls()
    try:
        async with service(asterisk, test_calls), Watcher(ami) as watcher:
            calling = caller(sipp, line, on_line_ms=8000, name=NAME)
            connection = await test_calls.next_call(15)
            channel = await ami.channel_for(connection.call_id)
            yield TrunkCall(connection, channel, calling, watcher)
            await calling.result(30)
    finally:
        await line.close()


async def test_a_caller_id_of_invalid_utf8_is_put_through_and_recorded_as_text(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path
) -> None:
    sipp = Sipp(asterisk, "caller-id-bytes")
    line, plain_line = await RtpPeer.open("127.0.0.1"), await RtpPeer.open("127.0.0.1")
    try:
        async with town_hall(asterisk, tmp_path, prompt_cache) as service, \
                agent_phone(sipp, "101") as phone, Watcher(ami) as watcher:
            assert service.resources is not None and service.resources.database is not None
            switchboard = service.resources.switchboard
            assert isinstance(switchboard, AmiSwitchboard)
            logins = switchboard.ami.connections
            answering = phone.answer_next(ring_ms=500)
            calling = caller(sipp, line, on_line_ms=15000, name=NAME, number=b"06%FF%FE12")
            line.send_to(await calling.asterisk_media())
            assert await eventually(lambda: bool(service.calls), 10)
            call_id = next(iter(service.calls))
            plain = caller(sipp, plain_line, on_line_ms=5000)  # meanwhile, another call
            plain_line.send_to(await plain.asterisk_media())
            assert await eventually(lambda: len(service.calls) == 2, 10)
            plain_id = next(c for c in service.calls if c != call_id)
            await asyncio.sleep(1.0)
            line.press("0")  # a person, please
            transfer = await watcher.wait_for(is_transfer(call_id), 20)
            phone.rtp.send_to(await answering.asterisk_media(20))
            await phone.rtp.wait_remote(20)
            report = await report_of(service, call_id, 30)
            called = await calling.result(60)
            answered = await answering.result(30)
            await plain.result(60)
            database = service.resources.database
            record = await database.run(calls.get_call, str(call_id))
            plain_record = await database.run(calls.get_call, str(plain_id))
            still_logged_in = switchboard.ami.connected and switchboard.ami.connections == logins
    finally:
        await line.close()
        await plain_line.close()
    assert called.returncode == 0, called.stdout[-1500:] + calling.messages()[-3000:]
    assert answered.returncode == 0, answered.stdout[-1500:] + answering.messages()[-3000:]
    # the AMI reader took Asterisk's raw bytes as text and went on, on the same connection
    assert any(e.get("CallerIDName") == SHOWN and e.get("CallerIDNum") == "06\ufffd\ufffd12"
               for e in watcher.seen)
    assert still_logged_in
    # the call went on to the agent: the reason is the agent's caller name, valid UTF-8
    reason = "Le demandeur souhaite parler à un conseiller"
    assert transfer.get("Reason") == reason and transfer.get("CallerName") == reason
    assert invite_display_name(answering.messages()) == reason
    assert report.outcome == "transferred" and record.outcome == "transferred"
    assert record.transfer_agent == "101"
    # recorded, without the number that is none, every text valid
    assert record.caller_number is None
    assert [t.text for t in record.turns if t.speaker == "caller"] == ["[touches 0]"]
    for turn in record.turns:
        turn.text.encode("utf-8")
    assert plain_record.caller_number == "0612345678" and plain_record.outcome is not None


async def test_a_reason_that_cleans_to_nothing_never_shows_the_trunks_bytes(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    """With an empty reason the shipped dialplan leaves the trunk's caller name on the call,
    bytes as they came, for the agent's phone and the UserEvent: the service never sends an
    empty reason (`NO_REASON`). The same trunk caller, the switchboard's own transfer."""
    target = plan(TransferSection(), "accueil")
    async with trunk_call(asterisk, ami, "caller-id-bytes-reason") as call:
        call_id = call.connection.call_id
        before = await ami.getvar(call.channel, "CALLERID(name)")
        variables = context_variables(str(call_id), Transfer("accueil", "{???}"),
                                      None, {}, "http://mairie.test/agent/calls/1", target)
        await AmiSwitchboard(ami).transfer(call_id, variables, target)
        transfer = await call.watcher.wait_for(is_transfer(call_id), 10)
        after = await ami.getvar(call.channel, "CALLERID(name)")
        await call.connection.hangup()
    assert before == SHOWN  # what the trunk sent, as the AMI reader decodes it
    assert transfer.get("CallerName") == after == NO_REASON


async def test_a_local_redirect_without_a_reason_keeps_the_call_and_a_valid_event(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    """A town hall's own dialplan (or an admin's AMI client) may send a call to the transfer
    context with no reason set: the agents' UserEvent then names the caller by the trunk's
    caller name, which may be bytes that are no UTF-8. The event must still go out, in
    ASCII, and the call must go on to the queue."""
    target = plan(TransferSection(), "accueil")
    async with trunk_call(asterisk, ami, "caller-id-bytes-local") as call:
        await ami.redirect(call.channel, target.context, target.exten)  # no reason set
        transfer = await call.watcher.wait_for(is_transfer(call.connection.call_id), 10)
        await asyncio.sleep(0.5)
        still_there = await ami.getvar(call.channel, "CALLERID(name)")
        await ami.hangup(call.channel)
    assert transfer.get("Reason") == "" and transfer.get("CallerName") == "Ren  x"
    assert still_there == SHOWN  # the call went on, its caller ID as the trunk sent it
