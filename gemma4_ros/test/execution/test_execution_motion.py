"""Closed-form motion: profiles reach exactly their length, and routes turn, drive, turn."""

import math

import pytest

from gemma4_ros.execution.motion import Profile, SegmentKind, route_to, wrap_angle
from gemma4_ros.types import Pose2D


@pytest.mark.parametrize("length, speed, accel", [(2.0, 0.5, 0.5), (0.1, 0.5, 0.5), (0.0, 1.0, 1.0)])
def test_profile_ends_at_its_length_and_is_monotonic(length, speed, accel):
    profile = Profile(length, speed, accel)
    samples = [profile.position(profile.duration * i / 50) for i in range(51)]
    assert samples[-1] == pytest.approx(length)
    assert all(b >= a - 1e-12 for a, b in zip(samples, samples[1:]))
    assert profile.position(profile.duration + 5) == pytest.approx(length)


def test_trapezoid_duration_matches_hand_computation():
    # 0.5 m/s, 0.5 m/s^2: 1 s ramps covering 0.25 m each, then 1.5 m cruise at 0.5 m/s = 3 s.
    assert Profile(2.0, 0.5, 0.5).duration == pytest.approx(5.0)
    # Too short to reach full speed: triangular, peak sqrt(a*L).
    short = Profile(0.125, 0.5, 0.5)
    assert short.peak_speed == pytest.approx(0.25)
    assert short.duration == pytest.approx(1.0)


def test_profile_rejects_nonsense():
    with pytest.raises(ValueError):
        Profile(1.0, 0.0, 1.0)


def test_route_turns_to_face_goal_then_drives_then_turns_to_heading():
    route = route_to(Pose2D(), Pose2D(x=0.0, y=2.0, yaw=math.pi))
    assert [kind for kind, _ in route] == [SegmentKind.TURN, SegmentKind.DRIVE, SegmentKind.TURN]
    assert route[0][1] == pytest.approx(math.pi / 2)
    assert route[1][1] == pytest.approx(2.0)
    assert route[2][1] == pytest.approx(math.pi / 2)


def test_route_to_own_pose_is_empty():
    assert route_to(Pose2D(x=1, y=1, yaw=0.3), Pose2D(x=1, y=1, yaw=0.3)) == []


def test_wrap_angle_takes_shortest_turn():
    assert wrap_angle(3 * math.pi / 2) == pytest.approx(-math.pi / 2)
    assert wrap_angle(-math.pi) == pytest.approx(math.pi)
