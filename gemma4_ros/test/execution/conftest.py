"""Fixtures for execution tests; the world they build lives in :mod:`execution_world`."""

from __future__ import annotations

import pytest
from execution_world import PLACES, make_world

from gemma4_ros.execution.sim_config import SimConfig
from gemma4_ros.execution.sim_robot import SimRobot
from gemma4_ros.testing.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def robot(clock: FakeClock) -> SimRobot:
    return SimRobot(SimConfig(), PLACES, clock=clock, stamp_clock=clock)


@pytest.fixture
def world(clock: FakeClock):
    made = make_world(clock)
    yield made
    if made.executor is not None:
        made.executor.close()
