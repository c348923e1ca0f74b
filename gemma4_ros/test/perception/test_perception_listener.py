"""SpeechListener: chunks pushed from other threads come out as utterances on its worker."""

from __future__ import annotations

import queue
import threading

import numpy as np
import pytest
from perception_fakes import EnergyDetector

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.config import AudioConfig, PerceptionConfig, VadConfig
from gemma4_ros.perception.listener import SpeechListener
from gemma4_ros.perception.utterances import Utterance
from gemma4_ros.types import AudioChunk, AudioEncoding

STAMP = 1_800_000_000.0
CONFIG = PerceptionConfig(vad=VadConfig(padding_s=0.05, min_silence_s=0.1, min_speech_s=0.05))


def int16_chunks(audio: np.ndarray, rate: int, frames: int = 441) -> list[AudioChunk]:
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    return [AudioChunk(stamp=STAMP + i / rate, sample_rate=rate, encoding=AudioEncoding.PCM_S16LE,
                       data=pcm[i:i + frames].tobytes()) for i in range(0, pcm.size, frames)]


def command_audio(rate: int) -> np.ndarray:
    t = np.arange(rate) / rate
    burst = (0.2 * np.sin(2 * np.pi * 300 * t[: rate // 2])).astype(np.float32)
    gap = np.zeros(rate // 2, np.float32)
    return np.concatenate([gap, burst, gap, burst, gap])


def test_utterances_arrive_in_a_queue_with_stamps() -> None:
    out: queue.Queue[Utterance] = queue.Queue()
    with SpeechListener(out.put, CONFIG, EnergyDetector()) as listener:
        for chunk in int16_chunks(command_audio(44_100), 44_100):
            listener.push(chunk)
        first = out.get(timeout=10)
        second = out.get(timeout=10)
    assert first.start - STAMP == pytest.approx(0.45, abs=0.02)
    assert second.start - STAMP == pytest.approx(1.45, abs=0.02)
    assert first.duration_s == pytest.approx(0.6, abs=0.02)
    stats = listener.stats()
    assert stats.utterances == 2 and stats.lost_samples == 0 and stats.last_error == ""
    assert stats.samples == pytest.approx(2.5 * 16_000, abs=2)


def test_speech_in_progress_is_flushed_on_stop() -> None:
    got: list[Utterance] = []
    listener = SpeechListener(got.append, CONFIG, EnergyDetector()).start()
    audio = np.concatenate([np.zeros(8000, np.float32), 0.2 * np.ones(8000, np.float32)])
    for chunk in int16_chunks(audio, 16_000, 320):
        listener.push(chunk)
    listener.stop()
    assert len(got) == 1 and got[0].duration_s == pytest.approx(0.55, abs=0.01)
    listener.stop()  # a second stop is harmless


def test_pushes_from_several_threads_are_all_buffered() -> None:
    listener = SpeechListener(lambda u: None, CONFIG, EnergyDetector()).start()
    chunk = AudioChunk(stamp=STAMP, sample_rate=16_000, data=b"\0\0" * 160)

    def push_many() -> None:
        for _ in range(200):
            listener.push(chunk)

    threads = [threading.Thread(target=push_many) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    listener.stop()
    assert listener.stats().chunks == 800 and listener.stats().samples == 800 * 160


def test_a_failing_callback_is_recorded_and_listening_goes_on() -> None:
    calls: list[Utterance] = []

    def broken(utterance: Utterance) -> None:
        calls.append(utterance)
        raise RuntimeError("planner busy")

    listener = SpeechListener(broken, CONFIG, EnergyDetector()).start()
    for chunk in int16_chunks(command_audio(16_000), 16_000):
        listener.push(chunk)
    listener.stop()
    assert len(calls) == 2
    assert listener.stats().last_error == "on_utterance: RuntimeError: planner busy"


def test_a_worker_that_falls_behind_loses_audio_and_resets() -> None:
    detector = EnergyDetector()
    config = CONFIG.model_copy(update={"audio": AudioConfig(buffer_s=1.0)})
    listener = SpeechListener(lambda u: None, config, detector)  # not started: nobody reads
    for chunk in int16_chunks(np.zeros(3 * 16_000, np.float32), 16_000, 1600):
        listener.push(chunk)
    listener.start()
    listener.stop()
    assert listener.stats().lost_samples == 2 * 16_000
    assert detector.resets >= 1


def test_bad_chunks_and_double_start_are_refused() -> None:
    listener = SpeechListener(lambda u: None, CONFIG, EnergyDetector())
    nan = np.array([np.nan], "<f4").tobytes()
    with pytest.raises(Gemma4RosError, match="NaN"):
        listener.push(AudioChunk(sample_rate=16_000, encoding=AudioEncoding.PCM_F32LE, data=nan))
    listener.start()
    with pytest.raises(Gemma4RosError, match="already started"):
        listener.start()
    listener.stop()
