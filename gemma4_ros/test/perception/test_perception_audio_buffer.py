"""Streaming resampling to 16 kHz mono and the ring buffer between audio callback and VAD worker."""

from __future__ import annotations

import numpy as np
import pytest

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.audio_buffer import AudioRingBuffer, StreamResampler
from gemma4_ros.media.audio_features import to_mono_16k
from gemma4_ros.types import AudioChunk, AudioEncoding

STAMP = 1_800_000_000.0


def sine(freq: float, rate: int, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def dominant_hz(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(samples.size)))
    return float(np.fft.rfftfreq(samples.size, 1 / rate)[np.argmax(spectrum)])


def chunks_of(samples: np.ndarray, rate: int, frames: int, encoding: AudioEncoding,
              channels: int = 1) -> list[AudioChunk]:
    interleaved = np.repeat(samples[:, None], channels, axis=1)
    if encoding is AudioEncoding.PCM_S16LE:
        data = (interleaved * 32767).astype("<i2")
    else:
        data = interleaved.astype("<f4")
    return [AudioChunk(stamp=STAMP + i / rate, sample_rate=rate, channels=channels,
                       encoding=encoding, data=data[i:i + frames].tobytes())
            for i in range(0, samples.size, frames)]


@pytest.mark.parametrize("rate", [48_000, 44_100, 22_050, 8_000])
def test_sine_keeps_its_frequency_when_streamed_in_chunks(rate: int) -> None:
    tone = sine(440.0, rate, 1.0)
    resampler = StreamResampler()
    pieces = [resampler.process(tone[i:i + rate // 100], rate).samples for i in range(0, tone.size,
                                                                            rate // 100)]
    out = np.concatenate(pieces + [resampler.flush()])
    assert abs(out.size - 16_000) <= 2
    assert dominant_hz(out, 16_000) == pytest.approx(440.0, abs=1.0)
    # Continuous across chunk boundaries: equal to resampling the whole signal at once.
    whole = to_mono_16k(tone, rate)
    middle = slice(1000, 15000)
    assert np.abs(out[middle] - whole[middle]).max() < 2e-3


def test_stereo_int16_chunks_become_mono_float_at_16k() -> None:
    buffer = AudioRingBuffer(capacity_s=5.0)
    tone = sine(1000.0, 48_000, 0.5)
    added = sum(buffer.push_chunk(chunk) for chunk in
                chunks_of(tone, 48_000, 480, AudioEncoding.PCM_S16LE, channels=2))
    buffer.flush_resampler()
    read = buffer.read_from(0)
    assert added <= read.samples.size and abs(read.samples.size - 8000) <= 2
    assert read.samples.dtype == np.float32 and read.lost == 0
    assert dominant_hz(read.samples, 16_000) == pytest.approx(1000.0, abs=2.0)
    assert np.abs(read.samples[500:7500]).max() == pytest.approx(0.5, abs=0.01)


def test_16k_float_chunks_pass_through_unchanged() -> None:
    buffer = AudioRingBuffer(capacity_s=1.0)
    tone = sine(300.0, 16_000, 0.3)
    for chunk in chunks_of(tone, 16_000, 320, AudioEncoding.PCM_F32LE):
        buffer.push_chunk(chunk)
    np.testing.assert_array_equal(buffer.read_from(0).samples, tone)


def test_ring_wraps_and_a_slow_reader_is_told_what_it_lost() -> None:
    buffer = AudioRingBuffer(capacity_s=1.0)  # 16,000 samples
    data = np.arange(40_000, dtype=np.float32)
    for start in range(0, data.size, 3000):
        buffer.append(data[start:start + 3000], STAMP + start / 16_000)
    assert (buffer.start, buffer.end) == (24_000, 40_000)
    read = buffer.read_from(10_000, max_samples=5000)
    assert (read.start, read.end, read.lost) == (24_000, 29_000, 14_000)
    np.testing.assert_array_equal(read.samples, data[24_000:29_000])
    np.testing.assert_array_equal(buffer.read_from(39_000).samples, data[39_000:])
    assert buffer.read_from(40_000).samples.size == 0


def test_append_longer_than_capacity_keeps_the_newest() -> None:
    buffer = AudioRingBuffer(capacity_s=0.5)
    data = np.arange(20_000, dtype=np.float32)
    buffer.append(data, STAMP)
    read = buffer.read_from(0)
    assert read.start == 12_000
    np.testing.assert_array_equal(read.samples, data[12_000:])


def test_stamps_follow_each_chunk() -> None:
    buffer = AudioRingBuffer(capacity_s=10.0)
    buffer.append(np.zeros(1600, np.float32), STAMP)
    buffer.append(np.zeros(1600, np.float32), STAMP + 0.5)  # a dropped chunk before this one
    assert buffer.stamp_at(0) == STAMP
    assert buffer.stamp_at(800) == pytest.approx(STAMP + 0.05)
    assert buffer.stamp_at(1600) == pytest.approx(STAMP + 0.5)
    assert buffer.stamp_at(2400) == pytest.approx(STAMP + 0.55)
    with pytest.raises(Gemma4RosError, match="no audio"):
        AudioRingBuffer(1.0).stamp_at(0)


def test_wait_beyond_wakes_on_new_audio() -> None:
    buffer = AudioRingBuffer(capacity_s=1.0)
    assert not buffer.wait_beyond(0, timeout=0.01)
    buffer.append(np.zeros(10, np.float32), STAMP)
    assert buffer.wait_beyond(0, timeout=0.01)


@pytest.mark.parametrize("samples, rate, text", [
    (np.array([0.1, np.nan], np.float32), 16_000, "NaN"),
    (np.zeros(4, np.float32), 0, "not positive"),
    (np.zeros((2, 2, 2), np.float32), 16_000, "shape"),
    (np.zeros(4, np.complex64), 16_000, "dtype"),
])
def test_bad_audio_is_refused(samples: np.ndarray, rate: int, text: str) -> None:
    with pytest.raises(Gemma4RosError, match=text):
        StreamResampler().process(samples, rate)


def test_rate_change_mid_stream_flushes_the_old_filter() -> None:
    resampler = StreamResampler()
    first = resampler.process(sine(440.0, 48_000, 0.5), 48_000).samples
    second = resampler.process(sine(440.0, 16_000, 0.5), 16_000)
    assert second.offset == second.samples.size - 8000  # the old filter's tail comes first
    assert first.size + second.samples.size == pytest.approx(16_000, abs=2)
    with pytest.raises(Gemma4RosError, match="capacity"):
        AudioRingBuffer(capacity_s=0)


@pytest.mark.parametrize("rate", [44_100, 48_000, 16_000])
def test_stamps_follow_the_input_although_soxr_emits_in_bursts(rate: int) -> None:
    buffer = AudioRingBuffer(capacity_s=5.0)
    for chunk in chunks_of(sine(200.0, rate, 1.0), rate, rate // 100, AudioEncoding.PCM_F32LE):
        buffer.push_chunk(chunk)
    buffer.flush_resampler()
    for index in (0, 555, 4321, 15_000):
        assert buffer.stamp_at(index) == pytest.approx(STAMP + index / 16_000, abs=1e-3)
