"""Any valid Plan survives the message and the CDR bytes unchanged (hypothesis)."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gemma4_ros.conversions import plan_from_ros, plan_to_ros, time_from_ros, time_to_ros
from gemma4_ros.types import Plan, PlanLatency, PlanSource, PlanStep, ToolCall
from gemma4_ros.wire import from_cdr, rosbags_types, to_cdr

TYPES = rosbags_types()

# Any text UTF-8 can encode (ROS strings are UTF-8), but NUL: rclpy hands strings to C, which
# ends them at the first NUL, so a robot could not carry one even though CDR and rosbags can.
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=24)
# Stamps from 2**23 s (April 1970) on come back bit for bit; 0 is the "unset" stamp.
STAMPS = st.one_of(st.just(0.0), st.floats(min_value=2.0**23, max_value=2.0**31 - 2))
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**64),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(TEXT, inner, max_size=3)
    ),
    max_leaves=8,
)
CALLS = st.builds(
    ToolCall,
    id=TEXT,
    name=TEXT.filter(bool),
    arguments=st.dictionaries(TEXT, JSON_VALUES, max_size=4),
)
SECONDS = st.floats(min_value=0.0, allow_nan=False)
CONFIDENCES = st.one_of(st.none(), st.floats(min_value=0.0, max_value=1.0))


@st.composite
def plans(draw: Any) -> Plan:
    calls = draw(st.lists(CALLS, max_size=4))
    steps = tuple(
        PlanStep(index=i, call=call, rationale=draw(TEXT), confidence=draw(CONFIDENCES))
        for i, call in enumerate(calls)
    )
    counts = st.integers(min_value=0, max_value=2**32 - 1)
    return Plan(
        plan_id=draw(TEXT),
        stamp=draw(STAMPS),
        frame_id=draw(TEXT),
        instruction=draw(TEXT),
        source=draw(st.sampled_from(PlanSource)),
        steps=steps,
        summary=draw(TEXT),
        model=draw(TEXT),
        prompt_tokens=draw(counts),
        completion_tokens=draw(counts),
        latency=PlanLatency(time_to_first_token_s=draw(SECONDS), total_s=draw(SECONDS)),
    )


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_any_plan_survives_message_and_cdr(plan: Plan) -> None:
    assert plan_from_ros(plan_to_ros(plan, TYPES)) == plan
    assert from_cdr(to_cdr(plan), Plan) == plan


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=0.0, max_value=2.0**31 - 2))
def test_any_stamp_keeps_the_nanosecond(stamp: float) -> None:
    msg = time_to_ros(stamp, TYPES)
    assert 0 <= msg.nanosec < 1_000_000_000
    assert abs(time_from_ros(msg) - stamp) <= 0.5e-9 + abs(stamp) * 2**-52
