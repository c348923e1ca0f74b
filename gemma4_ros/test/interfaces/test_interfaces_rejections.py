"""Bad wire data raises WireError naming the message, the field path and the value; core values
the wire cannot hold raise it on the way out. Never a raw json or pydantic exception."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import pytest
from pydantic import BaseModel

from gemma4_ros.conversions import (
    AUDIO_CHUNK,
    EXECUTOR_STATUS,
    PLAN,
    SAFETY_VERDICT,
    TOOL_CALL,
    TOOL_RESULT,
    MessageTypes,
    WireError,
    conversion_for,
    to_ros,
)
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.types import (
    AudioChunk,
    Decision,
    ExecutorStatus,
    Plan,
    ResultStatus,
    SafetyVerdict,
    ToolCall,
    ToolResult,
)
from gemma4_ros.wire import from_cdr, rosbags_types, to_cdr

STAMP = 1_764_395_000.5
CALL = ToolCall(id="call-1", name="navigate_to", arguments={"place": "dock"})
PLAN_OF_THREE = Plan.from_calls([CALL, CALL, CALL], plan_id="plan-1", stamp=STAMP)
VALID: dict[str, BaseModel] = {
    TOOL_CALL: CALL,
    PLAN: PLAN_OF_THREE,
    SAFETY_VERDICT: SafetyVerdict(stamp=STAMP, decision=Decision.APPROVED),
    TOOL_RESULT: ToolResult(stamp=STAMP, status=ResultStatus.SUCCEEDED, result={"ok": True}),
    EXECUTOR_STATUS: ExecutorStatus(stamp=STAMP),
    AUDIO_CHUNK: AudioChunk(stamp=STAMP, sample_rate=16_000, data=b"\x00\x01\x02\x03"),
}


@pytest.fixture(scope="module")
def types() -> MessageTypes:
    return rosbags_types()


def _set(msg: Any, path: str, value: Any) -> Any:
    """A copy of ``msg`` with the dotted/indexed field ``path`` (e.g. steps[1].index) replaced."""
    head, _, rest = path.partition(".")
    name, _, index = head.partition("[")
    if index:
        items = list(getattr(msg, name))
        position = int(index.rstrip("]"))
        items[position] = _set(items[position], rest, value)
        return dataclasses.replace(msg, **{name: items})
    if rest:
        return dataclasses.replace(msg, **{name: _set(getattr(msg, name), rest, value)})
    return dataclasses.replace(msg, **{name: value})


CASES: list[tuple[str, str, Any, str]] = [
    (TOOL_CALL, "arguments_json", "{bad", "not valid JSON"),
    (TOOL_CALL, "arguments_json", "[1, 2]", "a JSON list, not an object"),
    (TOOL_CALL, "arguments_json", '"dock"', "a JSON str, not an object"),
    (TOOL_CALL, "arguments_json", '{"speed": NaN}', "NaN is not JSON"),
    (TOOL_CALL, "arguments_json", '{"place": "a", "place": "b"}', "duplicate keys ['place']"),
    (TOOL_CALL, "arguments_json", '{"a": {"b": 1, "b": 1}}', "duplicate keys ['b']"),
    (TOOL_CALL, "arguments_json", '{"a": ' + "[" * 100_000, "nested too deeply"),
    (TOOL_CALL, "name", "", "at least 1 character"),
    (PLAN, "steps[1].call.arguments_json", "{bad", "not valid JSON"),
    (PLAN, "steps[2].index", 3, "must have index 2"),
    (PLAN, "steps[0].index", 1, "must have index 0"),
    (PLAN, "steps[1].call.name", "", "at least 1 character"),
    (PLAN, "steps[1].confidence", math.nan, "finite number"),
    (PLAN, "steps[1].confidence", math.inf, "finite number"),
    (PLAN, "steps[1].confidence", 1.5, "less than or equal to 1"),
    (PLAN, "steps[1].confidence", -0.5, "greater than or equal to 0"),
    (PLAN, "source", "telepathy", "unknown value; allowed: 'text'"),
    (PLAN, "source", "", "unknown value"),
    (PLAN, "source", "TEXT", "unknown value"),
    (PLAN, "total_s", -1.0, "greater than or equal to 0"),
    (PLAN, "time_to_first_token_s", math.nan, "greater than or equal to 0"),
    (PLAN, "header.stamp.nanosec", 1_000_000_000, "must be in [0, 1000000000)"),
    (PLAN, "header.stamp.sec", -5, "negative time"),
    (SAFETY_VERDICT, "decision", "MAYBE", "unknown value; allowed: 'APPROVED'"),
    (TOOL_RESULT, "status", "DONE", "unknown value"),
    (TOOL_RESULT, "result_json", "not json", "not valid JSON"),
    (TOOL_RESULT, "result_json", "[]", "not an object"),
    (EXECUTOR_STATUS, "state", "RUNNING", "unknown value"),
    (EXECUTOR_STATUS, "current_step", -2, "greater than or equal to -1"),
    (AUDIO_CHUNK, "encoding", "mp3", "unknown value; allowed: 'pcm_s16le', 'pcm_f32le'"),
    (AUDIO_CHUNK, "sample_rate", 0, "greater than 0"),
    (AUDIO_CHUNK, "channels", 0, "greater than 0"),
    (AUDIO_CHUNK, "data", b"\x00\x01\x02", "not a whole number of 1-channel pcm_s16le frames"),
]


@pytest.mark.parametrize(("ros_type", "field", "value", "reason"), CASES)
def test_bad_wire_data_names_field_and_value(
    ros_type: str, field: str, value: Any, reason: str, types: MessageTypes
) -> None:
    core = VALID[ros_type]
    bad = _set(to_ros(core, types), field, value)
    with pytest.raises(WireError) as caught:
        conversion_for(type(core)).from_ros(bad)
    error = caught.value
    assert (error.message_type, error.field) == (ros_type, field)
    assert reason in error.reason
    assert f"{ros_type}.{field} = " in str(error)
    assert isinstance(error, Gemma4RosError) and error.hint


def test_unknown_enum_error_points_at_the_constants(types: MessageTypes) -> None:
    bad = _set(to_ros(PLAN_OF_THREE, types), "source", "telepathy")
    with pytest.raises(WireError, match="use one of the SOURCE_\\* constants"):
        conversion_for(Plan).from_ros(bad)


def test_long_values_are_shortened_in_the_message(types: MessageTypes) -> None:
    bad = _set(to_ros(CALL, types), "arguments_json", "x" * 10_000)
    with pytest.raises(WireError) as caught:
        conversion_for(ToolCall).from_ros(bad)
    assert len(str(caught.value)) < 600
    assert caught.value.value == "x" * 10_000


def test_empty_json_fields_mean_nothing_sent(types: MessageTypes) -> None:
    call_msg = _set(to_ros(CALL, types), "arguments_json", "")
    assert conversion_for(ToolCall).from_ros(call_msg).arguments == {}
    result_msg = _set(to_ros(VALID[TOOL_RESULT], types), "result_json", "")
    assert conversion_for(ToolResult).from_ros(result_msg).result is None


OUTBOUND: list[tuple[BaseModel, str]] = [
    (PLAN_OF_THREE.model_copy(update={"prompt_tokens": 2**32}), "prompt_tokens"),
    (PLAN_OF_THREE.model_copy(update={"completion_tokens": 2**40}), "completion_tokens"),
    (PLAN_OF_THREE.model_copy(update={"stamp": 2.0**31}), "header.stamp.sec"),
    (PLAN_OF_THREE.model_copy(update={"stamp": math.nan}), "header.stamp.sec"),
    (SafetyVerdict(stamp=-1.0, decision=Decision.REJECTED), "header.stamp.sec"),
    (SafetyVerdict(stamp=STAMP, step_index=2**32, decision=Decision.REJECTED), "step_index"),
    (ExecutorStatus(stamp=STAMP, current_step=2**31), "current_step"),
    (AudioChunk(stamp=STAMP, sample_rate=16_000, channels=2**16, data=b""), "channels"),
]


@pytest.mark.parametrize(("core", "field"), OUTBOUND)
def test_values_the_wire_cannot_hold_are_refused(
    core: BaseModel, field: str, types: MessageTypes
) -> None:
    with pytest.raises(WireError) as caught:
        to_ros(core, types)
    assert caught.value.field == field


def test_a_step_index_past_uint32_names_its_step(types: MessageTypes) -> None:
    plan = PLAN_OF_THREE.model_copy(update={"steps": ()})
    huge = plan.model_copy(
        update={"steps": (PLAN_OF_THREE.steps[0].model_copy(update={"index": 2**32}),)}
    )
    with pytest.raises(WireError) as caught:
        to_ros(huge, types)
    assert (caught.value.message_type, caught.value.field) == (PLAN, "steps[0].index")


@pytest.mark.parametrize("cut", [0, 3, 40, -1])
def test_truncated_cdr_is_a_typed_error(cut: int) -> None:
    data = to_cdr(PLAN_OF_THREE)
    with pytest.raises(Gemma4RosError, match=f"cannot decode {len(data[:cut])} bytes as"):
        from_cdr(data[:cut], Plan)


def test_cdr_of_another_type_is_a_typed_error() -> None:
    with pytest.raises(Gemma4RosError):
        from_cdr(to_cdr(CALL), Plan)


def test_text_the_wire_cannot_encode_is_a_typed_error() -> None:
    with pytest.raises(Gemma4RosError, match="cannot encode this Plan"):
        to_cdr(PLAN_OF_THREE.model_copy(update={"summary": "half a surrogate \udc80"}))

