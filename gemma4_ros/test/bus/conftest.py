"""Fixtures for the bus tests: a threaded and a manual bus, and a check that no thread leaks."""

from __future__ import annotations

import threading
from typing import Iterator

import pytest

from gemma4_ros.bus import Bus

# Generous: only reached when a test fails, never a speed expectation.
TIMEOUT = 5.0


@pytest.fixture(autouse=True)
def no_leaked_threads() -> Iterator[None]:
    """Every bus thread (workers, goal threads) must be gone once a test's buses are shut down."""
    before = set(threading.enumerate())
    yield
    leaked = [t.name for t in threading.enumerate() if t not in before and t.is_alive()]
    assert not leaked, f"threads still running after the test: {leaked}"


@pytest.fixture
def bus() -> Iterator[Bus]:
    with Bus(join_timeout_s=TIMEOUT) as threaded:
        yield threaded


@pytest.fixture
def manual() -> Iterator[Bus]:
    with Bus(threaded=False, join_timeout_s=TIMEOUT) as spun_by_hand:
        yield spun_by_hand
