"""Closed-form motion for the simulated robot: trapezoidal velocity profiles along straight segments.

The sim advances by elapsed time rather than in a background loop, so the pose at any time must be
a function of time alone. A trapezoidal profile (accelerate, cruise, decelerate) has a closed form,
which makes the pose exact however often it is sampled: a test with a fake clock and a real run at
50 Hz end a ``move(2.0)`` at the same point. A differential-drive robot moving as "turn in place,
then drive straight" only ever needs two such segments, so no integrator is needed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from gemma4_ros.types import Pose2D


@dataclass(frozen=True)
class Profile:
    """Trapezoidal (or triangular, when too short to reach ``max_speed``) profile over ``length``."""

    length: float
    max_speed: float
    accel: float

    def __post_init__(self) -> None:
        if self.length < 0 or self.max_speed <= 0 or self.accel <= 0:
            raise ValueError(
                f"profile needs length >= 0, speed > 0, accel > 0; got {self.length}, "
                f"{self.max_speed}, {self.accel}"
            )

    @property
    def peak_speed(self) -> float:
        return min(self.max_speed, math.sqrt(self.accel * self.length))

    @property
    def ramp_time(self) -> float:
        return self.peak_speed / self.accel

    @property
    def cruise_time(self) -> float:
        ramp_distance = self.peak_speed * self.ramp_time  # both ramps together
        return (self.length - ramp_distance) / self.peak_speed if self.peak_speed > 0 else 0.0

    @property
    def duration(self) -> float:
        return 2 * self.ramp_time + self.cruise_time

    def position(self, t: float) -> float:
        """Distance covered ``t`` seconds after the start (clamped to the profile's span)."""
        t = min(max(t, 0.0), self.duration)
        ramp, peak = self.ramp_time, self.peak_speed
        if t < ramp:
            return 0.5 * self.accel * t * t
        if t < ramp + self.cruise_time:
            return 0.5 * peak * ramp + peak * (t - ramp)
        remaining = self.duration - t
        return self.length - 0.5 * self.accel * remaining * remaining


class SegmentKind(str, Enum):
    TURN = "turn"
    DRIVE = "drive"


@dataclass(frozen=True)
class Segment:
    """A turn in place (radians) or a straight drive (metres); the sign gives the direction."""

    kind: SegmentKind
    amount: float
    profile: Profile

    @classmethod
    def make(cls, kind: SegmentKind, amount: float, max_speed: float, accel: float) -> Segment:
        return cls(kind, amount, Profile(abs(amount), max_speed, accel))

    def covered(self, t: float) -> float:
        """Signed distance (m) or angle (rad) covered ``t`` seconds into the segment."""
        return math.copysign(self.profile.position(t), self.amount)

    def pose_at(self, start: Pose2D, t: float) -> Pose2D:
        done = self.covered(t)
        if self.kind is SegmentKind.TURN:
            return start.model_copy(update={"yaw": wrap_angle(start.yaw + done)})
        return start.model_copy(update={
            "x": start.x + done * math.cos(start.yaw),
            "y": start.y + done * math.sin(start.yaw),
        })


def wrap_angle(angle: float) -> float:
    """Angle in (-pi, pi]; keeps yaw comparable after many turns."""
    wrapped = math.atan2(math.sin(angle), math.cos(angle))
    return math.pi if wrapped == -math.pi else wrapped


def route_to(start: Pose2D, goal: Pose2D, epsilon: float = 1e-6) -> list[tuple[SegmentKind, float]]:
    """Turn to face the goal, drive to it, turn to its heading; zero-length parts are dropped."""
    dx, dy = goal.x - start.x, goal.y - start.y
    distance = math.hypot(dx, dy)
    parts: list[tuple[SegmentKind, float]] = []
    heading = start.yaw
    if distance > epsilon:
        heading = math.atan2(dy, dx)
        parts.append((SegmentKind.TURN, wrap_angle(heading - start.yaw)))
        parts.append((SegmentKind.DRIVE, distance))
    parts.append((SegmentKind.TURN, wrap_angle(goal.yaw - heading)))
    return [(kind, amount) for kind, amount in parts if abs(amount) > epsilon]
