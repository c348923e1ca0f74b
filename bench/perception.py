#!/usr/bin/env python3
"""Perception cost and VAD behaviour: what the camera and audio callbacks and the VAD worker pay.

* vad: microseconds per frame for each backend (Silero: 32 ms frames; WebRTC: 30 ms frames), and
  the share of frames called speech on steady noise and a tone (should be 0) and on the test
  recording of a spoken command (its pauses between words included).
* frames: ``frame_from_raw`` per camera frame (640×480 and 1280×720) for each accepted encoding
  (alpha opaque, as cameras send it; translucent RGBA separately: it takes the processor's float
  blend), and ``frame_from_compressed`` for a JPEG of the same size — the camera callback's cost.
* audio: ``AudioRingBuffer.push_chunk`` per 10 ms chunk of 48 kHz stereo int16 (resample + copy),
  the audio callback's cost.

Usage: python bench/perception.py [--json] [--seconds 10]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from gemma4_ros.perception.audio_buffer import AudioRingBuffer
from gemma4_ros.perception.config import VadConfig
from gemma4_ros.perception.frame import (
    ACCEPTED_ENCODINGS,
    CHANNELS,
    Frame,
    frame_from_compressed,
    frame_from_raw,
    frame_to_compressed,
)
from gemma4_ros.perception.vad import VoiceDetector, make_detector
from gemma4_ros.media.decode import load_audio
from gemma4_ros.types import AudioChunk

RATE = 16_000
SPEECH = (Path(__file__).resolve().parents[1] / "gemma4_ros" / "test" / "perception" / "data"
          / "speech_go_to_the_dock.wav")


def per_call_us(function: Callable[[], Any], repeat: int) -> float:
    """Median of five timings of ``repeat`` calls, in microseconds per call."""
    timings = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            function()
        timings.append((time.perf_counter() - start) / repeat * 1e6)
    return float(np.median(timings))


def speech_share(detector: VoiceDetector, audio: np.ndarray, threshold: float) -> float:
    detector.reset()
    size = detector.frame_samples
    frames = [audio[i:i + size] for i in range(0, audio.size - size + 1, size)]
    return float(np.mean([detector.speech_probability(f) >= threshold for f in frames]))


def test_signals(seconds: float) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    n = int(seconds * RATE)
    speech, _ = load_audio(SPEECH)
    return {
        "white_noise_rms_0.1": (0.1 * rng.standard_normal(n)).astype(np.float32),
        "white_noise_rms_0.01": (0.01 * rng.standard_normal(n)).astype(np.float32),
        "tone_1khz_amp_0.3": (0.3 * np.sin(2 * np.pi * 1000 * np.arange(n) / RATE)).astype(
            np.float32),
        "spoken_command": np.tile(speech[:, 0], max(1, int(seconds / 0.8))),
    }


def measure_vad(seconds: float) -> dict[str, Any]:
    signals = test_signals(seconds)
    configs = {"silero": VadConfig(backend="silero")}
    configs.update({f"webrtc_a{a}": VadConfig(backend="webrtc", aggressiveness=a)
                    for a in range(4)})
    result: dict[str, Any] = {}
    for name, config in configs.items():
        detector = make_detector(config)
        frame = signals["spoken_command"][:detector.frame_samples].copy()
        figures: dict[str, float] = {
            "us_per_frame": per_call_us(lambda: detector.speech_probability(frame), 200),
            "frame_ms": detector.frame_samples / RATE * 1000,
        }
        for signal_name, audio in signals.items():
            figures[f"speech_share_{signal_name}"] = speech_share(detector, audio,
                                                                  config.threshold)
        result[name] = figures
    return result


def measure_frames() -> dict[str, float]:
    rng = np.random.default_rng(1)
    result: dict[str, float] = {}
    for width, height in ((640, 480), (1280, 720)):
        for encoding in ACCEPTED_ENCODINGS:
            step = width * CHANNELS[encoding]
            pixels = rng.integers(0, 256, size=height * step, dtype=np.uint8)
            if CHANNELS[encoding] == 4:
                pixels[3::4] = 255  # cameras send opaque alpha; translucent is measured below
            data = pixels.tobytes()
            result[f"raw_{encoding}_{width}x{height}_us"] = per_call_us(
                lambda: frame_from_raw(data, height=height, width=width, encoding=encoding,
                                       step=step, stamp=0.0), 20)
        translucent = rng.integers(0, 256, size=height * width * 4, dtype=np.uint8).tobytes()
        result[f"raw_rgba8_translucent_{width}x{height}_us"] = per_call_us(
            lambda: frame_from_raw(translucent, height=height, width=width, encoding="rgba8",
                                   step=width * 4, stamp=0.0), 3)
        smooth = np.repeat(np.repeat(rng.integers(0, 256, (height // 8, width // 8, 3),
                                                  dtype=np.uint8), 8, 0), 8, 1)
        jpeg = frame_to_compressed(Frame(smooth, 0.0), "jpeg", 90)
        result[f"jpeg_{width}x{height}_us"] = per_call_us(
            lambda: frame_from_compressed(jpeg, format="jpeg", stamp=0.0), 20)
    return result


def measure_audio() -> dict[str, float]:
    buffer = AudioRingBuffer(capacity_s=10.0)
    pcm = (np.random.default_rng(2).uniform(-0.3, 0.3, (480, 2)) * 32767).astype("<i2")
    chunk = AudioChunk(stamp=0.0, sample_rate=48_000, channels=2, data=pcm.tobytes())
    return {"push_chunk_48k_stereo_10ms_us": per_call_us(lambda: buffer.push_chunk(chunk), 500)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="length of each VAD test signal")
    args = parser.parse_args()
    figures = {"vad": measure_vad(args.seconds), "frames": measure_frames(),
               "audio": measure_audio()}
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    for section, values in figures.items():
        print(f"[{section}]")
        for key, value in values.items():
            if isinstance(value, dict):
                print(f"  {key}: " + ", ".join(f"{k}={v:.3g}" for k, v in value.items()))
            else:
                print(f"  {key}: {value:.1f}")


if __name__ == "__main__":
    main()
