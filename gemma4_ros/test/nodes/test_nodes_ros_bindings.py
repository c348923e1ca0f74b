"""ROS bindings (action, service, topic) against fake servers on the bus, alone and in the executor
node with the robot state read from a pose topic."""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any, Callable

import pytest
from node_rig import NS, WAIT_S, make_plan, start_rig, tools_file

from gemma4_ros.bus import Bus, CancelResponse, ServerGoalHandle
from gemma4_ros.execution.binding import BindingPhase, BindingProgress, BindingRegistry
from gemma4_ros.nodes.bus_transport import BusTransport
from gemma4_ros.nodes.ros_bindings import RemoteBinding, json_safe, register_ros_bindings
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import ResultStatus, RobotState, ToolCall

NAV = {"kind": "ros_action", "target": "navigate_to_pose",
       "type": "nav2_msgs/action/NavigateToPose",
       "fields": {"pose.header.frame_id": "{place.frame_id}", "pose.pose.position.x": "{place.x}",
                  "pose.pose.position.y": "{place.y}",
                  "pose.pose.orientation": "{place.orientation}"}}
SPEAK_SRV = {"kind": "ros_service", "target": "say", "type": "example_msgs/srv/Say",
             "fields": {"text": "{text}"}}
REPORT_TOPIC = {"kind": "ros_topic", "target": "reports", "type": "std_msgs/msg/String",
                "fields": {"data": "report: {text}"}}


class FakeNav2:
    """A NavigateToPose-like action server of field dicts on the bus."""

    def __init__(self, bus: Bus, outcome: str = "succeed") -> None:
        self.goals: list[dict[str, Any]] = []
        self.release = threading.Event()
        self.outcome = outcome
        self.canceled = threading.Event()
        self.server = bus.action_server(f"{NS}/navigate_to_pose", (dict, dict, dict),
                                        self.execute,
                                        cancel_callback=lambda handle: CancelResponse.ACCEPT)

    def execute(self, handle: ServerGoalHandle[dict, dict, dict]) -> dict[str, Any]:
        self.goals.append(handle.goal)
        handle.publish_feedback({"distance_remaining": 2.5, "eta": float("nan")})
        while not self.release.wait(0.01):
            if handle.is_cancel_requested:
                self.canceled.set()
                handle.canceled()
                return {"error_code": 0}
        if self.outcome == "succeed":
            handle.succeed()
        else:
            handle.abort()
        return {"error_code": 0 if self.outcome == "succeed" else 101, "error_msg": ""}


def binding_for(bus: Bus, tmp_path: Path, tool: str, spec: dict[str, Any]) -> RemoteBinding:
    tools = ToolRegistry.load(tools_file(tmp_path, {tool: spec}))
    bindings = BindingRegistry(lambda: RobotState())
    register_ros_bindings(bindings, BusTransport(bus.node("executor", NS)), tools)
    made = bindings.create(tools.get(tool))
    assert isinstance(made, RemoteBinding)
    return made


def poll_until(bus: Bus, binding: RemoteBinding,
               done: Callable[[BindingProgress], bool]) -> BindingProgress:
    assert bus.spin_until(lambda: done(binding.poll()), WAIT_S), binding.poll()
    return binding.poll()


def test_action_goal_fields_feedback_and_result(bus: Bus, tmp_path: Path) -> None:
    nav = FakeNav2(bus)
    binding = binding_for(bus, tmp_path, "navigate_to", NAV)
    binding.start(ToolCall(name="navigate_to", arguments={"place": "kitchen"}))
    running = poll_until(bus, binding, lambda p: "distance_remaining" in p.feedback)
    assert running.phase is BindingPhase.RUNNING and running.feedback["eta"] is None
    [goal] = nav.goals
    assert goal["pose"]["pose"]["position"] == {"x": 8.0, "y": 2.0}
    assert goal["pose"]["header"]["frame_id"] == "map"
    assert goal["pose"]["pose"]["orientation"]["w"] == pytest.approx(math.sqrt(0.5))
    nav.release.set()
    done = poll_until(bus, binding, lambda p: p.finished)
    assert done.phase is BindingPhase.SUCCEEDED and done.result == {"error_code": 0,
                                                                   "error_msg": ""}


def test_aborted_goal_fails_with_the_result(bus: Bus, tmp_path: Path) -> None:
    nav = FakeNav2(bus, outcome="abort")
    nav.release.set()
    binding = binding_for(bus, tmp_path, "navigate_to", NAV)
    binding.start(ToolCall(name="navigate_to", arguments={"place": "lab"}))
    done = poll_until(bus, binding, lambda p: p.finished)
    assert done.phase is BindingPhase.FAILED and "aborted" in done.error and "101" in done.error


def test_cancel_reaches_the_action_server(bus: Bus, tmp_path: Path) -> None:
    nav = FakeNav2(bus)
    binding = binding_for(bus, tmp_path, "navigate_to", NAV)
    binding.start(ToolCall(name="navigate_to", arguments={"place": "lab"}))
    poll_until(bus, binding, lambda p: bool(p.feedback))
    binding.cancel()
    assert binding.poll().phase is BindingPhase.CANCELED
    assert nav.canceled.wait(WAIT_S)


def test_missing_server_fails_at_once_with_the_name(bus: Bus, tmp_path: Path) -> None:
    binding = binding_for(bus, tmp_path, "navigate_to", NAV)
    binding.start(ToolCall(name="navigate_to", arguments={"place": "lab"}))
    progress = binding.poll()
    assert progress.phase is BindingPhase.FAILED
    assert "'navigate_to_pose' (nav2_msgs/action/NavigateToPose) is not available" in progress.error


@pytest.mark.parametrize(("response", "phase"), [
    ({"success": True, "message": "said"}, BindingPhase.SUCCEEDED),
    ({"success": False, "message": "speaker muted"}, BindingPhase.FAILED),
    ({"duration": 1.5}, BindingPhase.SUCCEEDED),
    ({"cls": 1, "phase": "any field name"}, BindingPhase.SUCCEEDED),
])
def test_service_call_and_its_success_field(bus: Bus, tmp_path: Path, response: dict[str, Any],
                                            phase: BindingPhase) -> None:
    requests: list[dict[str, Any]] = []
    bus.service(f"{NS}/say", dict, dict, lambda req: requests.append(req) or response)
    binding = binding_for(bus, tmp_path, "speak", SPEAK_SRV)
    binding.start(ToolCall(name="speak", arguments={"text": "hello"}))
    done = poll_until(bus, binding, lambda p: p.finished)
    assert requests == [{"text": "hello"}]
    assert done.phase is phase
    if phase is BindingPhase.FAILED:
        assert "speaker muted" in done.error
    else:
        assert done.result == response


def test_topic_publish_succeeds_at_once(bus: Bus, tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []
    bus.subscribe(f"{NS}/reports", dict, seen.append)
    binding = binding_for(bus, tmp_path, "report", REPORT_TOPIC)
    binding.start(ToolCall(name="report", arguments={"text": "all fine"}))
    assert binding.poll().phase is BindingPhase.SUCCEEDED
    assert bus.spin_until(lambda: seen == [{"data": "report: all fine"}], WAIT_S)


def test_json_safe_turns_wire_values_into_json() -> None:
    assert json_safe({"a": (1, float("inf")), "b": b"\x01", 3: None}) == {
        "a": [1, None], "b": [1], "3": None}


def pose_message(x: float, y: float, yaw: float) -> dict[str, Any]:
    return {"header": {"frame_id": "map", "stamp": {"sec": 0, "nanosec": 0}},
            "pose": {"pose": {"position": {"x": x, "y": y, "z": 0.0},
                              "orientation": {"x": 0.0, "y": 0.0, "z": math.sin(yaw / 2),
                                              "w": math.cos(yaw / 2)}},
                     "covariance": [0.0] * 36}}


def test_ros_robot_refuses_motion_until_a_pose_arrives(bus: Bus, tmp_path: Path) -> None:
    nav = FakeNav2(bus)
    nav.release.set()
    others = {"kind": "ros_topic", "target": "tool_calls", "type": "std_msgs/msg/String",
              "fields": {"data": "{tool}"}}
    every = {tool.name: others for tool in ToolRegistry.load().tools}
    rig = start_rig(bus, robot="ros",
                    tools_file=tools_file(tmp_path, {**every, "navigate_to": NAV}))
    try:
        blind = make_plan(("navigate_to", {"place": "kitchen"}))
        rig.plans.publish(blind)
        [refused] = rig.wait_results(blind)
        assert refused.status is ResultStatus.REJECTED and "state" in refused.error
        assert nav.goals == []
        bus.publisher(f"{NS}/pose", dict).publish(pose_message(1.0, 1.0, 0.0))
        assert rig.wait(lambda: rig.logic.bindings.robot_state().stamp > 0)
        state = rig.logic.bindings.robot_state()
        assert (state.pose.x, state.pose.y) == (1.0, 1.0)
        seeing = make_plan(("navigate_to", {"place": "kitchen"}))
        rig.plans.publish(seeing)
        [result] = rig.wait_results(seeing)
        assert result.status is ResultStatus.SUCCEEDED, result.error
        assert nav.goals[0]["pose"]["pose"]["position"]["x"] == 8.0
    finally:
        rig.logic.close()


def test_ros_robot_without_a_binding_for_a_sim_tool_fails_at_start(bus: Bus) -> None:
    from gemma4_ros.execution.binding import UnknownBindingKindError

    with pytest.raises(UnknownBindingKindError, match="'sim'"):
        start_rig(bus, robot="ros")


class TypedTransport(BusTransport):
    """A bus transport that knows one message layout, as the rclpy one knows every type."""

    def field_problem(self, type_name: str, path: tuple[str, ...]) -> str:
        known = {("text",), ("data",)}
        return "" if path in known else f"{type_name} has no field {'.'.join(path)}"


def test_field_paths_are_checked_against_the_type_when_bindings_are_built(
        bus: Bus, tmp_path: Path) -> None:
    from gemma4_ros.nodes.field_map import FieldMapError

    tools = ToolRegistry.load(tools_file(tmp_path, {
        "speak": SPEAK_SRV,
        "report": {**REPORT_TOPIC, "fields": {"dta": "{text}"}},
    }))
    bindings = BindingRegistry(lambda: RobotState())
    register_ros_bindings(bindings, TypedTransport(bus.node("executor", NS)), tools)
    assert isinstance(bindings.create(tools.get("speak")), RemoteBinding)
    with pytest.raises(FieldMapError, match="tool 'report', binding field 'dta'.*no field dta"):
        bindings.create(tools.get("report"))
