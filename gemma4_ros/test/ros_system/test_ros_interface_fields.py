"""ros/interface_fields.py on the real generated classes: lookup by name, message → dict → message
round trips (nested messages, sequences of messages, uint8[] and fixed arrays, constants left
alone), and every refusal named by its field path."""

from __future__ import annotations

import math
from typing import Any

import pytest
from ros_ready import require_ros

require_ros()

from builtin_interfaces.msg import Duration  # noqa: E402
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue  # noqa: E402
from geometry_msgs.msg import PoseStamped, PoseWithCovarianceStamped  # noqa: E402
from sensor_msgs.msg import Image  # noqa: E402
from std_msgs.msg import String  # noqa: E402
from std_srvs.srv import Trigger  # noqa: E402

from gemma4_ros.ros.interface_fields import (  # noqa: E402
    FieldsError, fill_message, interface_class, message_to_fields,
)
from gemma4_ros_msgs.action import ExecutePlan  # noqa: E402
from gemma4_ros_msgs.msg import Plan, PlanStep, ToolCall  # noqa: E402


@pytest.mark.parametrize("name, expected", [
    ("std_msgs/msg/String", String),
    ("std_srvs/srv/Trigger", Trigger),
    ("gemma4_ros_msgs/action/ExecutePlan", ExecutePlan),
    ("gemma4_ros_msgs/msg/Plan", Plan),
])
def test_interfaces_are_found_by_name(name: str, expected: Any) -> None:
    assert interface_class(name) is expected


@pytest.mark.parametrize("name, problem", [
    ("std_msgs/String", "not an interface name"),
    ("std_msgs/msgs/String", "not an interface name"),
    ("std_msgs/msg/", "not an interface name"),
    ("../os/msg/path", "not an interface name"),
    ("no_such_pkg/msg/Thing", "not available"),
    ("std_msgs/msg/NoSuchType", "has no msg named"),
    ("std_msgs/msg/_String", "not an interface name"),
])
def test_bad_names_are_refused_with_the_reason(name: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        interface_class(name)


def round_trip(message: Any) -> Any:
    fields = message_to_fields(message)
    return fill_message(type(message)(), fields), fields


def test_nested_messages_round_trip() -> None:
    pose = PoseStamped()
    pose.header.frame_id = "map"
    pose.header.stamp.sec, pose.header.stamp.nanosec = 12, 345
    pose.pose.position.x, pose.pose.position.y = 1.5, -2.0
    pose.pose.orientation.z, pose.pose.orientation.w = 0.7071, 0.7071
    back, fields = round_trip(pose)
    assert back == pose
    assert fields["pose"]["position"] == {"x": 1.5, "y": -2.0, "z": 0.0}


def test_sequences_of_messages_round_trip() -> None:
    plan = Plan(plan_id="p", instruction="go", source=Plan.SOURCE_TEXT, summary="s")
    plan.steps = [PlanStep(index=i, call=ToolCall(id=f"c{i}", name="wait",
                                                  arguments_json='{"seconds": 1}'))
                  for i in range(3)]
    back, fields = round_trip(plan)
    assert back == plan
    assert [step["call"]["id"] for step in fields["steps"]] == ["c0", "c1", "c2"]
    array = DiagnosticArray(status=[DiagnosticStatus(
        name="planner", level=DiagnosticStatus.WARN,
        values=[KeyValue(key="tokens_per_s", value="12.5")])])
    assert round_trip(array)[0] == array


def test_byte_and_fixed_arrays_become_lists_and_come_back() -> None:
    image = Image(height=1, width=2, encoding="rgb8", step=6, data=bytes(range(6)))
    back, fields = round_trip(image)
    assert back == image and fields["data"] == [0, 1, 2, 3, 4, 5]
    covariance = PoseWithCovarianceStamped()
    covariance.pose.covariance[0] = 0.25
    back, fields = round_trip(covariance)
    assert back == covariance and fields["pose"]["covariance"][0] == 0.25
    assert len(fields["pose"]["covariance"]) == 36


def test_a_service_request_and_an_action_goal_fill_from_dicts() -> None:
    goal = fill_message(ExecutePlan.Goal(), {"plan": {"plan_id": "x", "steps": [
        {"index": 0, "call": {"id": "a", "name": "stop", "arguments_json": "{}"}}]}})
    assert goal.plan.steps[0].call.name == "stop"
    assert fill_message(Trigger.Response(), {"success": True}).success is True


def test_an_int_fills_a_float_field() -> None:
    assert fill_message(Duration(), {"sec": 3}).sec == 3
    pose = fill_message(PoseStamped(), {"pose": {"position": {"x": 2}}})
    assert pose.pose.position.x == 2.0 and isinstance(pose.pose.position.x, float)


@pytest.mark.parametrize("fields, where", [
    ({"pose": {"position": {"q": 1.0}}}, "pose.position.q"),
    ({"pose": {"position": {"x": "far"}}}, "pose.position.x"),
    ({"pose": {"position": 3.0}}, "pose.position"),
    ({"header": {"stamp": {"sec": 2**40}}}, "header.stamp.sec"),
    ({"header": {"frame_id": 5}}, "header.frame_id"),
    ({"pose": {"position": {"x": math.nan}, "orientation": {"w": True}}}, "pose.orientation.w"),
])
def test_refusals_name_the_field_path(fields: dict[str, Any], where: str) -> None:
    with pytest.raises(FieldsError, match=where.replace(".", r"\.")):
        fill_message(PoseStamped(), fields)


def test_a_sequence_of_messages_needs_a_list() -> None:
    with pytest.raises(FieldsError, match="steps: expected a list"):
        fill_message(Plan(), {"steps": {"index": 0}})
    with pytest.raises(FieldsError, match=r"steps\[1\]\.call\.nope"):
        fill_message(Plan(), {"steps": [{"index": 0}, {"call": {"nope": 1}}]})


def test_filled_values_serialize_as_published() -> None:
    """What the checks let through is what rclpy can put on the wire."""
    from rclpy.serialization import deserialize_message, serialize_message
    from std_msgs.msg import Byte

    image = fill_message(Image(), {"height": 1, "width": 1, "encoding": "mono8", "step": 1,
                                   "data": [7]})
    assert deserialize_message(serialize_message(image), Image) == image
    byte = fill_message(Byte(), {"data": 200})
    assert deserialize_message(serialize_message(byte), Byte).data == bytes([200])
    with pytest.raises(FieldsError, match="outside octet"):
        fill_message(Byte(), {"data": 256})
