"""The hand-off to a person, carried out to a real agent's phone: a SIPp caller on the
operator trunk (G.711 u-law 8 kHz, RFC 4733 keys) talks to the real service, asks for a person
with the keypad during the greeting, and a SIPp desk phone registered as agent 101 rings with
the reason as caller name, answers, hears the whisper (the summary, which the caller does not
hear), then talks with the caller; the call record names the agent.
When the phone rings and nobody picks up, the caller comes back to the assistant, which offers
a callback. Against the real Asterisk 22 of the test suite and the shipped dialplan."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

import numpy as np
import pytest

from ivr.session.call_endings import NO_AGENT, NOBODY_ANSWERED, whisper_text
from ivr.storage import callbacks, calls
from telephony.ami import AmiClient
from tests.asterisk_fixture import AsteriskSandbox
from tests.session.test_asterisk_sessions import report_of, town_hall
from tests.telephony.audio_checks import envelope_match, rms, samples
from tests.telephony.calls import Watcher, is_transfer
from tests.telephony.peers import eventually
from tests.telephony.phones import Sipp, agent_phone, caller, invite_display_name
from tests.telephony.rtp import RATE, RtpPeer, pitch, tone

pytestmark = pytest.mark.asterisk
log = logging.getLogger(__name__)



async def test_a_key_pressed_over_the_greeting_puts_the_caller_through_to_the_agents_phone(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path
) -> None:
    sipp = Sipp(asterisk, "handoff")
    line = await RtpPeer.open("127.0.0.1")
    try:
        async with town_hall(asterisk, tmp_path, prompt_cache) as service, \
                agent_phone(sipp, "101") as phone, Watcher(ami) as watcher:
            answering = phone.answer_next(ring_ms=1000)
            calling = caller(sipp, line, on_line_ms=20000)
            line.send_to(await calling.asterisk_media())
            await line.wait_remote(10)
            assert await eventually(lambda: bool(service.calls), 10)
            call_id = next(iter(service.calls))
            await asyncio.sleep(1.0)  # the greeting is playing
            assert rms(line.heard()[-RATE // 2:].astype(np.float64)) > 100
            asked, redirected = time.time(), list[float]()
            line.press("0")  # RFC 4733, over the greeting
            moved = asyncio.create_task(watcher.wait_for(is_transfer(call_id), 20))
            moved.add_done_callback(lambda _: redirected.append(time.time()))
            phone.rtp.send_to(await answering.asterisk_media(20))  # its INVITE: it rings
            await phone.rtp.wait_remote(20)  # answered: the whisper, then the caller
            loop = asyncio.get_running_loop()
            whisper_at = loop.time()
            summary = (await moved).get("Summary")
            assert service.resources is not None
            spoken = await service.resources.prompts.render(whisper_text(summary), RATE)
            whisper_s = len(spoken.pcm) / 2 / RATE
            line.play(tone(440, whisper_s + 6.0))
            phone.rtp.play(tone(1300, whisper_s + 6.0))
            await asyncio.sleep(whisper_s + 5.0)
            since = whisper_at + whisper_s + 1.5  # connected by then
            called = await calling.result(60)
            answered = await answering.result(30)
            report = await report_of(service, call_id, 10)
            assert service.resources is not None and service.resources.database is not None
            database = service.resources.database
            record = await database.run(calls.get_call, str(call_id))
    finally:
        await line.close()
    assert called.returncode == 0, called.stdout[-1500:] + calling.messages()[-3000:]
    assert answered.returncode == 0, answered.stdout[-1500:] + answering.messages()[-3000:]
    # the key reached the assistant as a key, and the reason is the agent's caller name
    assert [t["text"] for t in report.turns if t["speaker"] == "caller"] == ["[touches 0]"]
    assert report.barge_ins == 1  # it cut the greeting
    assert invite_display_name(answering.messages()).startswith("Le demandeur souhaite parler")
    # the whisper: the agent heard the summary before the caller was connected; the caller
    # heard none of it
    window = (whisper_at - 0.2, whisper_at + whisper_s + 1.0)
    said = samples(spoken.pcm)
    to_agent = envelope_match(said, RATE, phone.rtp.heard(*window).astype(np.float64), RATE)
    to_caller = envelope_match(said, RATE, line.heard(*window).astype(np.float64), RATE)
    log.warning("whisper %.1f s: match at the agent %.2f, at the caller %.2f", whisper_s,
                to_agent, to_caller)
    assert to_agent > 0.6 and to_caller < 0.3
    # then two-way audio between the two phones
    assert pitch(phone.rtp.heard(since, since + 2.5)) == pytest.approx(440, abs=15)
    assert pitch(line.heard(since, since + 2.5)) == pytest.approx(1300, abs=15)
    assert report.outcome == "transferred" and record.outcome == "transferred"
    assert record.transfer_agent == "101"
    # the figures of the note (printed with -o log_cli=true)
    ringing = answering.received_at("INVITE sip:101@")
    answer = answering.sent_at("SIP/2.0 200 OK")
    first_audio = min(r.wall for r in phone.rtp.received)
    log.warning("hand-off: key to ringing %.0f ms (of which after the assistant's 'je vous "
                "passe' ended: %.0f ms); answer to the whisper at the phone %.0f ms",
                (ringing - asked) * 1000, (ringing - redirected[0]) * 1000,
                (first_audio - answer) * 1000)
    assert asked < ringing < answer < first_audio + 0.05  # (the AMI event may come after)


async def accept_a_callback(line: RtpPeer) -> None:
    """The caller, offered a callback, says yes with the keypad and gives 06 12 34 56 78."""
    await asyncio.sleep(6.0)  # "nobody could take your call... call you back?"
    line.press("1")
    await asyncio.sleep(4.0)
    line.press("0612345678#")
    await asyncio.sleep(6.0)
    line.press("1")  # the number read back is right


@pytest.mark.parametrize("agent_does", ["ignore", "reject"])
async def test_when_the_agent_does_not_answer_the_caller_comes_back_and_leaves_a_callback(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path,
    agent_does: str,
) -> None:
    sipp = Sipp(asterisk, f"handoff-{agent_does}")
    line = await RtpPeer.open("127.0.0.1")
    try:
        async with town_hall(asterisk, tmp_path, prompt_cache) as service, \
                agent_phone(sipp, "102") as phone, Watcher(ami) as watcher:
            # 102: the queue keeps 101 in wrap-up for 5 s after the previous test's call
            ringing = phone.ignore_next() if agent_does == "ignore" else phone.reject_next()
            calling = caller(sipp, line, on_line_ms=40000, queue_timeout_s=4)
            line.send_to(await calling.asterisk_media())
            assert await eventually(lambda: bool(service.calls), 10)
            call_id = next(iter(service.calls))
            await asyncio.sleep(1.0)
            line.press("0")  # a person, please
            first = await report_of(service, call_id, 20)  # put through to the queue
            await ringing.asterisk_media(10)  # the agent's phone rings, and nobody picks up
            unanswered = await watcher.wait_for(
                lambda e: e.get("UserEvent") == "StandardisteUnanswered", 20)
            assert await eventually(lambda: call_id in service.calls, 10)  # back with us
            await accept_a_callback(line)
            second = await report_of(service, call_id, 40)
            called = await calling.result(60)
            rang = await ringing.result(10)
            assert service.resources is not None and service.resources.database is not None
            database = service.resources.database
            record = await database.run(calls.get_call, str(call_id))
            requests = await database.run(callbacks.list_callbacks)
    finally:
        await line.close()
    assert rang.returncode == 0, rang.stdout[-1500:] + ringing.messages()[-3000:]
    assert calling.received_at("BYE sip:") > 0  # the service hung up after the callback
    assert called.returncode != 0  # (so SIPp's own BYE, 40 s later, never came)
    assert first.outcome == "transferred" and unanswered.get("Uuid") == str(call_id)
    assert unanswered.get("Status") == "TIMEOUT"
    said = " ".join(str(t["text"]) for t in second.turns if t["speaker"] == "assistant")
    assert NOBODY_ANSWERED in said and "06 12 34 56 78" in said
    assert second.returned and second.outcome == "callback" and record.outcome == "callback"
    assert record.transfer_queue == "accueil"  # where it had been sent is kept
    callers = [t.text for t in record.turns if t.speaker == "caller"]
    assert callers[0] == "[touches 0]" and "[touches 1]" in callers[1:]  # one record, both legs
    [request] = requests
    assert request.call_id == str(call_id) and request.phone == "0612345678"


async def test_a_worker_restarted_while_the_agents_phone_rings_still_takes_the_call_back(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path
) -> None:
    sipp = Sipp(asterisk, "handoff-restart")
    line = await RtpPeer.open("127.0.0.1")
    try:
        async with agent_phone(sipp, "102") as phone, Watcher(ami) as watcher:
            ringing = phone.ignore_next()
            async with town_hall(asterisk, tmp_path, prompt_cache) as worker:
                # the caller dials once the worker listens (its AudioSocket would be refused)
                calling = caller(sipp, line, on_line_ms=40000, queue_timeout_s=8)
                line.send_to(await calling.asterisk_media())
                assert await eventually(lambda: bool(worker.calls), 10)
                call_id = next(iter(worker.calls))
                await asyncio.sleep(1.0)
                line.press("0")
                first = await report_of(worker, call_id, 20)
                await ringing.asterisk_media(10)  # it rings; the worker stops meanwhile
            async with town_hall(asterisk, tmp_path, prompt_cache) as restarted:
                unanswered = await watcher.wait_for(
                    lambda e: e.get("UserEvent") == "StandardisteUnanswered", 20)
                assert await eventually(lambda: call_id in restarted.calls, 10)
                await accept_a_callback(line)
                second = await report_of(restarted, call_id, 40)
                await calling.result(60)
                assert restarted.resources is not None
                database = restarted.resources.database
                assert database is not None
                record = await database.run(calls.get_call, str(call_id))
                requests = await database.run(callbacks.list_callbacks)
    finally:
        await line.close()
    assert first.outcome == "transferred" and unanswered.get("Uuid") == str(call_id)
    # the restarted worker knew the call from its record: no second greeting, a callback
    said = " ".join(str(t["text"]) for t in second.turns if t["speaker"] == "assistant")
    assert second.returned and said.startswith(NOBODY_ANSWERED)
    assert second.outcome == "callback" and record.outcome == "callback"
    callers = [t.text for t in record.turns if t.speaker == "caller"]
    assert callers[0] == "[touches 0]" and "[touches 1]" in callers[1:]  # one record, both legs
    [request] = requests
    assert request.call_id == str(call_id) and request.phone == "0612345678"


async def test_with_every_agent_on_a_call_the_next_caller_is_offered_a_callback(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path
) -> None:
    sipp = Sipp(asterisk, "handoff-busy")
    first_line, second_line = await RtpPeer.open("127.0.0.1"), await RtpPeer.open("127.0.0.1")
    try:
        async with town_hall(asterisk, tmp_path, prompt_cache) as service, \
                agent_phone(sipp, "101") as phone:
            answering = phone.answer_next(ring_ms=500)
            first = caller(sipp, first_line, on_line_ms=20000)  # past the second's request
            first_line.send_to(await first.asterisk_media())
            assert await eventually(lambda: bool(service.calls), 10)
            await asyncio.sleep(1.0)
            first_line.press("0")
            phone.rtp.send_to(await answering.asterisk_media(20))
            await phone.rtp.wait_remote(20)  # agent 101 (the only one) is on that call now
            assert await eventually(lambda: not service.calls, 15)  # the whisper is over
            second = caller(sipp, second_line, on_line_ms=40000)
            second_line.send_to(await second.asterisk_media())
            assert await eventually(lambda: bool(service.calls), 10)
            second_id = next(iter(service.calls))
            await asyncio.sleep(1.0)
            second_line.press("0")  # a person, please: there is none free
            await accept_a_callback(second_line)
            report = await report_of(service, second_id, 40)
            await first.result(60)
            answered = await answering.result(30)
            assert service.resources is not None and service.resources.database is not None
            requests = await service.resources.database.run(callbacks.list_callbacks)
    finally:
        await first_line.close()
        await second_line.close()
    assert answered.returncode == 0, answered.stdout[-1500:]
    assert answering.messages().count("INVITE sip:101@") == 1  # the busy phone never rang
    said = " ".join(str(t["text"]) for t in report.turns if t["speaker"] == "assistant")
    assert NO_AGENT in said and "06 12 34 56 78" in said
    assert report.outcome == "callback" and not report.returned
    [request] = requests
    assert request.call_id == str(second_id) and request.phone == "0612345678"
    assert report.call_id == str(second_id)
