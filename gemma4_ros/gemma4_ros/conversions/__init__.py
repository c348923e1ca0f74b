"""Core types <-> ``gemma4_ros_msgs`` messages, without importing a ROS client library.

The ROS layer converts at its edges and otherwise only calls the core; this package is that
edge. Message classes come from a :class:`MessageTypes` passed in: the nodes pass rclpy's
(``MessageTypes.for_rosidl(interface_class)``), tests and
:mod:`gemma4_ros.wire` pass rosbags' dataclasses.

Whatever arrives from the wire is untrusted: bad JSON, an unknown enum string, a misnumbered
step or a partial audio frame raises :class:`WireError` (a ``Gemma4RosError``) naming the message
field and its value, never a raw ``json`` or ``pydantic`` exception. Core values the wire cannot
hold (a count past ``uint32``, a stamp past 2038) raise the same error on the way out.
"""

from gemma4_ros.conversions.base import (
    AUDIO_CHUNK,
    CITATION,
    EXECUTOR_STATUS,
    HEADER,
    PACKAGE,
    PLAN,
    PLAN_STEP,
    SAFETY_VERDICT,
    TIME,
    TOOL_CALL,
    TOOL_RESULT,
    MessageTypes,
    WireError,
    header_from_ros,
    header_to_ros,
    split_stamp,
    time_from_ros,
    time_to_ros,
)
from gemma4_ros.conversions.messages import (
    CONFIDENCE_UNKNOWN,
    CONVERSIONS,
    Conversion,
    audio_chunk_from_ros,
    audio_chunk_to_ros,
    citation_from_ros,
    citation_to_ros,
    conversion_for,
    executor_status_from_ros,
    executor_status_to_ros,
    from_ros,
    plan_from_ros,
    plan_step_from_ros,
    plan_step_to_ros,
    plan_to_ros,
    safety_verdict_from_ros,
    safety_verdict_to_ros,
    to_ros,
    tool_call_from_ros,
    tool_call_to_ros,
    tool_result_from_ros,
    tool_result_to_ros,
)

__all__ = [
    "AUDIO_CHUNK",
    "CITATION",
    "CONFIDENCE_UNKNOWN",
    "CONVERSIONS",
    "EXECUTOR_STATUS",
    "HEADER",
    "PACKAGE",
    "PLAN",
    "PLAN_STEP",
    "SAFETY_VERDICT",
    "TIME",
    "TOOL_CALL",
    "TOOL_RESULT",
    "Conversion",
    "MessageTypes",
    "WireError",
    "audio_chunk_from_ros",
    "audio_chunk_to_ros",
    "citation_from_ros",
    "citation_to_ros",
    "conversion_for",
    "executor_status_from_ros",
    "executor_status_to_ros",
    "from_ros",
    "header_from_ros",
    "header_to_ros",
    "plan_from_ros",
    "plan_step_from_ros",
    "plan_step_to_ros",
    "plan_to_ros",
    "safety_verdict_from_ros",
    "safety_verdict_to_ros",
    "split_stamp",
    "time_from_ros",
    "time_to_ros",
    "to_ros",
    "tool_call_from_ros",
    "tool_call_to_ros",
    "tool_result_from_ros",
    "tool_result_to_ros",
]
