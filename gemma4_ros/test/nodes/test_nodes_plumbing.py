"""The node plumbing: parameters from a pydantic model, robot state from pose topics, and the bus
transport's groups and timers."""

from __future__ import annotations

import math
import threading
from typing import Literal

import pytest
from node_rig import WAIT_S
from pydantic import BaseModel, Field

from gemma4_ros.bus import Bus
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.nodes.bus_transport import BusTransport
from gemma4_ros.nodes.executor_config import ExecutorNodeConfig
from gemma4_ros.nodes.parameters import ParameterSpec, apply_changes, parameter_specs
from gemma4_ros.nodes.robot_state import TopicRobotState, pose_from_fields, yaw_from_quaternion


class Settings(BaseModel):
    gain: float = Field(default=0.5, ge=0.0, le=1.0, description="controller gain")
    rate_hz: int = Field(default=10, gt=0, lt=1000, description="loop rate")
    name: str = "robot"
    enabled: bool = True
    mode: Literal["fast", "slow"] = "slow"


def test_parameter_specs_carry_types_defaults_descriptions_and_ranges() -> None:
    specs = {spec.name: spec for spec in parameter_specs(Settings)}
    assert specs["gain"] == ParameterSpec("gain", "double", 0.5, "controller gain", 0.0, 1.0)
    assert (specs["rate_hz"].kind, specs["rate_hz"].low, specs["rate_hz"].high) == (
        "integer", 0, 1000)
    assert (specs["name"].kind, specs["enabled"].kind) == ("string", "bool")
    assert specs["mode"].choices == ("fast", "slow") and "'fast'" in specs["mode"].description


def test_every_executor_setting_becomes_a_parameter() -> None:
    specs = parameter_specs(ExecutorNodeConfig)
    assert [s.name for s in specs] == list(ExecutorNodeConfig.model_fields)
    assert all(s.description for s in specs)
    period = next(s for s in specs if s.name == "status_period_s")
    assert (period.low, period.high) == (0.1, 60.0)


def test_unsupported_parameter_types_are_refused() -> None:
    class Bad(BaseModel):
        points: list[float] = []

    with pytest.raises(Gemma4RosError, match="'points'"):
        parameter_specs(Bad)


def test_changes_are_validated_by_the_same_model() -> None:
    current = Settings()
    assert apply_changes(current, {"gain": 0.9}).gain == 0.9
    with pytest.raises(Gemma4RosError, match="'gain' = 1.5"):
        apply_changes(current, {"gain": 1.5})
    with pytest.raises(Gemma4RosError, match="'mode'"):
        apply_changes(current, {"mode": "warp"})
    assert current.gain == 0.5


def quaternion(yaw: float) -> dict[str, float]:
    return {"x": 0.0, "y": 0.0, "z": math.sin(yaw / 2), "w": math.cos(yaw / 2)}


@pytest.mark.parametrize("yaw", [0.0, 1.0, -2.5, math.pi / 2])
def test_yaw_from_quaternion(yaw: float) -> None:
    assert yaw_from_quaternion(quaternion(yaw)) == pytest.approx(yaw)


@pytest.mark.parametrize("type_name", ["geometry_msgs/msg/PoseWithCovarianceStamped",
                                       "nav_msgs/msg/Odometry"])
def test_pose_from_nested_pose_messages(type_name: str) -> None:
    message = {"header": {"frame_id": "map"},
               "pose": {"pose": {"position": {"x": 1.0, "y": 2.0, "z": 0.0},
                                 "orientation": quaternion(0.5)}}}
    pose = pose_from_fields(message, type_name)
    assert (pose.x, pose.y, pose.frame_id) == (1.0, 2.0, "map")
    assert pose.yaw == pytest.approx(0.5)


def test_pose_stamped_and_non_finite_poses() -> None:
    message = {"header": {"frame_id": "odom"},
               "pose": {"position": {"x": 3.0, "y": 0.0, "z": 0.0}, "orientation": quaternion(0)}}
    assert pose_from_fields(message, "geometry_msgs/msg/PoseStamped").x == 3.0
    message["pose"]["position"]["x"] = float("nan")
    with pytest.raises(ValueError, match="not finite"):
        pose_from_fields(message, "geometry_msgs/msg/PoseStamped")


class ListLogger:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def info(self, message: str) -> None:
        self.lines.append(message)

    warning = error = info


def test_topic_state_is_stale_until_every_configured_reading_arrived() -> None:
    now = [100.0]
    logger = ListLogger()
    state = TopicRobotState(lambda: now[0], logger, "geometry_msgs/msg/PoseStamped", battery=True)
    assert state.robot_state().stamp == 0.0
    state.on_pose({"header": {"frame_id": "map"},
                   "pose": {"position": {"x": 1.0, "y": 0.0}, "orientation": quaternion(0)}})
    assert state.robot_state().stamp == 0.0  # battery still unknown
    state.on_battery({"percentage": float("nan")})
    assert state.robot_state().stamp == 0.0 and "not in [0, 1]" in logger.lines[-1]
    now[0] = 101.0
    state.on_battery({"percentage": 0.4})
    reading = state.robot_state()
    assert (reading.stamp, reading.battery, reading.pose.x) == (100.0, 0.4, 1.0)
    state.on_pose({"pose": {}})
    assert "ignoring" in logger.lines[-1]


def test_named_groups_run_apart_and_timers_fire_until_closed() -> None:
    with Bus() as bus:
        transport = BusTransport(bus.node("node"))
        assert transport.group("camera") is transport.group("camera")
        assert transport.group("camera") is not transport.group("default")
        assert transport.group("reentrant").workers > 1
        ticks = threading.Semaphore(0)
        timer = transport.timer(0.01, ticks.release)
        assert all(ticks.acquire(timeout=WAIT_S) for _ in range(3))
        timer.close()
        with pytest.raises(ValueError, match="period"):
            transport.timer(0.0, ticks.release)


def test_bus_transport_needs_a_node_view() -> None:
    with Bus() as bus, pytest.raises(ValueError, match="bus.node"):
        BusTransport(bus)
