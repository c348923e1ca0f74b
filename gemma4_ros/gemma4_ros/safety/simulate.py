"""The gate's simulation of a plan: where the robot will be after each step.

Driven by each tool's declared ``effect``, not by tool names, so a new tool with a pose effect is
simulated without touching the gate. The result is deliberately simple (no dynamics): straight
segments and turns on the spot, which is also how the controllers execute relative moves.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from gemma4_ros.safety.rule import Pose
from gemma4_ros.tools import ToolSpec
from gemma4_ros.types import Pose2D, RobotState


def start_pose(robot: RobotState, frame: str) -> Pose | None:
    """The robot's pose as the chain's start, or None when it cannot be used (wrong frame, NaN)."""
    pose = robot.pose
    if pose.frame_id != frame or not (math.isfinite(pose.x) and math.isfinite(pose.y)
                                      and math.isfinite(pose.yaw)):
        return None
    return (pose.x, pose.y, pose.yaw)


def end_pose(spec: ToolSpec | None, arguments: Mapping[str, Any], start: Pose | None,
             places: Mapping[str, Pose2D]) -> Pose | None:
    """The pose after a step with valid arguments; None when unknown (then later moves are
    refused by the geofence rather than judged from a guess)."""
    if spec is None:
        return None
    effect = spec.effect
    kind = effect.kind
    if kind == "none":
        return None if spec.motion else start
    if kind == "goto_place":
        name = effect.place or arguments.get(effect.argument)
        place = places.get(name) if isinstance(name, str) else None  # a list is unhashable
        return None if place is None else (place.x, place.y, place.yaw)
    value = arguments.get(effect.argument)
    if start is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    x, y, yaw = start
    if kind == "translate":
        return (x + value * math.cos(yaw), y + value * math.sin(yaw), yaw)
    return (x, y, yaw + (math.radians(value) if effect.unit == "deg" else value))
