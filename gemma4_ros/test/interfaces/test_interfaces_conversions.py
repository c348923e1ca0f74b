"""Every core type survives core -> message -> core and core -> CDR bytes -> core unchanged.

The messages are rosbags dataclasses built from the real .msg files, so these tests also prove
the interface files and the conversions agree field for field.
"""

from __future__ import annotations

import array
from enum import Enum
from typing import Any

import numpy as np
import pytest
from pydantic import BaseModel

from gemma4_ros.conversions import (
    CONFIDENCE_UNKNOWN,
    CONVERSIONS,
    PLAN,
    PLAN_STEP,
    MessageTypes,
    audio_chunk_from_ros,
    audio_chunk_to_ros,
    conversion_for,
    from_ros,
    plan_to_ros,
    time_from_ros,
    time_to_ros,
    to_ros,
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
    Pose2D,
    ResultStatus,
    SafetyVerdict,
    ToolCall,
    ToolResult,
)
from gemma4_ros.wire import from_cdr, rosbags_types, to_cdr, typestore

# A wall-clock stamp: at this magnitude a float survives the nanosecond wire bit for bit.
STAMP = 1_764_395_000.123456

NAVIGATE = ToolCall(
    id="call-1",
    name="navigate_to",
    arguments={"place": "Döck ☃", "speed": 0.3, "nested": {"list": [1, 2.5, None, True, "x"]}},
)
REPORT = ToolCall(id="call-2", name="report_battery")
PLAN_FULL = Plan(
    plan_id="plan-1",
    stamp=STAMP,
    frame_id="map",
    instruction="Fahr zum Dock 🚀 und melde dich",
    source=PlanSource.VOICE,
    steps=(
        PlanStep(index=0, call=NAVIGATE, rationale="weil der Akku leer wird",
                 confidence=0.8123456789012345),
        PlanStep(index=1, call=REPORT),
    ),
    summary="dock, then report",
    model="gemma-4-e2b-it (onnx, int4)",
    prompt_tokens=1234,
    completion_tokens=56,
    latency=PlanLatency(time_to_first_token_s=0.25, total_s=1.5),
)

EXAMPLES: list[BaseModel] = [
    NAVIGATE,
    REPORT,
    PlanStep(index=3, call=NAVIGATE, rationale="ü"),
    PlanStep(index=0, call=REPORT, confidence=0.0),
    PlanStep(index=0, call=REPORT, confidence=1.0),
    PLAN_FULL,
    Plan(plan_id="plan-empty", stamp=0.0),
    SafetyVerdict(
        stamp=STAMP,
        plan_id="plan-1",
        step_index=1,
        tool="navigate_to",
        decision=Decision.NEEDS_CONFIRMATION,
        rules=("geofence", "provenance"),
        reasons=("outside the keep-in zone", "place named by camera text"),
    ),
    SafetyVerdict(stamp=STAMP, decision=Decision.APPROVED),
    ToolResult(
        stamp=STAMP,
        plan_id="plan-1",
        call_id="call-1",
        status=ResultStatus.SUCCEEDED,
        result={"battery": 0.82, "ok": True},
    ),
    ToolResult(stamp=STAMP, status=ResultStatus.FAILED, result={}, error="Nav2 aborted"),
    ToolResult(stamp=STAMP, status=ResultStatus.CANCELED),
    ExecutorStatus(stamp=STAMP),
    ExecutorStatus(
        stamp=STAMP,
        state=ExecutorState.ESTOPPED,
        plan_id="plan-1",
        current_step=1,
        total_steps=2,
        estop_latched=True,
        message="e-stop pressed",
    ),
    AudioChunk(
        stamp=STAMP,
        frame_id="mic",
        sample_rate=48_000,
        channels=2,
        data=bytes(range(256)) * 4,
    ),
    AudioChunk(stamp=STAMP, sample_rate=16_000, encoding=AudioEncoding.PCM_F32LE),
    Citation(source="manuals/Akku wechseln ☃.md",
             locator="Battery > Replacing the battery, line 35",
             quote="Press the e-stop so that nothing can move. Switch the robot off ..."),
]

# For each enum field: an example to vary, the field, and the constant prefix in the message.
ENUM_FIELDS: list[tuple[BaseModel, str, type[Enum], str]] = [
    (PLAN_FULL, "source", PlanSource, "SOURCE"),
    (EXAMPLES[7], "decision", Decision, "DECISION"),
    (EXAMPLES[9], "status", ResultStatus, "STATUS"),
    (EXAMPLES[13], "state", ExecutorState, "STATE"),
    (EXAMPLES[14], "encoding", AudioEncoding, "ENCODING"),
    (EXAMPLES[16], "kind", CitationKind, "KIND"),
]

ENUM_IDS = [prefix for *_, prefix in ENUM_FIELDS]


def _name(value: Any) -> str:
    return type(value).__name__


@pytest.fixture(scope="module")
def types() -> MessageTypes:
    return rosbags_types()


def test_every_message_has_an_example() -> None:
    assert {type(example) for example in EXAMPLES} == set(CONVERSIONS)


@pytest.mark.parametrize("value", EXAMPLES, ids=_name)
def test_round_trip_through_message(value: BaseModel, types: MessageTypes) -> None:
    conversion = conversion_for(type(value))
    msg = conversion.to_ros(value, types)
    assert msg.__msgtype__ == conversion.ros_type
    assert conversion.from_ros(msg) == value
    assert from_ros(to_ros(value, types), type(value)) == value


@pytest.mark.parametrize("value", EXAMPLES, ids=_name)
def test_round_trip_through_cdr(value: BaseModel) -> None:
    data = to_cdr(value)
    assert data[:4] == b"\x00\x01\x00\x00"  # CDR little-endian encapsulation, as rmw sends
    assert from_cdr(data, type(value)) == value


@pytest.mark.parametrize(("example", "field", "enum", "prefix"), ENUM_FIELDS, ids=ENUM_IDS)
def test_every_enum_value_crosses_the_wire(
    example: BaseModel, field: str, enum: type[Enum], prefix: str
) -> None:
    for member in enum:
        varied = example.model_copy(update={field: member})
        assert from_cdr(to_cdr(varied), type(example)) == varied


@pytest.mark.parametrize(("example", "field", "enum", "prefix"), ENUM_FIELDS, ids=ENUM_IDS)
def test_message_constants_equal_the_core_enum(
    example: BaseModel, field: str, enum: type[Enum], prefix: str
) -> None:
    ros_type = conversion_for(type(example)).ros_type
    constants, _ = typestore().fielddefs[ros_type]
    declared = {name: value for name, _, value in constants if name.startswith(f"{prefix}_")}
    assert declared == {f"{prefix}_{member.name}": member.value for member in enum}


def test_plan_message_holds_the_wire_forms(types: MessageTypes) -> None:
    msg = plan_to_ros(PLAN_FULL, types)
    assert (msg.header.stamp.sec, msg.header.frame_id) == (1_764_395_000, "map")
    assert abs(msg.header.stamp.nanosec - 123_456_000) <= 1
    assert msg.source == msg.SOURCE_VOICE == "voice"
    assert [step.index for step in msg.steps] == [0, 1]
    assert msg.steps[0].call.arguments_json == NAVIGATE.arguments_json
    assert msg.steps[1].call.arguments_json == "{}"
    assert (msg.time_to_first_token_s, msg.total_s) == (0.25, 1.5)
    assert msg.steps[0].confidence == 0.8123456789012345  # float64: the same number arrives
    assert msg.steps[1].confidence == msg.steps[1].CONFIDENCE_UNKNOWN == -1.0


def test_unknown_confidence_travels_as_the_declared_constant() -> None:
    constants, _ = typestore().fielddefs[PLAN_STEP]
    assert ("CONFIDENCE_UNKNOWN", "float64", CONFIDENCE_UNKNOWN) in constants
    unknown = PlanStep(index=0, call=REPORT)
    assert unknown.confidence is None
    assert from_cdr(to_cdr(unknown), PlanStep).confidence is None


def test_rosidl_style_types_carry_audio_as_array_of_bytes() -> None:
    # rclpy stores uint8[] as array.array('B'); reading must not care which library built it.
    rclpy_like = MessageTypes.for_rosidl(typestore().types.__getitem__)
    chunk = EXAMPLES[14]
    assert isinstance(chunk, AudioChunk)
    msg = audio_chunk_to_ros(chunk, rclpy_like)
    assert isinstance(msg.data, array.array) and msg.data.typecode == "B"
    assert audio_chunk_from_ros(msg) == chunk


def test_rosbags_types_carry_audio_as_numpy(types: MessageTypes) -> None:
    chunk = EXAMPLES[14]
    assert isinstance(chunk, AudioChunk)
    msg = audio_chunk_to_ros(chunk, types)
    assert isinstance(msg.data, np.ndarray) and msg.data.dtype == np.uint8
    assert msg.data.tobytes() == chunk.data


@pytest.mark.parametrize("stamp", [0.0, 1e-9, 0.5, 1.999999999, 1_000.25, 2**31 - 2.5])
def test_time_keeps_the_nanosecond(stamp: float, types: MessageTypes) -> None:
    msg = time_to_ros(stamp, types)
    assert 0 <= msg.nanosec < 1_000_000_000
    assert time_from_ros(msg) == pytest.approx(stamp, abs=1e-9)


def test_types_without_a_message_are_refused(types: MessageTypes) -> None:
    with pytest.raises(Gemma4RosError, match="Pose2D has no gemma4_ros_msgs message"):
        to_ros(Pose2D(), types)


def test_wire_names_match_the_message_registry() -> None:
    assert CONVERSIONS[Plan].ros_type == PLAN
    for conversion in CONVERSIONS.values():
        assert conversion.ros_type in typestore().types


def test_standard_messages_come_from_the_jazzy_store(types: MessageTypes) -> None:
    # srv/Ask carries a sensor_msgs/Image; rosbags' store supplies its definition.
    image_type = "sensor_msgs/msg/Image"
    pixels = bytes(range(12))
    image = types(image_type)(
        header=types("std_msgs/msg/Header")(stamp=time_to_ros(STAMP, types), frame_id="camera"),
        height=2,
        width=2,
        encoding="rgb8",
        is_bigendian=0,
        step=6,
        data=types.uint8_array(pixels),
    )
    store = typestore()
    decoded: Any = store.deserialize_cdr(store.serialize_cdr(image, image_type), image_type)
    assert (decoded.width, decoded.encoding, bytes(decoded.data)) == (2, "rgb8", pixels)
