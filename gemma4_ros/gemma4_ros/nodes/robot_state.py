"""The robot state the gate judges motion against, read from ROS pose and battery topics.

Used when the executor drives a real robot (``robot: ros``): the pose comes from localisation
(``PoseWithCovarianceStamped`` from AMCL, ``PoseStamped``, or ``Odometry``) and the battery from
``sensor_msgs/BatteryState``, both as raw field dicts, so this reader is ROS-free and tested.

Fail safe by construction: until a pose (and, when configured, a battery reading) has arrived,
the state is stamped at 0, which the gate's freshness rule refuses for motion; a reading that is
not finite is ignored and ages out the same way. The stamp is when the reading arrived on the
node's clock, not the header's, so a publisher with a wrong clock cannot make a state look fresh.
The gripper is not observed here (always ``False``), so rules about holding never fire on ROS.
"""

from __future__ import annotations

import math
import threading
from typing import Callable

from gemma4_ros.nodes.transport import Closeable, Fields, Logger, Transport
from gemma4_ros.types import Pose2D, RobotState

UNKNOWN_STAMP = 0.0


def yaw_from_quaternion(q: Fields) -> float:
    """Heading (rotation about z) of a quaternion given as ``{x, y, z, w}``."""
    x, y, z, w = (float(q[k]) for k in ("x", "y", "z", "w"))
    return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))


def pose_from_fields(message: Fields, type_name: str) -> Pose2D:
    """The planar pose in a pose message of ``type_name``; raises on a malformed one."""
    stamped_pose = message["pose"]
    # Odometry and PoseWithCovarianceStamped nest the pose once more than PoseStamped does.
    pose = stamped_pose if type_name.endswith("/PoseStamped") else stamped_pose["pose"]
    x, y = float(pose["position"]["x"]), float(pose["position"]["y"])
    yaw = yaw_from_quaternion(pose["orientation"])
    if not all(math.isfinite(v) for v in (x, y, yaw)):
        raise ValueError(f"pose is not finite: x={x}, y={y}, yaw={yaw}")
    return Pose2D(x=x, y=y, yaw=yaw, frame_id=str(message["header"]["frame_id"]))


class TopicRobotState:
    """Latest pose and battery from topics; :meth:`robot_state` is the gate's source."""

    def __init__(self, clock: Callable[[], float], logger: Logger, pose_type: str,
                 battery: bool) -> None:
        self._clock = clock
        self._logger = logger
        self._pose_type = pose_type
        self._lock = threading.Lock()
        self._pose: Pose2D | None = None
        self._pose_stamp = UNKNOWN_STAMP
        self._battery: float | None = None if battery else 1.0
        self._battery_stamp = UNKNOWN_STAMP if battery else math.inf

    def subscribe(self, transport: Transport, battery_type: str) -> list[Closeable]:
        """Subscribe to ``pose`` (and ``battery`` when a type is given) on ``transport``."""
        subs = [transport.raw_subscribe("pose", self._pose_type, self.on_pose)]
        if battery_type:
            subs.append(transport.raw_subscribe("battery", battery_type, self.on_battery))
        return subs

    def on_pose(self, message: Fields) -> None:
        try:
            pose = pose_from_fields(message, self._pose_type)
        except (KeyError, TypeError, ValueError) as error:
            self._logger.warning(f"ignoring a {self._pose_type} on `pose`: {error}")
            return
        with self._lock:
            self._pose, self._pose_stamp = pose, self._clock()

    def on_battery(self, message: Fields) -> None:
        """``percentage`` is 0..1 in BatteryState (NaN when the driver does not know)."""
        try:
            level = float(message["percentage"])
        except (KeyError, TypeError, ValueError) as error:
            self._logger.warning(f"ignoring a battery message: {error}")
            return
        if not 0.0 <= level <= 1.0:  # also false for NaN
            self._logger.warning(f"ignoring battery percentage {level}: not in [0, 1]")
            return
        with self._lock:
            self._battery, self._battery_stamp = level, self._clock()

    def robot_state(self) -> RobotState:
        with self._lock:
            pose, battery = self._pose, self._battery
            stamp = min(self._pose_stamp, self._battery_stamp)
        if pose is None or battery is None:
            return RobotState(stamp=UNKNOWN_STAMP)
        return RobotState(stamp=stamp, pose=pose, battery=battery)
