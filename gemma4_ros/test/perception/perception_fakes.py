"""Test helpers for perception: the recorded spoken command and a deterministic energy detector.

``data/speech_go_to_the_dock.wav`` (0.8 s, 16 kHz, 16-bit mono, 26 kB) was generated once with
``espeak-ng -v en-us -s 160 "Go to the dock."``, resampled to 16 kHz and trimmed of silence. Real
VAD models need speech-like audio; synthetic tones are what they are trained to reject.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

SPEECH_WAV = Path(__file__).parent / "data" / "speech_go_to_the_dock.wav"


class EnergyDetector:
    """Speech = frame RMS above a level: exact, so state-machine tests can predict every frame."""

    frame_samples = 160  # 10 ms

    def __init__(self, level: float = 0.01) -> None:
        self.level = level
        self.resets = 0

    def speech_probability(self, frame: np.ndarray) -> float:
        assert frame.size == self.frame_samples
        return 1.0 if float(np.sqrt(np.mean(frame**2))) > self.level else 0.0

    def reset(self) -> None:
        self.resets += 1
