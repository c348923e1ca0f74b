"""Fixtures for execution tests: the packaged tools and a sim robot on a fake clock."""

from __future__ import annotations

import pytest

from gemma4_ros.execution.sim_config import SimConfig
from gemma4_ros.execution.sim_robot import SimRobot
from gemma4_ros.testing.clock import FakeClock
from gemma4_ros.types import Pose2D

PLACES = {
    "dock": Pose2D(x=0.0, y=0.0, yaw=0.0),
    "kitchen": Pose2D(x=3.0, y=0.0, yaw=0.0),
    "lab": Pose2D(x=0.0, y=2.0, yaw=3.141592653589793),
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def robot(clock: FakeClock) -> SimRobot:
    return SimRobot(SimConfig(), PLACES, clock=clock, stamp_clock=clock)
