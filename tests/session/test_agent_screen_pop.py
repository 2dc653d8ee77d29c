"""The screen-pop, with a real phone ringing: a SIPp caller on the operator trunk asks for a
person; while agent 101's SIPp desk phone rings, the console of the agent whose account names
phone 101 (real Chromium, signed in to the real service's back office) shows who calls, why,
and what was said; the console of an agent on phone 102 shows nothing. When the agent
answers, the pop says so; when the call ends, it says that too. Against the real Asterisk 22
of the test suite and the shipped dialplan (its pre-dial gosub `[standardiste-ringing]`)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from argon2 import PasswordHasher

from ivr.service import Service
from ivr.storage import users
from telephony.ami import AmiClient
from telephony.audiosocket import AudioSocketSettings
from tests.asterisk_fixture import AsteriskSandbox
from tests.harness.browser import async_browser, signed_in_console
from tests.session.conftest import NOW, session_settings
from tests.telephony.peers import eventually
from tests.telephony.phones import Sipp, agent_phone, caller
from tests.telephony.rtp import RtpPeer

pytestmark = [pytest.mark.asterisk, pytest.mark.browser]
log = logging.getLogger(__name__)
PASSWORD = "a long enough password"
CALLER = "0612345678"


@contextlib.asynccontextmanager
async def town_hall_with_console(
    asterisk: AsteriskSandbox, tmp_path: Path, prompt_cache: Path
) -> AsyncIterator[Service]:
    """The real service wired to this Asterisk, its back office on a loopback port, and two
    agents: camille on phone 101, dominique on phone 102."""
    base = session_settings(
        tmp_path, prompt_cache,
        audiosocket=AudioSocketSettings(port=asterisk.audiosocket_port, read_timeout=15.0))
    settings = replace(base, service=replace(base.service, ami_enabled=True, web_enabled=True,
                                             web_host="127.0.0.1", web_port=0),
                       ami=asterisk.ami_settings())
    service = Service(settings, clock=lambda: NOW)
    await service.start()
    try:
        assert service.resources is not None and service.resources.database is not None
        hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
        for name, phone in (("camille", "101"), ("dominique", "102")):
            await service.resources.database.run(users.create_user, hasher, name, PASSWORD,
                                                 "agent", phone)
        yield service
    finally:
        await service.close()


async def test_the_console_of_the_agent_whose_phone_rings_shows_the_call(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path
) -> None:
    sipp = Sipp(asterisk, "screen-pop")
    line = await RtpPeer.open("127.0.0.1")
    try:
        async with town_hall_with_console(asterisk, tmp_path, prompt_cache) as service, \
                agent_phone(sipp, "101") as phone, async_browser() as browser:
            base_url = f"http://127.0.0.1:{service.web_port}"
            camille = await signed_in_console(browser, base_url, "camille", PASSWORD)
            dominique = await signed_in_console(browser, base_url, "dominique", PASSWORD)
            answering = phone.answer_next(ring_ms=4000)
            calling = caller(sipp, line, on_line_ms=17000)  # from 0612345678
            line.send_to(await calling.asterisk_media())
            assert await eventually(lambda: bool(service.calls), 10)
            call_id = str(next(iter(service.calls)))
            await asyncio.sleep(1.0)  # the greeting is playing
            line.press("0")  # a person, please
            # the INVITE reached the phone: it rings (4 s), then answers with this RTP
            phone.rtp.send_to(await answering.asterisk_media(20))
            pop = camille.locator("#appel-entrant")
            await pop.wait_for(state="visible", timeout=3000)
            shown_at = time.time()
            rang_at = answering.received_at("INVITE sip:101@")
            popped = await pop.inner_text()
            state = await pop.get_attribute("data-state")
            still_ringing = "SIP/2.0 200 OK" not in answering.messages()
            other_hidden = await dominique.locator("#appel-entrant").is_hidden()
            title = camille.locator("#sonnerie-titre")
            await title.filter(has_text="En ligne avec l’appelant").wait_for(timeout=10000)
            answered_state = await pop.get_attribute("data-state")
            await title.filter(has_text="Appel terminé").wait_for(timeout=40000)
            link = await pop.get_by_role("link", name="Ouvrir la fiche de l’appel") \
                .get_attribute("href")
            await camille.get_by_role("button", name="Masquer").click()
            closed = await pop.is_hidden()
            never_shown = await dominique.locator("#appel-entrant").is_hidden()
            await calling.result(60)
            await answering.result(30)
    finally:
        await line.close()
    # while the phone rang, before the agent answered: who calls, why, and what was said
    assert state == "sonne" and still_ringing, popped
    assert "Votre téléphone sonne" in popped and CALLER in popped
    assert "Le demandeur souhaite parler" in popped  # the reason
    assert "Assistant :" in popped and "Appelant : [touches 0]" in popped
    assert link == f"/agent/calls/{call_id}"
    assert answered_state == "en-ligne" and closed
    # the other agent's phone did not ring: their console showed nothing
    assert other_hidden and never_shown
    log.warning("screen-pop: shown %.0f ms after the phone received the INVITE",
                (shown_at - rang_at) * 1000)
