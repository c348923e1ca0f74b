"""Planner only: the maintenance copilot, answering questions about what the camera sees and
what the robot's manuals say (each answer cites the passages it was given).

    ros2 launch gemma4_ros copilot.launch.py model_dir:=/models/gemma-4-E2B-it-ONNX
    ros2 service call /gemma4/planner/ask gemma4_ros_msgs/srv/Ask "{question: 'Is the valve open?'}"

``copilot_file:=FILE`` names your manuals (copilot.yaml; the packaged one holds the simulated
robot's); ``documents:=false`` answers from the question and image alone.

No executor runs, so nothing the copilot proposes can move the robot: plans returned by ``Ask``
are proposals only. The planner is a lifecycle node, configured (model loaded and warmed) and
activated at launch unless ``autostart:=false``.
"""

from __future__ import annotations

from launch import LaunchDescription

from gemma4_ros.ros.launch_support import (
    COMMON_ARGUMENTS, COPILOT_ARGUMENTS, PLANNER_ARGUMENTS, planner_node, require_built_package,
)


def generate_launch_description() -> LaunchDescription:
    require_built_package()
    return LaunchDescription([
        *COMMON_ARGUMENTS, *PLANNER_ARGUMENTS, *COPILOT_ARGUMENTS,
        planner_node(copilot=True),
    ])
