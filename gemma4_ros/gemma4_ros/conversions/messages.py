"""One ``x_to_ros`` / ``x_from_ros`` pair per ``gemma4_ros_msgs`` message, and a registry of them.

``x_to_ros(core, types)`` builds the message with keyword arguments for every field;
``x_from_ros(msg)`` reads fields by name, so it accepts rclpy messages and rosbags dataclasses
alike. Enum fields travel as the enum's string value, which the message's constants equal, so the
mapping is the value itself; an unknown string is an error, never a default, because the gate
reads ``Plan.source`` for provenance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel

from gemma4_ros.conversions.base import (
    AUDIO_CHUNK,
    CITATION,
    EXECUTOR_STATUS,
    INT32_MAX,
    PLAN,
    PLAN_STEP,
    SAFETY_VERDICT,
    TOOL_CALL,
    TOOL_RESULT,
    UINT16_MAX,
    UINT32_MAX,
    MessageTypes,
    WireError,
    build,
    header_field_from_ros,
    header_field_to_ros,
    in_range,
    inside,
    json_object,
    parse_enum,
)
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.types import (
    AudioChunk,
    AudioEncoding,
    Citation,
    CitationKind,
    Decision,
    ExecutorState,
    ExecutorStatus,
    Plan,
    PlanLatency,
    PlanSource,
    PlanStep,
    ResultStatus,
    SafetyVerdict,
    ToolCall,
    ToolResult,
)

M = TypeVar("M", bound=BaseModel)

# PlanStep.CONFIDENCE_UNKNOWN: the wire's "no model measured it" (None in the core type).
CONFIDENCE_UNKNOWN = -1.0

# --- ToolCall, PlanStep, Plan --------------------------------------------------------------


def tool_call_to_ros(call: ToolCall, types: MessageTypes) -> Any:
    return types(TOOL_CALL)(id=call.id, name=call.name, arguments_json=call.arguments_json)


def tool_call_from_ros(msg: Any) -> ToolCall:
    """An empty ``arguments_json`` means no arguments, as in a default-constructed message."""
    arguments = (
        json_object(msg.arguments_json, TOOL_CALL, "arguments_json")
        if msg.arguments_json
        else {}
    )
    return build(ToolCall, TOOL_CALL, id=msg.id, name=msg.name, arguments=arguments)


def plan_step_to_ros(step: PlanStep, types: MessageTypes) -> Any:
    return types(PLAN_STEP)(
        index=in_range(step.index, 0, UINT32_MAX, PLAN_STEP, "index"),
        call=tool_call_to_ros(step.call, types),
        rationale=step.rationale,
        confidence=CONFIDENCE_UNKNOWN if step.confidence is None else step.confidence,
    )


def plan_step_from_ros(msg: Any) -> PlanStep:
    """``CONFIDENCE_UNKNOWN`` is None; any other value outside [0, 1] (NaN too) is an error."""
    with inside(PLAN_STEP, "call"):
        call = tool_call_from_ros(msg.call)
    confidence = None if msg.confidence == CONFIDENCE_UNKNOWN else msg.confidence
    return build(PlanStep, PLAN_STEP, index=msg.index, call=call, rationale=msg.rationale,
                 confidence=confidence)


def plan_to_ros(plan: Plan, types: MessageTypes) -> Any:
    steps = []
    for position, step in enumerate(plan.steps):
        with inside(PLAN, f"steps[{position}]"):
            steps.append(plan_step_to_ros(step, types))
    return types(PLAN)(
        header=header_field_to_ros(plan.stamp, plan.frame_id, types, PLAN),
        plan_id=plan.plan_id,
        instruction=plan.instruction,
        source=plan.source.value,
        steps=steps,
        summary=plan.summary,
        model=plan.model,
        prompt_tokens=in_range(plan.prompt_tokens, 0, UINT32_MAX, PLAN, "prompt_tokens"),
        completion_tokens=in_range(
            plan.completion_tokens, 0, UINT32_MAX, PLAN, "completion_tokens"
        ),
        time_to_first_token_s=plan.latency.time_to_first_token_s,
        total_s=plan.latency.total_s,
    )


def _plan_steps_from_ros(step_msgs: Any) -> tuple[PlanStep, ...]:
    """Steps must be numbered 0..n-1 in order; a gap or swap is an error, never re-sorted."""
    steps = []
    for position, step_msg in enumerate(step_msgs):
        with inside(PLAN, f"steps[{position}]"):
            if step_msg.index != position:
                raise WireError(
                    PLAN_STEP,
                    "index",
                    step_msg.index,
                    f"the step at position {position} must have index {position}",
                    "number the steps 0..n-1 in execution order",
                )
            steps.append(plan_step_from_ros(step_msg))
    return tuple(steps)


def plan_from_ros(msg: Any) -> Plan:
    stamp, frame_id = header_field_from_ros(msg, PLAN)
    latency = build(
        PlanLatency,
        PLAN,
        time_to_first_token_s=msg.time_to_first_token_s,
        total_s=msg.total_s,
    )
    return build(
        Plan,
        PLAN,
        plan_id=msg.plan_id,
        stamp=stamp,
        frame_id=frame_id,
        instruction=msg.instruction,
        source=parse_enum(PlanSource, msg.source, PLAN, "source", "SOURCE"),
        steps=_plan_steps_from_ros(msg.steps),
        summary=msg.summary,
        model=msg.model,
        prompt_tokens=msg.prompt_tokens,
        completion_tokens=msg.completion_tokens,
        latency=latency,
    )


# --- SafetyVerdict, ToolResult, ExecutorStatus ---------------------------------------------


def safety_verdict_to_ros(verdict: SafetyVerdict, types: MessageTypes) -> Any:
    return types(SAFETY_VERDICT)(
        header=header_field_to_ros(verdict.stamp, "", types, SAFETY_VERDICT),
        plan_id=verdict.plan_id,
        step_index=in_range(verdict.step_index, 0, UINT32_MAX, SAFETY_VERDICT, "step_index"),
        tool=verdict.tool,
        decision=verdict.decision.value,
        rules=list(verdict.rules),
        reasons=list(verdict.reasons),
    )


def safety_verdict_from_ros(msg: Any) -> SafetyVerdict:
    stamp, _ = header_field_from_ros(msg, SAFETY_VERDICT)
    return build(
        SafetyVerdict,
        SAFETY_VERDICT,
        stamp=stamp,
        plan_id=msg.plan_id,
        step_index=msg.step_index,
        tool=msg.tool,
        decision=parse_enum(Decision, msg.decision, SAFETY_VERDICT, "decision", "DECISION"),
        rules=tuple(msg.rules),
        reasons=tuple(msg.reasons),
    )


def tool_result_to_ros(result: ToolResult, types: MessageTypes) -> Any:
    return types(TOOL_RESULT)(
        header=header_field_to_ros(result.stamp, "", types, TOOL_RESULT),
        plan_id=result.plan_id,
        call_id=result.call_id,
        status=result.status.value,
        result_json=result.result_json,
        error=result.error,
    )


def tool_result_from_ros(msg: Any) -> ToolResult:
    """An empty ``result_json`` means the tool returned nothing (``result`` is None)."""
    stamp, _ = header_field_from_ros(msg, TOOL_RESULT)
    result = json_object(msg.result_json, TOOL_RESULT, "result_json") if msg.result_json else None
    return build(
        ToolResult,
        TOOL_RESULT,
        stamp=stamp,
        plan_id=msg.plan_id,
        call_id=msg.call_id,
        status=parse_enum(ResultStatus, msg.status, TOOL_RESULT, "status", "STATUS"),
        result=result,
        error=msg.error,
    )


def executor_status_to_ros(status: ExecutorStatus, types: MessageTypes) -> Any:
    return types(EXECUTOR_STATUS)(
        header=header_field_to_ros(status.stamp, "", types, EXECUTOR_STATUS),
        state=status.state.value,
        plan_id=status.plan_id,
        current_step=in_range(status.current_step, -1, INT32_MAX, EXECUTOR_STATUS, "current_step"),
        total_steps=in_range(status.total_steps, 0, UINT32_MAX, EXECUTOR_STATUS, "total_steps"),
        estop_latched=status.estop_latched,
        message=status.message,
    )


def executor_status_from_ros(msg: Any) -> ExecutorStatus:
    stamp, _ = header_field_from_ros(msg, EXECUTOR_STATUS)
    return build(
        ExecutorStatus,
        EXECUTOR_STATUS,
        stamp=stamp,
        state=parse_enum(ExecutorState, msg.state, EXECUTOR_STATUS, "state", "STATE"),
        plan_id=msg.plan_id,
        current_step=msg.current_step,
        total_steps=msg.total_steps,
        estop_latched=bool(msg.estop_latched),
        message=msg.message,
    )


# --- AudioChunk ----------------------------------------------------------------------------


def audio_chunk_to_ros(chunk: AudioChunk, types: MessageTypes) -> Any:
    return types(AUDIO_CHUNK)(
        header=header_field_to_ros(chunk.stamp, chunk.frame_id, types, AUDIO_CHUNK),
        sample_rate=in_range(chunk.sample_rate, 1, UINT32_MAX, AUDIO_CHUNK, "sample_rate"),
        channels=in_range(chunk.channels, 1, UINT16_MAX, AUDIO_CHUNK, "channels"),
        encoding=chunk.encoding.value,
        data=types.uint8_array(chunk.data),
    )


def audio_chunk_from_ros(msg: Any) -> AudioChunk:
    """``bytes()`` reads rclpy's ``array.array('B')`` and rosbags' numpy array alike."""
    stamp, frame_id = header_field_from_ros(msg, AUDIO_CHUNK)
    return build(
        AudioChunk,
        AUDIO_CHUNK,
        {"": "data"},
        stamp=stamp,
        frame_id=frame_id,
        sample_rate=msg.sample_rate,
        channels=msg.channels,
        encoding=parse_enum(AudioEncoding, msg.encoding, AUDIO_CHUNK, "encoding", "ENCODING"),
        data=bytes(msg.data),
    )


# --- Citation ------------------------------------------------------------------------------


def citation_to_ros(cited: Citation, types: MessageTypes) -> Any:
    return types(CITATION)(kind=cited.kind.value, source=cited.source, locator=cited.locator,
                           quote=cited.quote)


def citation_from_ros(msg: Any) -> Citation:
    return build(Citation, CITATION,
                 kind=parse_enum(CitationKind, msg.kind, CITATION, "kind", "KIND"),
                 source=msg.source, locator=msg.locator, quote=msg.quote)


# --- registry ------------------------------------------------------------------------------


class Conversion(NamedTuple):
    """How one core type travels: its message type name and its pair of functions."""

    ros_type: str
    to_ros: Callable[[Any, MessageTypes], Any]
    from_ros: Callable[[Any], Any]


CONVERSIONS: Mapping[type[BaseModel], Conversion] = {
    ToolCall: Conversion(TOOL_CALL, tool_call_to_ros, tool_call_from_ros),
    PlanStep: Conversion(PLAN_STEP, plan_step_to_ros, plan_step_from_ros),
    Plan: Conversion(PLAN, plan_to_ros, plan_from_ros),
    SafetyVerdict: Conversion(SAFETY_VERDICT, safety_verdict_to_ros, safety_verdict_from_ros),
    ToolResult: Conversion(TOOL_RESULT, tool_result_to_ros, tool_result_from_ros),
    ExecutorStatus: Conversion(EXECUTOR_STATUS, executor_status_to_ros, executor_status_from_ros),
    AudioChunk: Conversion(AUDIO_CHUNK, audio_chunk_to_ros, audio_chunk_from_ros),
    Citation: Conversion(CITATION, citation_to_ros, citation_from_ros),
}


def conversion_for(core_type: type[BaseModel]) -> Conversion:
    """The registry entry for ``core_type``; a type without a message is a programming error."""
    try:
        return CONVERSIONS[core_type]
    except KeyError:
        known = ", ".join(sorted(t.__name__ for t in CONVERSIONS))
        raise Gemma4RosError(
            f"{core_type.__name__} has no gemma4_ros_msgs message; convertible types: {known}",
            "convert one of those types, or add a message and a pair to this module",
        ) from None


def to_ros(obj: BaseModel, types: MessageTypes) -> Any:
    """Convert any core value that has a message, e.g. in code generic over message types."""
    return conversion_for(type(obj)).to_ros(obj, types)


def from_ros(msg: Any, core_type: type[M]) -> M:
    """Convert a message back to ``core_type``; the caller says which, as the wire cannot."""
    result: M = conversion_for(core_type).from_ros(msg)
    return result
