"""Core value types shared by every layer: the one status vocabulary of the package.

These pydantic models are what the planner produces, the gate judges, the executor runs and the
ROS layer converts. They mirror the messages in ``gemma4_ros_msgs`` field for field (arguments and
results are dicts here and JSON strings on the wire), so a conversion is a rename, never a guess.
Times are float seconds since the Unix epoch, as ``time.time()`` gives them; the wire form is
``builtin_interfaces/Time``.
"""

from __future__ import annotations

import json
import time
import uuid
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


def new_id(prefix: str) -> str:
    """Short unique id; the prefix tells a log reader what kind of object it names."""
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def _require_json(value: dict[str, Any], what: str) -> None:
    """The wire form is JSON text; refuse anything that would not survive the trip (NaN too)."""
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} must be plain JSON values (no NaN/inf): {error}") from None


class _Frozen(BaseModel):
    """Immutable and strict about unknown fields: a typo in a key is an error, not a silent drop."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class PlanSource(str, Enum):
    """Where an instruction came from; the gate uses it for provenance rules.

    The first four are operator channels. ``CAMERA_TEXT`` (an instruction read off a sign or screen
    by the camera) and ``TOOL_OUTPUT`` (an instruction found in a tool's result) are not: the gate
    never approves motion for them, whatever the text says.
    """

    TEXT = "text"
    VOICE = "voice"
    MISSION = "mission"
    COPILOT = "copilot"
    CAMERA_TEXT = "camera_text"
    TOOL_OUTPUT = "tool_output"


class Decision(str, Enum):
    """The gate's verdict on one call."""

    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    NEEDS_CONFIRMATION = "NEEDS_CONFIRMATION"


class ResultStatus(str, Enum):
    """How one executed (or refused) step ended."""

    SUCCEEDED = "SUCCEEDED"
    FAILED = "FAILED"
    CANCELED = "CANCELED"
    REJECTED = "REJECTED"
    TIMED_OUT = "TIMED_OUT"


class ExecutorState(str, Enum):
    """The executor's state machine states."""

    IDLE = "IDLE"
    EXECUTING = "EXECUTING"
    AWAITING_CONFIRMATION = "AWAITING_CONFIRMATION"
    ESTOPPED = "ESTOPPED"


class ToolCall(_Frozen):
    """One call of a declared tool; arguments are already JSON values (not yet schema-checked)."""

    id: str = Field(default_factory=lambda: new_id("call"))
    name: str = Field(min_length=1)
    arguments: dict[str, Any] = Field(default_factory=dict)

    @field_validator("arguments")
    @classmethod
    def _json_serialisable(cls, value: dict[str, Any]) -> dict[str, Any]:
        _require_json(value, "arguments")
        return value

    @property
    def arguments_json(self) -> str:
        return json.dumps(self.arguments, sort_keys=True, separators=(",", ":"))


class PlanStep(_Frozen):
    """A call in its place in a plan, with the model's reason for it (may be empty) and how sure
    the model was of it.

    ``confidence`` is the lowest probability among the call's sampled tokens, in [0, 1] (see
    ``planning/confidence.py``); None when no model measured it — a mission's calls, a plan
    written by hand. None is "unknown", never "sure": the gate's ``plan.low_confidence`` rule
    holds a model's motion call without a confidence for an operator, as it holds an unsure one.
    """

    index: int = Field(ge=0)
    call: ToolCall
    rationale: str = ""
    confidence: float | None = Field(default=None, ge=0.0, le=1.0, allow_inf_nan=False)


class PlanLatency(_Frozen):
    """Where the time of one planning request went, in seconds."""

    time_to_first_token_s: float = Field(default=0.0, ge=0.0)
    total_s: float = Field(default=0.0, ge=0.0)


class Plan(_Frozen):
    """A validated plan: steps are in execution order and indexed 0..n-1."""

    plan_id: str = Field(default_factory=lambda: new_id("plan"))
    stamp: float = Field(default_factory=time.time)
    frame_id: str = ""
    instruction: str = ""
    source: PlanSource = PlanSource.TEXT
    steps: tuple[PlanStep, ...] = ()
    summary: str = ""
    model: str = ""
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    latency: PlanLatency = PlanLatency()

    @field_validator("steps")
    @classmethod
    def _indexed_in_order(cls, steps: tuple[PlanStep, ...]) -> tuple[PlanStep, ...]:
        for position, step in enumerate(steps):
            if step.index != position:
                raise ValueError(
                    f"step at position {position} has index {step.index}; steps must be "
                    "numbered 0..n-1 in execution order"
                )
        return steps

    @classmethod
    def from_calls(cls, calls: list[ToolCall], **fields: Any) -> Plan:
        """Build a plan whose steps are the calls in order, without rationales."""
        steps = tuple(PlanStep(index=i, call=call) for i, call in enumerate(calls))
        return cls(steps=steps, **fields)


class SafetyVerdict(_Frozen):
    """The gate's decision on one step, with every rule that fired and why."""

    stamp: float = Field(default_factory=time.time)
    plan_id: str = ""
    step_index: int = Field(default=0, ge=0)
    tool: str = ""
    decision: Decision
    rules: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()

    @property
    def approved(self) -> bool:
        return self.decision is Decision.APPROVED


class ToolResult(_Frozen):
    """The outcome of one step; ``result`` holds the binding's JSON answer when there is one."""

    stamp: float = Field(default_factory=time.time)
    plan_id: str = ""
    call_id: str = ""
    status: ResultStatus
    result: dict[str, Any] | None = None
    error: str = ""

    @field_validator("result")
    @classmethod
    def _result_is_json(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is not None:
            _require_json(value, "result")
        return value

    @property
    def result_json(self) -> str:
        return "" if self.result is None else json.dumps(self.result, sort_keys=True)


class ExecutorStatus(_Frozen):
    """A snapshot of the executor, published on every state change."""

    stamp: float = Field(default_factory=time.time)
    state: ExecutorState = ExecutorState.IDLE
    plan_id: str = ""
    current_step: int = Field(default=-1, ge=-1)
    total_steps: int = Field(default=0, ge=0)
    estop_latched: bool = False
    message: str = ""


class AudioEncoding(str, Enum):
    """Sample formats an AudioChunk may carry (little-endian, interleaved channels)."""

    PCM_S16LE = "pcm_s16le"
    PCM_F32LE = "pcm_f32le"


class AudioChunk(_Frozen):
    """Raw audio as it arrives from a microphone driver; perception turns it into utterances."""

    stamp: float = Field(default_factory=time.time)
    frame_id: str = ""
    sample_rate: int = Field(gt=0)
    channels: int = Field(default=1, gt=0)
    encoding: AudioEncoding = AudioEncoding.PCM_S16LE
    data: bytes = b""

    @property
    def sample_width(self) -> int:
        return 2 if self.encoding is AudioEncoding.PCM_S16LE else 4

    @model_validator(mode="after")
    def _whole_frames(self) -> AudioChunk:
        # A partial frame means the driver or the sender is broken; say so at the edge.
        frame_bytes = self.sample_width * self.channels
        if len(self.data) % frame_bytes:
            raise ValueError(
                f"audio data has {len(self.data)} bytes, not a whole number of "
                f"{self.channels}-channel {self.encoding.value} frames ({frame_bytes} bytes each)"
            )
        return self


class Pose2D(_Frozen):
    """A planar pose: metres and radians in ``frame_id`` (``map`` unless said otherwise)."""

    x: float = 0.0
    y: float = 0.0
    yaw: float = 0.0
    frame_id: str = "map"


class RobotState(_Frozen):
    """What the gate needs to know about the robot right now (pose for geofences, gripper for
    forbidden sequences, battery for refusals); produced by a binding, stamped when read."""

    stamp: float = Field(default_factory=time.time)
    pose: Pose2D = Pose2D()
    gripper_holding: bool = False
    battery: float = Field(default=1.0, ge=0.0, le=1.0)


class CitationKind(str, Enum):
    """What a citation points into (``Citation.msg``'s KIND_* constants equal these values)."""

    DOCUMENT = "document"  # a passage of a manual or procedure
    RULE = "rule"  # a safety rule the gate applied (source: the rule id)
    AUDIT = "audit"  # another event of the audit log (a failed step, an e-stop)
    LOG = "log"  # a line a node logged on /rosout (source: the logger)
    DIAGNOSTIC = "diagnostic"  # a component's latest /diagnostics status (source: its name)


class Citation(_Frozen):
    """Where part of a copilot answer came from, precisely enough for an operator to check it."""

    kind: CitationKind = CitationKind.DOCUMENT
    source: str = Field(min_length=1, description="the document's path within its folder")
    locator: str = Field(description="section path or page, and the line it starts on")
    quote: str = Field(description="the passage's words, shortened")
