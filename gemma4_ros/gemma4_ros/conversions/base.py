"""The wire vocabulary shared by every conversion: type names, the class resolver, errors, checks.

Kept apart from :mod:`gemma4_ros.conversions.messages` so that module reads as the list of
``x_to_ros`` / ``x_from_ros`` pairs and nothing else. No ROS client library is imported here:
message classes arrive through :class:`MessageTypes`.
"""

from __future__ import annotations

import array
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from gemma4_ros import stamps
from gemma4_ros.errors import Gemma4RosError

PACKAGE = "gemma4_ros_msgs"
TIME = "builtin_interfaces/msg/Time"
HEADER = "std_msgs/msg/Header"
TOOL_CALL = f"{PACKAGE}/msg/ToolCall"
PLAN_STEP = f"{PACKAGE}/msg/PlanStep"
PLAN = f"{PACKAGE}/msg/Plan"
SAFETY_VERDICT = f"{PACKAGE}/msg/SafetyVerdict"
TOOL_RESULT = f"{PACKAGE}/msg/ToolResult"
EXECUTOR_STATUS = f"{PACKAGE}/msg/ExecutorStatus"
AUDIO_CHUNK = f"{PACKAGE}/msg/AudioChunk"
CITATION = f"{PACKAGE}/msg/Citation"

UINT16_MAX = 2**16 - 1
UINT32_MAX = 2**32 - 1
INT32_MAX = stamps.INT32_MAX
_NANOS = stamps.NANOS
_SHOWN_VALUE_CHARS = 120

E = TypeVar("E", bound=Enum)
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class MessageTypes:
    """Where message classes come from, so this module never imports rclpy.

    ``get_class`` maps a full type name such as ``"gemma4_ros_msgs/msg/Plan"`` to its class;
    ``uint8_array`` turns bytes into what that library wants in a ``uint8[]`` field (rclpy stores
    ``array.array('B')``, rosbags a numpy ``uint8`` array).
    """

    get_class: Callable[[str], Any]
    uint8_array: Callable[[bytes], Any]

    @classmethod
    def for_rosidl(cls, get_message: Callable[[str], Any]) -> MessageTypes:
        """Types for rclpy nodes: pass ``gemma4_ros.ros.interface_fields.interface_class``."""
        return cls(get_class=get_message, uint8_array=lambda data: array.array("B", data))

    def __call__(self, name: str) -> Any:
        return self.get_class(name)


class WireError(Gemma4RosError):
    """A message field holds a value the core cannot accept, or a core value the wire cannot.

    ``message_type`` is the outermost message converted, ``field`` the path inside it (e.g.
    ``steps[2].call.arguments_json``) and ``value`` the offending value.
    """

    def __init__(self, message_type: str, field: str, value: Any, reason: str, hint: str) -> None:
        self.message_type = message_type
        self.field = field
        self.value = value
        self.reason = reason
        shown = repr(value)
        if len(shown) > _SHOWN_VALUE_CHARS:
            shown = shown[:_SHOWN_VALUE_CHARS] + "..."
        super().__init__(f"{message_type}.{field} = {shown}: {reason}", hint)

    def inside(self, message_type: str, field: str) -> WireError:
        """The same error seen from the message that holds this one in ``field``."""
        return WireError(
            message_type, f"{field}.{self.field}", self.value, self.reason, self.hint
        )


@contextmanager
def inside(message_type: str, field: str) -> Iterator[None]:
    """Errors raised within are re-raised as seen from ``message_type``'s ``field``, so a bad
    value deep in a plan is reported as ``Plan.steps[2].call.arguments_json``."""
    try:
        yield
    except WireError as error:
        raise error.inside(message_type, field) from None


def _definition_hint(message_type: str) -> str:
    package, _, name = message_type.partition("/msg/")
    return f"see the field's comment in {package}/msg/{name}.msg for what it must hold"


def build(
    core_type: type[M],
    message_type: str,
    renames: Mapping[str, str] | None = None,
    /,
    **fields: Any,
) -> M:
    """Construct a core model, turning pydantic's complaint into a WireError on the wire field.

    ``renames`` maps a core field to its wire name where they differ; ``""`` names the field
    blamed for a whole-model check (e.g. AudioChunk's whole-frames rule blames ``data``).
    """
    try:
        return core_type(**fields)
    except ValidationError as error:
        first = error.errors()[0]
        core_field = ".".join(str(part) for part in first["loc"])
        field = (renames or {}).get(core_field, core_field)
        value = first["input"] if first["loc"] else fields.get(field)
        reason = first["msg"].removeprefix("Value error, ")  # pydantic's wrapper, not news
        hint = _definition_hint(message_type)
        raise WireError(message_type, field, value, reason, hint) from None


def parse_enum(enum: type[E], value: str, message_type: str, field: str, prefix: str) -> E:
    """The enum member whose value is ``value``; anything else, "" included, is an error rather
    than a default, because a guessed source or decision could widen what the gate allows."""
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in enum)
        raise WireError(
            message_type,
            field,
            value,
            f"unknown value; allowed: {allowed}",
            f"use one of the {prefix}_* constants of {message_type}",
        ) from None


def in_range(value: int, low: int, high: int, message_type: str, field: str) -> int:
    """``value`` if the wire's integer type holds it; rclpy would assert and rosbags raise a
    bare struct.error, neither naming the field."""
    if not low <= value <= high:
        raise WireError(
            message_type,
            field,
            value,
            f"out of range for the wire type [{low}, {high}]",
            "this value cannot be sent; check what produced it",
        )
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of repeated keys silently; a sender that repeats one is ambiguous.
    result = dict(pairs)
    if len(result) != len(pairs):
        counts = Counter(key for key, _ in pairs)
        duplicates = sorted(key for key, count in counts.items() if count > 1)
        raise ValueError(f"duplicate keys {duplicates}")
    return result


def json_object(text: str, message_type: str, field: str) -> dict[str, Any]:
    """Parse strict JSON (no NaN/Infinity, no duplicate keys) that must be one object."""
    try:
        value = json.loads(
            text, parse_constant=_reject_constant, object_pairs_hook=_unique_keys
        )
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        problem = f"not valid JSON ({error})"
    except RecursionError:
        problem = "not valid JSON (nested too deeply)"
    else:
        if isinstance(value, dict):
            return value
        problem = f"a JSON {type(value).__name__}, not an object"
    raise WireError(
        message_type,
        field,
        text,
        problem,
        'send one JSON object in UTF-8 text, e.g. {"place": "dock"}',
    )


# --- builtin_interfaces/Time and std_msgs/Header -------------------------------------------


def time_to_ros(stamp: float, types: MessageTypes) -> Any:
    """Float seconds to ``builtin_interfaces/Time``; exact to the nanosecond (see split_stamp)."""
    sec, nanosec = split_stamp(stamp)
    return types(TIME)(sec=sec, nanosec=nanosec)


def split_stamp(stamp: float) -> tuple[int, int]:
    """:func:`gemma4_ros.stamps.split_stamp`, refusing a bad stamp as a message field."""
    try:
        return stamps.split_stamp(stamp)
    except ValueError as error:
        raise WireError(TIME, "sec", stamp, str(error),
                        "stamp with time.time() or a ROS clock") from None


def time_from_ros(msg: Any) -> float:
    """``builtin_interfaces/Time`` to float seconds since the epoch."""
    if msg.sec < 0:
        raise WireError(TIME, "sec", msg.sec, "negative time", "stamp with a ROS clock")
    if not 0 <= msg.nanosec < _NANOS:
        raise WireError(
            TIME, "nanosec", msg.nanosec, f"must be in [0, {_NANOS})", "normalise the stamp"
        )
    return float(msg.sec + msg.nanosec / _NANOS)


def header_to_ros(stamp: float, frame_id: str, types: MessageTypes) -> Any:
    """``(stamp, frame_id)`` to ``std_msgs/Header``."""
    with inside(HEADER, "stamp"):
        return types(HEADER)(stamp=time_to_ros(stamp, types), frame_id=frame_id)


def header_from_ros(msg: Any) -> tuple[float, str]:
    """``std_msgs/Header`` to ``(stamp, frame_id)``."""
    with inside(HEADER, "stamp"):
        return time_from_ros(msg.stamp), msg.frame_id


def header_field_to_ros(
    stamp: float, frame_id: str, types: MessageTypes, message_type: str
) -> Any:
    """The ``header`` field of ``message_type``; errors name that message."""
    with inside(message_type, "header"):
        return header_to_ros(stamp, frame_id, types)


def header_field_from_ros(msg: Any, message_type: str) -> tuple[float, str]:
    """``msg.header`` of a ``message_type`` message; errors name that message."""
    with inside(message_type, "header"):
        return header_from_ros(msg.header)


