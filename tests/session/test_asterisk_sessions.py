"""Whole calls through a real Asterisk 22 (tests/asterisk_fixture.py): the shipped dialplan
answers, AudioSocket carries the call to the real service, keys are pressed on the caller's
channel (AMI PlayDTMF), transfers go through AMI to the dialplan's transfer context."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ivr.config.sections import TransferSection
from ivr.service import Service
from ivr.session.report import CallReport
from ivr.storage import calls
from speech.wav import read_wav
from telephony.ami import AmiClient
from telephony.audiosocket import AudioSocketSettings
from tests.asterisk_fixture import AsteriskSandbox, free_port
from tests.session.conftest import FLOWS, NOW, session_settings
from tests.session.doubles import PhraseUnderstander
from tests.telephony.calls import Watcher, is_transfer
from tests.telephony.peers import eventually

pytestmark = pytest.mark.asterisk
HERE = Path(__file__).resolve().parent


@contextlib.asynccontextmanager
async def town_hall(
    asterisk: AsteriskSandbox, tmp_path: Path, prompt_cache: Path, **settings: object
) -> AsyncIterator[Service]:
    """The real service, wired to this Asterisk (AudioSocket port and AMI)."""
    base = session_settings(
        tmp_path, prompt_cache,
        audiosocket=AudioSocketSettings(port=asterisk.audiosocket_port, read_timeout=15.0),
        **settings,  # type: ignore[arg-type]
    )
    full = replace(base, service=replace(base.service, ami_enabled=True),
                   ami=asterisk.ami_settings())
    understander = PhraseUnderstander({"안녕하세요": "horaires"}) if "korean" in settings else None
    service = Service(full, clock=lambda: NOW, understander=understander)
    await service.start()
    try:
        yield service
    finally:
        await service.close()


async def call_in(ami: AmiClient, service: Service, known: set[uuid.UUID]) -> uuid.UUID:
    """Place a Local-channel call (the caller plays a dial tone, as on a live line) and
    return its AudioSocket UUID once it reached the service."""
    result = await ami.originate("Local/100@standardiste-incoming/n", "test-caller", "talk",
                                 caller_id="Test <0612345678>")
    assert result.answered
    assert await eventually(lambda: bool(set(service.calls) - known), 10)
    return next(iter(set(service.calls) - known))


async def press(ami: AmiClient, call_id: uuid.UUID, digits: str) -> None:
    """Keys pressed by the caller: DTMF on the caller's half of the Local channel."""
    channel = await ami.channel_for(call_id)
    caller = channel.rsplit(";", 1)[0] + ";1"
    for digit in digits:
        await ami.action("PlayDTMF", {"Channel": caller, "Digit": digit, "Duration": "120"})
        await asyncio.sleep(0.15)


async def report_of(service: Service, call_id: uuid.UUID, wait_s: float = 30) -> CallReport:
    async with asyncio.timeout(wait_s):
        while True:
            report = await service.finished.get()
            if report.call_id == str(call_id):
                return report


def heard_seconds(asterisk: AsteriskSandbox, call_id: uuid.UUID) -> float:
    """Seconds of the recording of what the caller heard that hold sound."""
    audio = read_wav(asterisk.spool / f"heard-{call_id}.wav")
    samples = np.frombuffer(audio.pcm, "<i2").astype(np.int32)
    block = audio.rate // 50
    peaks = np.abs(samples[: len(samples) // block * block]).reshape(-1, block).max(axis=1)
    return float((peaks > 500).sum() * 0.02)


async def recording(asterisk: AsteriskSandbox, call_id: uuid.UUID) -> None:
    path = asterisk.spool / f"heard-{call_id}.wav"
    assert await eventually(lambda: path.exists() and path.stat().st_size > 44, 10)
    await asyncio.sleep(0.5)  # MixMonitor closes the file as the channel goes


async def test_a_call_is_greeted_and_keys_lead_to_an_answer(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path
) -> None:
    async with town_hall(asterisk, tmp_path, prompt_cache) as service:
        call_id = await call_in(ami, service, set())
        await asyncio.sleep(2.0)  # the greeting plays
        await press(ami, call_id, "1")  # over the greeting: the hours
        await asyncio.sleep(2.0)
        await press(ami, call_id, "2")  # end of the call
        report = await report_of(service, call_id)
        assert service.resources is not None and service.resources.database is not None
        record = await service.resources.database.run(calls.get_call, str(call_id))
    assert report.outcome == "resolved" and record.outcome == "resolved"
    assert record.caller_number == "0612345678"  # the caller ID, from AMI
    assert [t["text"] for t in report.turns if t["speaker"] == "caller"] == [
        "[touches 1]", "[touches 2]"]
    assert "L'accueil de la mairie est ouvert" in str(report.turns[2]["text"])
    assert report.barge_ins == 2  # each key cut the prompt being played
    await recording(asterisk, call_id)
    assert heard_seconds(asterisk, call_id) > 4.0  # greeting, answer, goodbye were heard


async def test_zero_reaches_the_agent_extension_with_the_call_context(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path
) -> None:
    routes = TransferSection(routes={"accueil": "101"})
    async with town_hall(asterisk, tmp_path, prompt_cache, transfer=routes) as service, \
            Watcher(ami) as watcher:
        call_id = await call_in(ami, service, set())
        channel = await ami.channel_for(call_id)
        await asyncio.sleep(1.0)
        await press(ami, call_id, "0")
        event = await watcher.wait_for(is_transfer(call_id), 20)
        variables = {name: await ami.getvar(channel, name) for name in (
            "STANDARDISTE_CALL_ID", "STANDARDISTE_CALL_URL", "STANDARDISTE_INTENT")}
        report = await report_of(service, call_id)
        assert service.resources is not None and service.resources.database is not None
        record = await service.resources.database.run(calls.get_call, str(call_id))
    assert event.get("Target") == "101"
    assert event.get("Reason") == "Le demandeur souhaite parler à un conseiller"
    assert event.get("Summary").startswith("Demande :")
    assert variables["STANDARDISTE_CALL_ID"] == str(call_id)
    assert variables["STANDARDISTE_CALL_URL"] == (
        f"http://127.0.0.1:8080/agent/calls/{call_id}")
    assert report.outcome == "transferred" and record.outcome == "transferred"
    assert record.transfer_queue == "accueil"


async def test_the_caller_hanging_up_mid_prompt_ends_the_session(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path
) -> None:
    async with town_hall(asterisk, tmp_path, prompt_cache) as service:
        call_id = await call_in(ami, service, set())
        await asyncio.sleep(1.5)
        await ami.hangup(await ami.channel_for(call_id))  # in the middle of the greeting
        report = await report_of(service, call_id, 15)
        assert await eventually(lambda: not service.calls, 5)
        assert service.resources is not None and service.resources.database is not None
        record = await service.resources.database.run(calls.get_call, str(call_id))
        names = [t.get_name() for t in asyncio.all_tasks()]
        assert not [n for n in names if n.startswith(("line-", "recorder-", "speaker"))]
    assert report.outcome == "abandoned" and record.outcome == "abandoned"
    assert record.ended_at is not None


async def test_ten_simultaneous_calls_all_complete(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path
) -> None:
    async with town_hall(asterisk, tmp_path, prompt_cache) as service:
        known: set[uuid.UUID] = set()
        ids: list[uuid.UUID] = []
        for _ in range(10):
            ids.append(await call_in(ami, service, known))
            known.add(ids[-1])
        await asyncio.sleep(2.0)
        await asyncio.gather(*(press(ami, call_id, "1") for call_id in ids))
        await asyncio.sleep(2.0)
        await asyncio.gather(*(press(ami, call_id, "2") for call_id in ids))
        reports = [await service.finished.get() for _ in ids]
    assert sorted(r.call_id for r in reports) == sorted(str(i) for i in ids)
    assert {r.outcome for r in reports} == {"resolved"}
    for report in reports:
        assert [t["text"] for t in report.turns if t["speaker"] == "caller"] == [
            "[touches 1]", "[touches 2]"]


def ulaw_speech(folder: Path) -> Path:
    """Korean speech after 2.5 s of silence, as an 8 kHz u-law WAV for SIPp's RTP stream."""
    if shutil.which("sox") is None or shutil.which("espeak-ng") is None:
        pytest.fail("sox and espeak-ng are installed by scripts/apt-*.txt")
    voice = folder / "voice.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(voice), "안녕하세요"], check=True)
    out = folder / "korean.wav"
    subprocess.run(["sox", str(voice), "-r", "8000", "-c", "1", "-e", "u-law", str(out),
                    "pad", "2.5", "3"], check=True)
    return out


async def test_speech_over_the_greeting_stops_it(
    asterisk: AsteriskSandbox, ami: AmiClient, tmp_path: Path, prompt_cache: Path
) -> None:
    work = asterisk.spool / "session-sipp"
    work.mkdir(exist_ok=True)
    speech = ulaw_speech(work)
    inside = f"{asterisk.instance}/spool/session-sipp"
    scenario = (HERE / "sipp" / "barge_in.xml").read_text(encoding="iso-8859-1")
    (work / "barge_in.xml").write_text(
        scenario.replace("@SPEECH@", f"{inside}/{speech.name}"), encoding="iso-8859-1")
    flow = {"flow": FLOWS / "essai.yaml", "korean": True, "session": {"hint_grammar": True}}
    async with town_hall(asterisk, tmp_path, prompt_cache, **flow) as service:
        rtp = free_port(2)
        sipp = asyncio.create_task(asyncio.to_thread(
            asterisk.sipp, "-sf", f"{inside}/barge_in.xml", "-s", "100", "-i", "127.0.0.1",
            "-p", str(free_port(2)), "-m", "1", "-min_rtp_port", str(rtp),
            "-max_rtp_port", str(rtp + 1), "-timeout", "60", "-nostdin",
            f"127.0.0.1:{asterisk.sip_port}", timeout_s=90))
        report = await asyncio.wait_for(service.finished.get(), 60)
        result = await sipp
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert report.barge_ins == 1
    caller = [t for t in report.turns if t["speaker"] == "caller"]
    assert caller[0]["text"] == "안녕하세요" and caller[0]["intent"] == "horaires"
    assert report.outcome == "resolved"
    assert float(str(caller[0]["at"])) < 8.0  # answered during the greeting, not after it

