"""Whether this machine can run the ROS 2 system tests, decided without importing rclpy.

Each test module calls :func:`require_ros` before importing anything from ROS: without ROS 2 and
a built workspace the module skips, naming what is missing — except under
``GEMMA4_ROS_REQUIRE_ROS=1`` (CI), where it fails instead, so the suite can never silently
vanish from a run that meant to test it.
"""

from __future__ import annotations

import importlib.util
import os

import pytest

REQUIRED = os.environ.get("GEMMA4_ROS_REQUIRE_ROS") == "1"


def missing() -> str:
    """What stands between this machine and the ROS system tests ("" when nothing does)."""
    for module, hint in (("rclpy", "install ROS 2 or run scripts/ros2_from_pypi.sh"),
                         ("gemma4_ros_msgs", "colcon build the workspace and source it"),
                         ("launch_ros", "source the workspace (it provides launch_ros)")):
        if importlib.util.find_spec(module) is None:
            return f"{module} is not importable ({hint})"
    from gemma4_ros.errors import Gemma4RosError
    from gemma4_ros.ros.launch_support import require_built_package

    try:
        require_built_package()
    except Gemma4RosError as error:
        return str(error)
    return ""


def require_ros() -> None:
    problem = missing()
    if not problem:
        return
    if REQUIRED:
        pytest.fail(f"GEMMA4_ROS_REQUIRE_ROS=1 but {problem}", pytrace=False)
    pytest.skip(f"ROS 2 system tests: {problem}", allow_module_level=True)
