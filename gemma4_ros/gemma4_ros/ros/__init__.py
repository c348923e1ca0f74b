"""The rclpy layer: the only package that imports rclpy or gemma4_ros_msgs (thin shells over
:mod:`gemma4_ros.nodes`). Import its modules only where ROS 2 is installed and this repository's
workspace is built; otherwise this import fails with what to run, instead of a bare
``No module named ...`` from deep inside a node."""

from __future__ import annotations

_NO_ROS = ("gemma4_ros.ros needs ROS 2 (rclpy): `source /opt/ros/$ROS_DISTRO/setup.bash`, or "
           "without a ROS install run scripts/ros2_from_pypi.sh WORKSPACE and source "
           "WORKSPACE/setup.sh (README, 'ROS 2 without a ROS install')")
_NOT_BUILT = ("gemma4_ros_msgs is not built: `pip install -e` installs only the ROS-free core; "
              "build the workspace (`colcon build` with gemma4_ros_msgs in src/, or "
              "scripts/ros2_from_pypi.sh WORKSPACE) and source its setup file")

try:
    import rclpy  # noqa: F401
except ImportError as error:
    raise ImportError(f"{_NO_ROS} ({error})", name=error.name) from error
try:
    import gemma4_ros_msgs.msg  # noqa: F401
except ImportError as error:
    raise ImportError(f"{_NOT_BUILT} ({error})", name=error.name) from error
