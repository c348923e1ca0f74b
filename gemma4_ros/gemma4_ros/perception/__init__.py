"""The input side, ROS-free: camera frames, audio, voice activity, and sources for running alone.

Camera: :class:`Frame` (RGB, stamped) from raw or compressed image bytes, and a
:class:`LatestFrame` one-slot buffer that a sensor-data subscription fills and requests read.
Audio: :class:`SpeechListener` buffers :class:`~gemma4_ros.types.AudioChunk` messages of any rate
and layout as 16 kHz mono and segments them into :class:`Utterance` objects with a proven VAD
(Silero or WebRTC) on a worker thread. :mod:`gemma4_ros.perception.sources` reads images, video,
webcams, WAV files and microphones for the standalone pipeline.
"""

from gemma4_ros.perception.config import PerceptionConfig
from gemma4_ros.perception.frame import (
    ACCEPTED_ENCODINGS,
    Frame,
    FrameError,
    RawImage,
    frame_from_bgr,
    frame_from_compressed,
    frame_from_raw,
    frame_to_compressed,
    frame_to_raw,
)
from gemma4_ros.perception.latest_frame import FrameStats, LatestFrame, NoFrameError
from gemma4_ros.perception.listener import ListenerStats, SpeechListener
from gemma4_ros.perception.utterances import Utterance, UtteranceSegmenter, split_utterances

__all__ = [
    "ACCEPTED_ENCODINGS",
    "Frame",
    "FrameError",
    "FrameStats",
    "LatestFrame",
    "ListenerStats",
    "NoFrameError",
    "PerceptionConfig",
    "RawImage",
    "SpeechListener",
    "Utterance",
    "UtteranceSegmenter",
    "frame_from_bgr",
    "frame_from_compressed",
    "frame_from_raw",
    "frame_to_compressed",
    "frame_to_raw",
    "split_utterances",
]
