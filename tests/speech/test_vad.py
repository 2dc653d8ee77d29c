"""The pure segmenter (flags and durations in, events out) and the webrtcvad detector on real
espeak-ng French speech, silence, noise and a short click."""

from __future__ import annotations

import numpy as np
import pytest

from speech.convert import Rechunker, concat, frame_of, samples_of, silence
from speech.errors import AudioFormatError
from speech.frames import AudioFrame
from speech.vad import (
    EndReason,
    NoInputTimeout,
    Segmenter,
    SegmenterSettings,
    SegmentEvent,
    SpeechEnded,
    SpeechStarted,
)
from speech.voice import VoiceDetector
from tests.speech.conftest import Speak, asterisk_sound, noise

FR = "Bonjour, je voudrais un rendez-vous pour une carte d'identité."


def run(
    segmenter: Segmenter, flags: str, ms: float = 20.0, playing: bool = False
) -> list[SegmentEvent]:
    """Feed 's' (speech) / '.' (silence) flags; return the events in order."""
    events = []
    for flag in flags:
        event = segmenter.process(flag == "s", ms, prompt_playing=playing)
        if event is not None:
            events.append(event)
    return events


def test_speech_starts_after_the_voiced_run_and_ends_after_trailing_silence() -> None:
    seg = Segmenter(SegmenterSettings(start_speech_ms=100, end_silence_ms=400))
    events = run(seg, "." * 10 + "s" * 30 + "." * 25)
    assert events == [
        SpeechStarted(start_ms=200, at_ms=300),
        SpeechEnded(start_ms=200, end_ms=800, at_ms=1200, reason=EndReason.SILENCE),
    ]
    assert seg.done and run(seg, "s" * 50) == []


def test_short_pauses_inside_speech_do_not_end_the_utterance() -> None:
    seg = Segmenter(SegmenterSettings(end_silence_ms=600))
    events = run(seg, "s" * 20 + "." * 25 + "s" * 10 + "." * 29)
    assert len(events) == 1 and seg.speaking
    assert isinstance(run(seg, ".")[0], SpeechEnded)


def test_a_click_does_not_start_speech_and_gaps_are_tolerated() -> None:
    seg = Segmenter(SegmenterSettings(start_speech_ms=120, start_gap_ms=40))
    assert run(seg, "ss....ss....s...") == []
    assert isinstance(run(seg, "ss.sss.s")[-1], SpeechStarted)


def test_no_input_timeout() -> None:
    seg = Segmenter(SegmenterSettings(no_input_ms=1000))
    assert run(seg, "." * 49) == []
    assert run(seg, ".") == [NoInputTimeout(at_ms=1000)]
    assert seg.done


def test_no_input_clock_waits_for_the_prompt_to_end() -> None:
    seg = Segmenter(SegmenterSettings(no_input_ms=400))
    assert run(seg, "." * 100, playing=True) == []
    assert run(seg, "." * 20) == [NoInputTimeout(at_ms=2400)]


def test_utterance_is_cut_at_the_maximum_length() -> None:
    seg = Segmenter(SegmenterSettings(start_speech_ms=100, max_utterance_ms=1000))
    events = run(seg, "s" * 80)
    assert events[-1] == SpeechEnded(0, 1000, 1000, EndReason.MAX_LENGTH)


def test_barge_in_needs_a_longer_run_while_a_prompt_plays() -> None:
    settings = SegmenterSettings(start_speech_ms=100, barge_in_ms=300)
    cough = Segmenter(settings)
    assert run(cough, "s" * 10 + "." * 20, playing=True) == []
    caller = Segmenter(settings)
    events = run(caller, "s" * 15, playing=True)
    assert events == [SpeechStarted(start_ms=0, at_ms=300, barge_in=True)]


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="end_silence_ms"):
        SegmenterSettings(end_silence_ms=0)
    with pytest.raises(ValueError, match="duration"):
        Segmenter().process(True, -1)


def flags_of(audio: AudioFrame, detector: VoiceDetector) -> str:
    return "".join("s" if detector.is_speech(f) else "." for f in Rechunker(20).push(audio))


@pytest.mark.parametrize("rate", [8000, 16000])
def test_real_french_speech_between_silences_is_one_utterance(speak: Speak, rate: int) -> None:
    speech = speak(FR, "roa/fr", rate)
    audio = concat([noise(1000, rate, 30.0, seed=3), speech, noise(1500, rate, 30.0, seed=4)])
    flags = flags_of(audio, VoiceDetector(2))
    events = run(Segmenter(), flags)
    started, ended = events
    assert isinstance(started, SpeechStarted) and isinstance(ended, SpeechEnded)
    assert 900 <= started.start_ms <= 1400  # the voice starts after one second of line noise
    speech_end = 1000 + speech.duration_ms
    assert speech_end - 500 <= ended.end_ms <= speech_end + 200
    assert ended.reason is EndReason.SILENCE


@pytest.mark.parametrize(
    "name", ["auth-thankyou", "vm-goodbye", "digits/5", "agent-loginok", "conf-getpin"]
)
def test_real_human_french_recordings_are_one_utterance_each(name: str) -> None:
    recording = asterisk_sound(name)
    line = noise(1000, 8000, 30.0, seed=1)
    audio = concat([line, recording, noise(1500, 8000, 30.0, seed=2)])
    events = run(Segmenter(), flags_of(audio, VoiceDetector()))
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded], events
    started, ended = events
    assert isinstance(started, SpeechStarted) and isinstance(ended, SpeechEnded)
    assert 1000 <= started.start_ms <= 1200
    assert 1000 + recording.duration_ms - 400 <= ended.end_ms <= 1000 + recording.duration_ms


def test_faint_line_noise_after_speech_is_not_taken_for_voice(speak: Speak) -> None:
    audio = concat([speak(FR, "roa/fr", 8000), noise(3000, 8000, 30.0, seed=4)])
    # webrtcvad alone hears voice in this noise for seconds; the energy floor does not.
    assert flags_of(audio, VoiceDetector(2, min_rms=0))[-100:].count("s") > 50
    assert flags_of(audio, VoiceDetector(2))[-100:].count("s") == 0


def test_quiet_speech_is_still_speech(speak: Speak) -> None:
    quiet = frame_of(samples_of(speak(FR, "roa/fr", 8000)) * 0.1, 8000)  # 20 dB down
    events = run(
        Segmenter(),
        flags_of(concat([silence(500, 8000), quiet, silence(1000, 8000)]), VoiceDetector()),
    )
    assert [type(e) for e in events] == [SpeechStarted, SpeechEnded]


def test_silence_noise_and_a_click_are_not_speech() -> None:
    detector = VoiceDetector(2)
    click = np.zeros(16000)
    click[8000:8040] = 20000.0
    audio = concat([silence(1000, 16000), noise(2000, 16000), frame_of(click, 16000)])
    flags = flags_of(audio, detector)
    assert run(Segmenter(SegmenterSettings(no_input_ms=0)), flags) == []


def test_detector_rejects_frames_it_cannot_judge() -> None:
    detector = VoiceDetector()
    with pytest.raises(AudioFormatError, match="10, 20 or 30 ms"):
        detector.is_speech(silence(25, 8000))
    with pytest.raises(AudioFormatError, match="Hz"):
        detector.is_speech(silence(20, 22050))
    with pytest.raises(ValueError):
        VoiceDetector(5)
    with pytest.raises(ValueError):
        VoiceDetector(2, min_rms=-1)
