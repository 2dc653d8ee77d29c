"""Resampling, re-chunking and WAV round trips on generated signals."""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np
import pytest

from speech.convert import (
    Rechunker,
    Resampler,
    concat,
    resample,
    samples_of,
    silence,
    split_frames,
    to_mono,
)
from speech.errors import AudioFormatError
from speech.frames import AudioFrame
from speech.wav import read_wav, write_wav
from tests.speech.conftest import tone


def peak_hz(frame: AudioFrame) -> float:
    data = samples_of(frame).astype(np.float64)
    spectrum = np.abs(np.fft.rfft(data * np.hanning(len(data))))
    return float(np.fft.rfftfreq(len(data), 1.0 / frame.rate)[int(np.argmax(spectrum))])


def stream(resampler: Resampler, frames: list[AudioFrame]) -> AudioFrame:
    out = [resampler.process(f) for f in frames]
    out.append(resampler.flush())
    return concat(out)


@pytest.mark.parametrize(
    ("in_rate", "out_rate"),
    [(8000, 16000), (16000, 8000), (22050, 8000), (22050, 16000), (8000, 22050)],
)
def test_tone_keeps_its_frequency_and_chunked_matches_one_shot(in_rate: int, out_rate: int) -> None:
    source = tone(440.0, 1000, in_rate)
    chunks = Rechunker(20).push(source)
    chunked = stream(Resampler(in_rate, out_rate), chunks)
    whole = stream(Resampler(in_rate, out_rate), [source])
    assert chunked.rate == out_rate
    assert abs(chunked.samples - out_rate) <= 2
    assert abs(peak_hz(chunked) - 440.0) < 3.0
    # Same filter state whether the audio came in 20 ms frames or in one piece: no clicks.
    diff = np.abs(samples_of(chunked).astype(int) - samples_of(whole).astype(int))
    assert diff.max() <= 4  # int16 rounding only; a click would be hundreds


def test_streamed_frames_have_no_click_at_boundaries() -> None:
    chunks = Rechunker(20).push(tone(300.0, 500, 8000))
    out = samples_of(stream(Resampler(8000, 16000), chunks)).astype(int)
    steady = out[400:-400]
    # A 300 Hz tone at 16 kHz and amplitude 8000 moves at most ~950 per sample.
    assert np.abs(np.diff(steady)).max() < 1000


def test_resampler_rejects_a_foreign_rate() -> None:
    with pytest.raises(AudioFormatError, match="8000 Hz"):
        Resampler(8000, 16000).process(silence(20, 16000))


def test_same_rate_passes_through() -> None:
    frame = tone(1000.0, 20, 16000)
    assert Resampler(16000, 16000).process(frame) == frame


def test_rechunker_cuts_to_exact_frames_and_keeps_the_rest() -> None:
    rechunker = Rechunker(20)
    out = rechunker.push(AudioFrame(bytes(500), 8000)) + rechunker.push(
        AudioFrame(bytes(300), 8000)
    )
    assert [len(f.pcm) for f in out] == [320, 320]
    rest = rechunker.flush()
    assert rest is not None and len(rest.pcm) == 160
    assert rechunker.flush() is None
    rechunker.push(AudioFrame(bytes(100), 8000))
    padded = rechunker.flush(pad=True)
    assert padded is not None and len(padded.pcm) == 320


def test_split_frames_pads_the_last_frame() -> None:
    frames = split_frames(AudioFrame(bytes(2 * 170), 8000))
    assert [len(f.pcm) for f in frames] == [320, 320]
    assert frames[1].pcm[20:] == bytes(300)
    assert split_frames(silence(40, 8000)) == [silence(20, 8000)] * 2


def test_rechunker_refuses_mixed_rates_and_fractional_frames() -> None:
    rechunker = Rechunker(20)
    rechunker.push(silence(20, 8000))
    with pytest.raises(AudioFormatError):
        rechunker.push(silence(20, 16000))
    with pytest.raises(AudioFormatError, match="whole number"):
        Rechunker(10).push(silence(20, 22050))


def test_to_mono_and_one_shot_resample() -> None:
    left = samples_of(tone(500.0, 100, 16000))
    stereo = AudioFrame(np.column_stack([left, left // 2]).astype("<i2").tobytes(), 16000, 2)
    mono = to_mono(stereo)
    assert mono.channels == 1 and mono.samples == stereo.samples
    assert abs(int(samples_of(mono)[10]) - int(left[10] * 0.75)) <= 1
    down = resample(stereo, 8000)
    assert down.rate == 8000 and down.channels == 1 and abs(down.samples - 800) <= 1


def test_wav_round_trip(tmp_path: Path) -> None:
    frame = tone(440.0, 250, 22050)
    write_wav(tmp_path / "a.wav", frame)
    assert read_wav(tmp_path / "a.wav") == frame
    assert [p.name for p in tmp_path.iterdir()] == ["a.wav"]


@pytest.mark.parametrize("width", [1, 3, 4])
def test_other_integer_widths_are_converted(tmp_path: Path, width: int) -> None:
    source = samples_of(tone(440.0, 50, 8000)).astype(np.int32)
    if width == 1:
        raw = ((source >> 8) + 128).astype(np.uint8).tobytes()
    elif width == 3:
        as32 = (source << 16).astype("<i4").view(np.uint8).reshape(-1, 4)
        raw = np.ascontiguousarray(as32[:, 1:]).tobytes()
    else:
        raw = (source << 16).astype("<i4").tobytes()
    with wave.open(str(tmp_path / "w.wav"), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(width)
        wav.setframerate(8000)
        wav.writeframes(raw)
    got = samples_of(read_wav(tmp_path / "w.wav")).astype(int)
    tolerance = 256 if width == 1 else 0
    assert np.abs(got - source).max() <= tolerance


def test_bad_wav_files_give_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "text.wav").write_text("not audio")
    with pytest.raises(AudioFormatError, match="not a usable PCM WAV"):
        read_wav(tmp_path / "text.wav")
    write_wav(tmp_path / "f.wav", tone(440.0, 20, 8000))
    data = bytearray((tmp_path / "f.wav").read_bytes())
    data[20:22] = (3).to_bytes(2, "little")  # WAVE_FORMAT_IEEE_FLOAT
    (tmp_path / "f.wav").write_bytes(bytes(data))
    with pytest.raises(AudioFormatError, match="16-bit PCM"):
        read_wav(tmp_path / "f.wav")
