"""Perception fixtures: the recorded spoken command and a deterministic energy detector."""

from __future__ import annotations

import numpy as np
import pytest
from perception_fakes import SPEECH_WAV, EnergyDetector

from gemma4_ros.media.decode import load_audio


@pytest.fixture(scope="session")
def speech() -> np.ndarray:
    samples, rate = load_audio(SPEECH_WAV)
    assert rate == 16_000 and samples.shape[1] == 1
    return samples[:, 0].copy()


@pytest.fixture
def energy() -> EnergyDetector:
    return EnergyDetector()
