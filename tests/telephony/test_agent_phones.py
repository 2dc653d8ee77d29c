"""Agents' phones for real: SIPp phones register as the queue's members (PJSIP/101, 102) with
digest auth, ring, answer and talk with a SIPp caller over G.711 u-law RTP, against the real
Asterisk 22 of the test suite and the shipped dialplan."""

from __future__ import annotations

import asyncio

import pytest

from telephony.ami import AmiClient
from tests.asterisk_fixture import AsteriskSandbox
from tests.telephony.phones import Sipp, agent_phone, caller, invite_display_name
from tests.telephony.rtp import RtpPeer, pitch, tone

pytestmark = pytest.mark.asterisk



async def test_without_the_assistant_the_call_rings_a_registered_agent_and_both_hear(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    sipp = Sipp(asterisk, "phones-unreachable")
    line = await RtpPeer.open("127.0.0.1")
    try:
        async with agent_phone(sipp, "101") as phone:
            answering = phone.answer_next(ring_ms=1000)
            calling = caller(sipp, line, on_line_ms=9000)
            line.send_to(await calling.asterisk_media())
            phone.rtp.send_to(await answering.asterisk_media())  # the INVITE: it rings
            await phone.rtp.wait_remote(20)  # answered: the caller's line reaches the phone
            loop = asyncio.get_running_loop()
            await asyncio.sleep(0.5)
            since = loop.time()
            line.play(tone(440, 3.0))
            phone.rtp.play(tone(1300, 3.0))
            await asyncio.sleep(3.5)
            called = await calling.result(60)
            answered = await answering.result(30)
    finally:
        await line.close()
    assert called.returncode == 0, called.stdout[-1500:] + calling.messages()[-3000:]
    assert answered.returncode == 0, answered.stdout[-1500:] + answering.messages()[-3000:]
    assert invite_display_name(answering.messages()) == "Assistant indisponible"
    agent_heard, caller_heard = phone.rtp.heard(since), line.heard(since)
    assert pitch(agent_heard) == pytest.approx(440, abs=15)
    assert pitch(caller_heard) == pytest.approx(1300, abs=15)
