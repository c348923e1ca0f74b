"""Fixtures for node-logic tests (helpers in node_rig.py)."""

from __future__ import annotations

from typing import Iterator

import pytest
from node_rig import ExecutorRig, start_rig

from gemma4_ros.bus import Bus


@pytest.fixture
def bus() -> Iterator[Bus]:
    with Bus() as made:
        yield made


@pytest.fixture
def rig(bus: Bus) -> Iterator[ExecutorRig]:
    made = start_rig(bus)
    yield made
    made.logic.close()
