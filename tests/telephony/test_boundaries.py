"""The boundaries the call session sees: the real classes implement them, doubles can too."""

from __future__ import annotations

from speech.frames import AudioFrame
from telephony.ami import AmiClient
from telephony.audiosocket import AudioSocketConnection, DigitReceived, HangupReceived
from telephony.boundaries import CallAudio, CallControl
from tests.telephony.doubles import RecordingControl, ScriptedCall


def test_the_real_classes_implement_the_boundaries() -> None:
    assert issubclass(AudioSocketConnection, CallAudio)
    assert issubclass(AmiClient, CallControl)


async def test_doubles_behave_like_a_call() -> None:
    call = ScriptedCall([DigitReceived("1")], rate=8000)
    playback = call.play(AudioFrame(bytes(320 * 3), 8000))
    events = [event async for event in call.events()]
    assert events == [DigitReceived("1"), HangupReceived(explicit=False)]
    assert await playback.wait() is True
    assert [m[0] for m in call.sent] == [0x10] * 3  # paced by the real writer
    long = call.play(AudioFrame(bytes(320 * 100), 8000))
    assert call.flush() > 90 and await long.wait() is False
    await call.hangup()
    control = RecordingControl(available=0)
    assert await control.agents_available("standardiste-agents") == 0
    await control.transfer(call.call_id, "Urbanisme")
    assert control.transfers == [(call.call_id, "Urbanisme", "", "queue")]
