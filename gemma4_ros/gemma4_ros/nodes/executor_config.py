"""Settings of the executor node: which config files, which robot, which robot-state topics.

The rclpy node declares one ROS parameter per field (descriptions and ranges from here, see
``gemma4_ros.ros.parameters``) and validates every change with this same model; the standalone
pipeline builds it directly. Topic names are not settings: they are fixed relative names that
launch files remap (``plan``, ``estop``, ``pose``, ``battery``, ``planner_heartbeat``),
as ROS expects.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field

from gemma4_ros.config import StrictModel

PoseType = Literal[
    "geometry_msgs/msg/PoseWithCovarianceStamped",
    "geometry_msgs/msg/PoseStamped",
    "nav_msgs/msg/Odometry",
]


class ExecutorNodeConfig(StrictModel):
    """Executor node parameters; empty file paths mean the packaged defaults."""

    autostart: bool = Field(default=False, description="configure and activate at start-up "
                            "(the launch files' autostart argument); false: wait for a lifecycle "
                            "manager or `ros2 lifecycle set`")
    tools_file: str = Field(default="", description="tools.yaml (tools, places, bindings); "
                            "empty: the packaged default")
    safety_file: str = Field(default="", description="safety.yaml (gate policies); empty: the "
                             "packaged default")
    executor_file: str = Field(default="", description="executor.yaml (preemption, retries, "
                               "polling); empty: the packaged default")
    sim_file: str = Field(default="", description="sim.yaml for robot=sim; empty: the packaged "
                          "default")
    audit_file: str = Field(default="", description="append-only JSONL audit log; empty: keep "
                            "records in memory only (set it on a robot)")
    robot: Literal["sim", "ros"] = Field(
        default="sim", description="sim: the built-in simulated robot runs `sim` tools and "
        "gives the robot state; ros: the state comes from the pose (and battery) topics and "
        "only ros_* bindings are available")
    pose_type: PoseType = Field(
        default="geometry_msgs/msg/PoseWithCovarianceStamped",
        description="message type on the `pose` topic for robot=ros (remap `pose` to e.g. "
        "/amcl_pose or /odom)")
    battery_type: Literal["", "sensor_msgs/msg/BatteryState"] = Field(
        default="", description="message type on the `battery` topic for robot=ros; empty: no "
        "battery topic (the state then reports a full battery)")
    mode: str = Field(default="", description="operating mode of the gate (a mode of "
                      "safety.yaml); empty: safety.yaml's initial_mode")
    execute_published_plans: bool = Field(
        default=True, description="run plans that arrive on the `plan` topic; each plan id "
        "runs at most once, whether it arrives by topic or by ExecutePlan")
    status_period_s: float = Field(default=1.0, ge=0.1, le=60.0, description="seconds between "
                                   "republished ExecutorStatus heartbeats")
    planner_timeout_s: float = Field(
        default=0.0, ge=0.0, le=60.0, description="once the planner's heartbeat "
        "(planner_heartbeat) has been silent this long, the running plan is cancelled and new "
        "plans are refused until it is heard again; 0: do not watch (plans come from elsewhere)")

    def path(self, name: Literal["tools_file", "safety_file", "executor_file", "sim_file"]
             ) -> Path | None:
        """The file for ``name``, or None for the packaged default."""
        value: str = getattr(self, name)
        return Path(value).expanduser() if value else None
