"""Core types: JSON round trips and the invariants that make them safe to pass around."""

from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from gemma4_ros.types import (
    AudioChunk,
    AudioEncoding,
    Decision,
    ExecutorState,
    ExecutorStatus,
    Plan,
    PlanStep,
    SafetyVerdict,
    ToolCall,
    ToolResult,
    ResultStatus,
)


def sample_plan() -> Plan:
    calls = [
        ToolCall(name="navigate_to", arguments={"place": "dock"}),
        ToolCall(name="speak", arguments={"text": "Ich bin da ✓"}),
    ]
    return Plan.from_calls(calls, instruction="go to the dock", summary="dock and say so")


@pytest.mark.parametrize("value", [
    sample_plan(),
    SafetyVerdict(decision=Decision.REJECTED, tool="move", rules=("bounds.speed",),
                  reasons=("speed 3.0 m/s exceeds 0.5",)),
    ToolResult(status=ResultStatus.SUCCEEDED, call_id="call-1", result={"pose": [1.0, 2.0]}),
    ExecutorStatus(state=ExecutorState.AWAITING_CONFIRMATION, plan_id="p", current_step=1),
    AudioChunk(sample_rate=16000, data=b"\x00\x01" * 8),
])
def test_json_round_trip(value) -> None:
    assert type(value).model_validate_json(value.model_dump_json()) == value


def test_steps_must_be_numbered_in_order() -> None:
    call = ToolCall(name="stop")
    with pytest.raises(ValidationError, match="numbered 0..n-1"):
        Plan(steps=(PlanStep(index=1, call=call),))


def test_arguments_must_be_json() -> None:
    with pytest.raises(ValidationError):
        ToolCall(name="move", arguments={"distance": math.nan})
    with pytest.raises(ValidationError):
        ToolCall(name="move", arguments={"when": object()})


def test_unknown_fields_are_errors() -> None:
    with pytest.raises(ValidationError):
        ToolCall.model_validate({"name": "stop", "argumnets": {}})


def test_types_are_immutable() -> None:
    call = ToolCall(name="stop")
    with pytest.raises(ValidationError):
        call.name = "move"  # type: ignore[misc]


def test_arguments_json_is_canonical() -> None:
    call = ToolCall(name="move", arguments={"speed": 0.2, "distance": 1})
    assert call.arguments_json == '{"distance":1,"speed":0.2}'


def test_audio_chunk_rejects_partial_frames() -> None:
    with pytest.raises(ValidationError, match="whole number"):
        AudioChunk(sample_rate=16000, channels=2, data=b"\x00" * 6)
    chunk = AudioChunk(sample_rate=16000, encoding=AudioEncoding.PCM_F32LE, data=b"\x00" * 8)
    assert chunk.sample_width == 4
