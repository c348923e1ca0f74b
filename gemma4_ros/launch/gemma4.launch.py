"""Planner + executor: camera, voice and text in; gated plans and results out.

    ros2 launch gemma4_ros gemma4.launch.py model_dir:=/models/gemma-4-E2B-it-ONNX
    ros2 launch gemma4_ros gemma4.launch.py robot:=ros tools_file:=/robot/tools.yaml \
        audit_file:=/var/log/gemma4/audit.jsonl pose_topic:=/amcl_pose

Both nodes are lifecycle nodes, configured and activated at launch (``autostart:=false`` to
drive them yourself). The executor runs the plans the planner publishes on ``planner/plan``
(remapped to its ``plan``), listens for ``std_msgs/Bool`` e-stops on ``estop_topic``, and with
``robot:=sim`` (default) drives the built-in simulated robot; ``robot:=ros`` reads the pose
from ``pose_topic`` and drives the tools' ROS bindings (e.g. Nav2's ``navigate_to_pose``).
Each node watches the other's heartbeat: after ``heartbeat_timeout_s`` (default 3.0) of planner
silence the executor cancels the running plan and refuses new ones; while the executor is silent
the planner publishes no plans.
"""

from __future__ import annotations

from launch import LaunchDescription

from gemma4_ros.ros.launch_support import (
    COMMON_ARGUMENTS, EXECUTOR_ARGUMENTS, PLANNER_ARGUMENTS, executor_node, planner_node,
    require_built_package,
)


def generate_launch_description() -> LaunchDescription:
    require_built_package()
    return LaunchDescription([
        *COMMON_ARGUMENTS, *PLANNER_ARGUMENTS, *EXECUTOR_ARGUMENTS,
        planner_node(watch_executor=True), executor_node(),
    ])
