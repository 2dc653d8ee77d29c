"""Fault: the AMI link cut at the moment of a transfer and restored 3 s later. Real calls in
the real Asterisk 22 (Local channels into the shipped dialplan, AudioSocket to the real
service, real espeak-ng); the service reaches Asterisk's manager through a TCP relay the test
cuts (tests/telephony/proxy.py), which then refuses connections for `DOWN_S` seconds.

Call 1: the link is cut when the service sends the transfer's first Setvar (the Setvar is
lost). Call 2: the link is cut when the caller presses 0 (AMI down when the flow decides to
transfer). Each caller asks for a person (key 0) and must reach the agents' side (the
dialplan's StandardisteTransfer event) without a silence a caller hangs up on; a caller who is
neither transferred nor offered a callback is lost. `-s` prints the figures."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ivr.config.sections import TransferSection
from ivr.service import Service
from ivr.session.switchboard import AmiSwitchboard
from speech.wav import read_wav
from telephony.ami import AmiClient
from telephony.audiosocket import AudioSocketSettings
from tests.asterisk_fixture import AsteriskSandbox
from tests.reliability.figures import PATIENCE_S, CallFigure, figures_line
from tests.session.conftest import NOW, session_settings
from tests.session.test_asterisk_sessions import (
    call_in,
    heard_seconds,
    press,
    recording,
    report_of,
)
from tests.telephony.calls import Watcher, is_transfer
from tests.telephony.proxy import CuttableProxy

pytestmark = pytest.mark.asterisk
DOWN_S = 3.0
"""Seconds the AMI link stays down after the cut."""


@contextlib.asynccontextmanager
async def behind_proxy(
    asterisk: AsteriskSandbox, tmp_path: Path, prompt_cache: Path
) -> AsyncIterator[tuple[Service, CuttableProxy, AmiClient]]:
    """The real service, its AMI through the relay (shipped reconnection timings), and the
    test's own AMI client straight to Asterisk (to press keys and watch events)."""
    proxy = CuttableProxy(asterisk.ami_port)
    port = await proxy.start()
    base = session_settings(
        tmp_path, prompt_cache, transfer=TransferSection(routes={"accueil": "101"}),
        audiosocket=AudioSocketSettings(port=asterisk.audiosocket_port, read_timeout=15.0))
    settings = replace(base, service=replace(base.service, ami_enabled=True),
                       ami=replace(asterisk.ami_settings(), port=port))
    service = Service(settings, clock=lambda: NOW)
    ami = AmiClient(asterisk.ami_settings())
    await ami.start()
    await ami.wait_connected(10)
    await service.start()
    try:
        yield service, proxy, ami
    finally:
        await service.close()
        await ami.close()
        await proxy.close()


def silence(asterisk: AsteriskSandbox, call_id: uuid.UUID, until_s: float
            ) -> tuple[float | None, float]:
    """When the caller first heard a sound, and the longest gap without sound from then to
    ``until_s`` (seconds into MixMonitor's recording of what the caller heard)."""
    audio = read_wav(asterisk.spool / f"heard-{call_id}.wav")
    samples = np.frombuffer(audio.pcm, "<i2").astype(np.int32)
    block = audio.rate // 50
    peaks = np.abs(samples[: len(samples) // block * block]).reshape(-1, block).max(axis=1)
    loud = [i * 0.02 for i in np.flatnonzero(peaks > 500) if i * 0.02 <= until_s]
    if not loud:
        return None, until_s
    return loud[0], round(max(b - a for a, b in itertools.pairwise([*loud, until_s])), 2)


def connections(service: Service) -> int:
    """The service's AMI logins so far."""
    assert service.resources is not None
    switchboard = service.resources.switchboard
    assert isinstance(switchboard, AmiSwitchboard)
    return switchboard.ami.connections


async def restore_after(proxy: CuttableProxy, cut: asyncio.Event) -> None:
    await cut.wait()
    await asyncio.sleep(DOWN_S)
    proxy.refusing = False


async def test_an_ami_cut_at_the_transfer_loses_no_caller(
    asterisk: AsteriskSandbox, tmp_path: Path, prompt_cache: Path
) -> None:
    figures: list[CallFigure] = []
    async with behind_proxy(asterisk, tmp_path, prompt_cache) as (service, proxy, ami), \
            Watcher(ami) as watcher:
        known: set[uuid.UUID] = set()
        for how in ("at the first Setvar", "when 0 is pressed"):
            call_id = await call_in(ami, service, known)
            answered = time.monotonic()
            known.add(call_id)
            channel = await ami.channel_for(call_id)
            await asyncio.sleep(1.5)  # the greeting plays
            before = connections(service)
            cut = asyncio.Event()
            if how == "at the first Setvar":
                proxy.cut_on = b"Variable: __STANDARDISTE_"
            restoring = asyncio.create_task(restore_after(proxy, cut))
            pressed = time.monotonic()
            if how == "when 0 is pressed":
                proxy.refusing = True
                proxy.cut()
                cut.set()
            await press(ami, call_id, "0")
            figure = CallFigure()
            transferred = None
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(20):
                    while transferred is None:
                        if proxy.cut_at is not None:
                            cut.set()
                        if any(is_transfer(call_id)(e) for e in watcher.seen):
                            transferred = time.monotonic() - pressed
                        await asyncio.sleep(0.05)
            await restoring
            proxy.cut_at = None
            if transferred is None:
                await ami.hangup(channel)
            report = await report_of(service, call_id)
            if transferred is not None:
                await ami.hangup(channel)
            said = [str(t["text"]) for t in report.turns if t["speaker"] == "assistant"]
            figure.outcome = report.outcome
            figure.ended_by_service = transferred is not None or report.outcome == "callback"
            figure.notes.append(f"cut {how}, AMI down {DOWN_S} s")
            figure.notes.append(f"transferred {transferred:.1f} s after the key"
                                if transferred is not None else "not transferred")
            figure.notes.append(f"said after the key: {' / '.join(s[:40] for s in said[1:])}")
            reconnected = connections(service) - before
            figure.notes.append(f"{reconnected} AMI reconnection(s)")
            await recording(asterisk, call_id)
            moved_at = pressed + (transferred if transferred is not None else 20.0)
            figure.first_audio_s, figure.longest_silence_s = silence(
                asterisk, call_id, moved_at - answered)
            figure.heard_s = round(heard_seconds(asterisk, call_id), 2)
            figures.append(figure)
    print(figures_line("AMI cut mid-transfer", figures))
    assert [f.lost for f in figures] == [False, False]
    assert [f.outcome for f in figures] == ["transferred", "transferred"]
    assert all(f.longest_silence_s < PATIENCE_S for f in figures)
