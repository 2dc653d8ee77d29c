"""End-to-end calls through a real Asterisk 22: the shipped dialplan, AudioSocket, AMI."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import uuid
from pathlib import Path

import numpy as np
import pytest

from telephony.ami import AmiClient
from telephony.audiosocket import (
    AudioReceived,
    AudioSocketConnection,
    DigitReceived,
    HangupReceived,
)
from tests.asterisk_fixture import AsteriskSandbox, free_port
from tests.telephony.audio_checks import (
    dominant_frequency,
    envelope_match,
    read_wav,
    rms,
    samples,
)
from tests.telephony.calls import Calls, call_from, end_call, service, tone
from tests.telephony.peers import eventually, open_sockets

pytestmark = pytest.mark.asterisk
HERE = Path(__file__).resolve().parent


async def test_dtmf_and_16khz_audio_reach_the_service(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    calls = Calls()
    async with service(asterisk, calls):
        await call_from(ami, "dtmf")
        connection = await calls.next_call()
        await asyncio.sleep(2.5)
        await end_call(ami, connection)
        events = await calls.wait_end(connection.call_id)
    assert "".join(e.digit for e in events if isinstance(e, DigitReceived)) == "42#"
    audio = [e.frame for e in events if isinstance(e, AudioReceived)]
    assert len(audio) > 50
    assert {(f.rate, len(f.pcm)) for f in audio} == {(16000, 640)}  # 20 ms of slin16
    assert connection.rate == 16000


def recording_ready(path: Path) -> bool:
    return path.exists() and path.stat().st_size > 44


async def wait_recording(path: Path, wait_s: float = 10) -> Path:
    for _ in range(int(wait_s * 10)):
        if recording_ready(path):
            await asyncio.sleep(0.3)  # MixMonitor closes the file as the channel goes
            return path
        await asyncio.sleep(0.1)
    raise AssertionError(f"no recording at {path}")


async def test_the_caller_hears_what_the_service_plays(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    calls = Calls(prompt=tone(1000, 1.5, 16000))
    async with service(asterisk, calls):
        await call_from(ami, "talk")
        connection = await calls.next_call()
        assert await calls.playbacks[connection.call_id].wait() is True
        await end_call(ami, connection)
        await calls.wait_end(connection.call_id)
    heard, rate = read_wav(await wait_recording(asterisk.spool / f"heard-{connection.call_id}.wav"))
    peaks = np.abs(heard[: len(heard) // 160 * 160].reshape(-1, 160)).max(axis=1)
    assert np.count_nonzero(peaks > 500) * 0.02 > 1.3  # about the 1.5 s played, not silence
    assert dominant_frequency(heard, rate) == pytest.approx(1000, abs=15)


def espeak_wav(text: str, folder: Path) -> tuple[Path, Path]:
    """French speech from espeak-ng (22,050 Hz) and its 8 kHz u-law copy for RTP."""
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        pytest.fail("espeak-ng and sox are installed by scripts/apt-*.txt")
    original = folder / "speech-original.wav"
    ulaw = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "fr", "-w", str(original), text], check=True)
    subprocess.run(
        ["sox", str(original), "-r", "8000", "-c", "1", "-e", "u-law", str(ulaw)], check=True
    )
    return original, ulaw


async def test_a_sip_call_with_speech_reaches_the_service_and_hears_it(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    work = asterisk.spool / "sipp"
    work.mkdir(exist_ok=True)
    original, _ = espeak_wav("Bonjour, je voudrais un extrait d'acte de naissance.", work)
    shutil.copy(HERE / "sipp" / "caller.xml", work / "caller.xml")
    calls = Calls(prompt=tone(1000, 2.0, 16000))
    rtp = free_port(2)
    async with service(asterisk, calls):
        sipp = asyncio.create_task(
            asyncio.to_thread(
                asterisk.sipp,
                "-sf", f"{asterisk.instance}/spool/sipp/caller.xml",
                "-s", "100", "-i", "127.0.0.1", "-p", str(free_port(2)), "-m", "1",
                "-min_rtp_port", str(rtp), "-max_rtp_port", str(rtp + 1),
                "-timeout", "30", "-nostdin",
                f"127.0.0.1:{asterisk.sip_port}",
            )
        )
        connection = await calls.next_call(15)
        events = await calls.wait_end(connection.call_id, 20)
        result = await sipp
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert events[-1] == HangupReceived(explicit=False)  # the caller's BYE closed the socket
    got = samples(b"".join(e.frame.pcm for e in events if isinstance(e, AudioReceived)))
    sent, sent_rate = read_wav(original)
    assert rms(got) > 200
    assert envelope_match(sent, sent_rate, got, 16000) > 0.6  # the same speech, intact
    heard, rate = read_wav(await wait_recording(asterisk.spool / f"heard-{connection.call_id}.wav"))
    assert dominant_frequency(heard, rate) == pytest.approx(1000, abs=15)


async def test_caller_hanging_up_mid_prompt_leaks_nothing(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    calls = Calls(prompt=tone(600, 10.0, 16000))
    sockets_before = open_sockets()
    server = service(asterisk, calls)
    async with server:
        await call_from(ami, "talk")
        connection = await calls.next_call()
        await asyncio.sleep(1.0)
        await ami.hangup(await ami.channel_for(connection.call_id))
        events = await calls.wait_end(connection.call_id)
        playback = calls.playbacks[connection.call_id]
        assert await asyncio.wait_for(playback.wait(), 2) is False  # cut, not played out
        assert 30 < playback.sent < 200
        assert await eventually(lambda: server.connections == 0)
    assert events[-1] == HangupReceived(explicit=False)
    current = asyncio.current_task()
    others = [t for t in asyncio.all_tasks() if t is not current]
    assert [t for t in others if not t.get_name().startswith("ami")] == []  # AMI client stays
    assert open_sockets() == sockets_before


async def test_the_8khz_setup_sends_8khz_frames(asterisk: AsteriskSandbox, ami: AmiClient) -> None:
    calls = Calls(prompt=tone(1000, 0.5, 8000))
    async with service(asterisk, calls):
        await ami.originate(
            "Local/100@standardiste-incoming/n", "test-caller", "talk",
            variables={"TEST_CODEC": "slin"},
        )
        connection = await calls.next_call()
        assert await calls.playbacks[connection.call_id].wait() is True
        await connection.hangup()
        events = await calls.wait_end(connection.call_id)
    audio = [e.frame for e in events if isinstance(e, AudioReceived)]
    assert audio and {(f.rate, len(f.pcm)) for f in audio} == {(8000, 320)}


async def test_a_prompt_at_another_rate_than_the_call_still_reaches_the_caller(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    calls = Calls(prompt=tone(700, 1.5, 8000))  # 8 kHz prompt on a 16 kHz call
    async with service(asterisk, calls):
        await call_from(ami, "talk")
        connection = await calls.next_call()
        assert await calls.playbacks[connection.call_id].wait() is True
        assert connection.rate == 16000
        await end_call(ami, connection)
        await calls.wait_end(connection.call_id)
    heard, rate = read_wav(await wait_recording(asterisk.spool / f"heard-{connection.call_id}.wav"))
    assert dominant_frequency(heard, rate) == pytest.approx(700, abs=15)


async def test_when_the_wideband_codec_is_refused_the_call_falls_back_to_8khz(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    calls = Calls()
    async with service(asterisk, calls):
        await ami.originate(  # a codec chan_audiosocket cannot use stands for a refused slin16
            "Local/100@standardiste-incoming/n", "test-caller", "talk",
            variables={"TEST_CODEC": "nosuchcodec"},
        )
        connection = await calls.next_call()
        await asyncio.sleep(0.5)
        await connection.hangup()
        events = await calls.wait_end(connection.call_id)
    assert connection.rate == 8000
    assert {e.frame.rate for e in events if isinstance(e, AudioReceived)} == {8000}


async def test_simultaneous_calls_each_hear_their_own_prompt(
    asterisk: AsteriskSandbox, ami: AmiClient
) -> None:
    tones = iter([500.0, 800.0, 1100.0, 1400.0])
    heard_by: dict[uuid.UUID, float] = {}

    class OwnTone(Calls):
        async def __call__(self, connection: AudioSocketConnection) -> None:
            freq = next(tones)
            heard_by[connection.call_id] = freq
            self.playbacks[connection.call_id] = connection.play(tone(freq, 1.5, 16000))
            await super().__call__(connection)

    calls = OwnTone()
    async with service(asterisk, calls):
        for _ in range(4):
            await call_from(ami, "talk")
        connections = [await calls.next_call() for _ in range(4)]
        for connection in connections:
            assert await calls.playbacks[connection.call_id].wait() is True
        for connection in connections:
            await end_call(ami, connection)
            await calls.wait_end(connection.call_id)
    for call_id, freq in heard_by.items():
        heard, rate = read_wav(await wait_recording(asterisk.spool / f"heard-{call_id}.wav"))
        assert dominant_frequency(heard, rate) == pytest.approx(freq, abs=15)
