"""What a flight record holds: each topic, its ROS 2 message type, and how a value becomes CDR.

The topic names are the package's own (as the launch file wires the nodes under ``/gemma4``), so
a rosbag2 recorded on a robot with ``ros2 bag record`` reads with the same table. Two topics exist
only in records: ``recorder/image`` and ``recorder/audio`` hold the camera frame and the speech
the planner was actually given for a plan (logged just before that plan), not every frame the
camera sent — what a replay must feed the model to ask it the same question.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rosbags.typesys.store import Typestore

from gemma4_ros.conversions.images import image_from_ros, image_to_ros
from gemma4_ros.perception.frame import Frame
from gemma4_ros.types import AudioChunk, ExecutorStatus, Plan, SafetyVerdict, ToolResult
from gemma4_ros.wire import from_cdr, rosbags_types, to_cdr

NS = "/gemma4"
STRING = "std_msgs/msg/String"
BOOL = "std_msgs/msg/Bool"
IMAGE = "sensor_msgs/msg/Image"


@dataclass(frozen=True)
class RecordedTopic:
    """One topic of a record: ``encode`` turns the core value into CDR, ``decode`` back."""

    name: str
    ros_type: str
    encode: Callable[[Any, Typestore], bytes]
    decode: Callable[[bytes, Typestore], Any]


def _core(core_type: type[Any]) -> tuple[Callable[[Any, Typestore], bytes],
                                        Callable[[bytes, Typestore], Any]]:
    return (lambda value, store: to_cdr(value, store),
            lambda data, store: from_cdr(data, core_type, store))


def _encode_string(text: str, store: Typestore) -> bytes:
    return bytes(store.serialize_cdr(store.types[STRING](data=text), STRING))


def _decode_string(data: bytes, store: Typestore) -> str:
    message: Any = store.deserialize_cdr(data, STRING)
    return str(message.data)


def _encode_bool(value: bool, store: Typestore) -> bytes:
    return bytes(store.serialize_cdr(store.types[BOOL](data=bool(value)), BOOL))


def _decode_bool(data: bytes, store: Typestore) -> bool:
    message: Any = store.deserialize_cdr(data, BOOL)
    return bool(message.data)


def _encode_image(frame: Frame, store: Typestore) -> bytes:
    return bytes(store.serialize_cdr(image_to_ros(frame, rosbags_types(store)), IMAGE))


def _decode_image(data: bytes, store: Typestore) -> Frame:
    return image_from_ros(store.deserialize_cdr(data, IMAGE))


def _topics() -> dict[str, RecordedTopic]:
    table = [
        RecordedTopic(f"{NS}/command", STRING, _encode_string, _decode_string),
        RecordedTopic(f"{NS}/estop", BOOL, _encode_bool, _decode_bool),
        RecordedTopic(f"{NS}/recorder/image", IMAGE, _encode_image, _decode_image),
        RecordedTopic(f"{NS}/recorder/audio", "gemma4_ros_msgs/msg/AudioChunk", *_core(AudioChunk)),
        RecordedTopic(f"{NS}/planner/plan", "gemma4_ros_msgs/msg/Plan", *_core(Plan)),
        RecordedTopic(f"{NS}/executor/verdicts", "gemma4_ros_msgs/msg/SafetyVerdict",
                      *_core(SafetyVerdict)),
        RecordedTopic(f"{NS}/executor/results", "gemma4_ros_msgs/msg/ToolResult",
                      *_core(ToolResult)),
        RecordedTopic(f"{NS}/executor/status", "gemma4_ros_msgs/msg/ExecutorStatus",
                      *_core(ExecutorStatus)),
    ]
    return {topic.name: topic for topic in table}


TOPICS: dict[str, RecordedTopic] = _topics()
COMMAND, ESTOP, IMAGE_USED, AUDIO_USED, PLAN, VERDICTS, RESULTS, STATUS = TOPICS
