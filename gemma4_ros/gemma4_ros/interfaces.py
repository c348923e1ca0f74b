"""Core request, response, feedback and result types of the nodes' services and actions.

Each mirrors one ``gemma4_ros_msgs`` (or ``std_srvs``) interface field for field, as the types
in :mod:`gemma4_ros.types` mirror the messages, so the rclpy transport converts by renaming:

- ``ConfirmRequest`` / ``ConfirmResponse`` ⇄ ``gemma4_ros_msgs/srv/Confirm``
- ``ResetEStopRequest`` / ``ResetEStopResponse`` ⇄ ``std_srvs/srv/Trigger`` (see below)
- ``Plan`` / ``ExecutePlanFeedback`` / ``ExecutePlanResult`` ⇄ ``gemma4_ros_msgs/action/ExecutePlan``
- ``AskRequest`` / ``AskResponse`` ⇄ ``gemma4_ros_msgs/srv/Ask``
- ``InstructGoal`` / ``InstructFeedback`` / ``InstructResult`` ⇄ ``gemma4_ros_msgs/action/Instruct``
- ``DiagnosticReport`` ⇄ ``diagnostic_msgs/msg/DiagnosticArray`` (every status of one array)
- ``LogRecord`` ⇄ ``rcl_interfaces/msg/Log`` (``/rosout``)
- ``ImageData`` ⇄ ``sensor_msgs/msg/Image``; ``CompressedImageData`` ⇄
  ``sensor_msgs/msg/CompressedImage``. These carry the message's bytes unconverted: the planner
  turns them into a :class:`~gemma4_ros.perception.Frame` itself, so an unsupported encoding is
  dropped there with one throttled warning rather than one log line per frame in the transport.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from gemma4_ros.types import Citation, ExecutorState, Plan, PlanSource, ToolResult


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ConfirmRequest(_Frozen):
    """An operator's answer to the step awaiting confirmation."""

    plan_id: str
    step_index: int = Field(ge=0)
    approve: bool
    operator_id: str


class ConfirmResponse(_Frozen):
    accepted: bool
    message: str


class ResetEStopRequest(_Frozen):
    """Release the e-stop latch. ``operator_id`` goes to the audit log.

    On ROS this is ``std_srvs/srv/Trigger``, which every tool can call but which carries no
    caller name, so the rclpy transport fills ``operator_id`` with the service's name; a
    dedicated srv with an operator field would name the person (see the executor node's docs).
    """

    operator_id: str


class ResetEStopResponse(_Frozen):
    success: bool
    message: str


class ExecutePlanFeedback(_Frozen):
    """Where an ExecutePlan goal stands: the step running or awaiting confirmation (-1 when
    none), the executor's state, and the last step that finished (None until one has)."""

    current_step: int = Field(ge=-1)
    state: ExecutorState
    last_result: ToolResult | None = None


class ExecutePlanResult(_Frozen):
    """One result per step that ran or was refused, in step order."""

    results: tuple[ToolResult, ...] = ()
    success: bool = False
    error: str = ""


# --- planner node --------------------------------------------------------------------------


@dataclass(frozen=True)
class ImageData:
    """The fields of a ``sensor_msgs/Image``; ``data`` is any byte buffer (bytes, array.array)."""

    data: Any
    height: int
    width: int
    encoding: str
    step: int
    stamp: float
    frame_id: str = ""
    is_bigendian: bool = False


@dataclass(frozen=True)
class CompressedImageData:
    """The fields of a ``sensor_msgs/CompressedImage`` (JPEG or PNG bytes in ``data``)."""

    data: Any
    format: str
    stamp: float
    frame_id: str = ""


class AskRequest(_Frozen):
    """A copilot question; ``image`` None means "use the latest camera frame"."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    question: str
    image: ImageData | None = None
    want_plan: bool = False


class AskResponse(_Frozen):
    """``plan`` is only proposed (never executed); None when none was asked for or made.
    ``citations``: the manual passages the answer was given, best first."""

    answer: str = ""
    citations: tuple[Citation, ...] = ()
    plan: Plan | None = None
    success: bool = False
    error: str = ""


class InstructGoal(_Frozen):
    """Plan ``instruction``; with ``execute`` the plan is also published for the executor."""

    instruction: str
    source: PlanSource = PlanSource.TEXT
    execute: bool = False


class InstructFeedback(_Frozen):
    """The model's whole output text so far (not a delta) and how many tokens it took."""

    partial_text: str = ""
    tokens_generated: int = Field(default=0, ge=0)


class InstructResult(_Frozen):
    plan: Plan | None = None
    success: bool = False
    error: str = ""


class LogLevel(int, Enum):
    """``rcl_interfaces/Log`` levels."""

    DEBUG = 10
    INFO = 20
    WARN = 30
    ERROR = 40
    FATAL = 50


class LogRecord(_Frozen):
    """One line a node logged, as ``/rosout`` carries it (``rcl_interfaces/Log``)."""

    stamp: float
    level: LogLevel
    name: str  # the logger: the node's name, namespaced
    msg: str
    file: str = ""
    function: str = ""
    line: int = Field(default=0, ge=0)


class DiagnosticLevel(int, Enum):
    """``diagnostic_msgs/DiagnosticStatus`` levels."""

    OK = 0
    WARN = 1
    ERROR = 2
    STALE = 3


class DiagnosticStatus(_Frozen):
    """One component's health, as ``diagnostic_msgs/DiagnosticStatus`` carries it; ``values``
    are its key/value pairs in display order."""

    name: str
    level: DiagnosticLevel = DiagnosticLevel.OK
    message: str = ""
    hardware_id: str = ""
    values: tuple[tuple[str, str], ...] = ()
    stamp: float = 0.0


class DiagnosticReport(_Frozen):
    """One ``/diagnostics`` message: the statuses a node (or an aggregator) reports together,
    as ``diagnostic_msgs/DiagnosticArray`` carries them."""

    statuses: tuple[DiagnosticStatus, ...]
    stamp: float = 0.0
