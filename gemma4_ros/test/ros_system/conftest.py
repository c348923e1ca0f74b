"""The nodes as a robotics engineer runs them: separate processes over real DDS, started by the
real ``gemma4.launch.py``, driven from this process through real rclpy endpoints.

Needs ROS 2 and a built workspace (``scripts/ros2_from_pypi.sh``, or ``colcon build`` under
/opt/ros, then source it); see :mod:`ros_ready` for what happens without them. Each test gets its
own ``ROS_DOMAIN_ID``, discovery stays on this host and logs go to a temporary ``ROS_LOG_DIR``;
launched processes run in their own session and their process group is ended after the test,
so nothing outlives it.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

HERE = Path(__file__).parent
_DOMAINS = itertools.count(os.getpid() % 97)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.ros)


@pytest.fixture
def ros_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """One test's ROS graph: its own domain, this host only, logs in the test's temp dir. Set
    in this process too, so the test's own rclpy context joins the same graph."""
    log_dir = tmp_path / "ros_log"
    log_dir.mkdir()
    values = {"ROS_DOMAIN_ID": str(1 + next(_DOMAINS) % 100),
              "ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST", "ROS_LOG_DIR": str(log_dir),
              "RCUTILS_COLORIZED_OUTPUT": "0", "PYTHONUNBUFFERED": "1"}
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    yield dict(os.environ)


@pytest.fixture
def client(ros_env: dict[str, str]) -> Iterator[Any]:
    """The test's own rclpy node in the test's domain."""
    from ros_harness import Client

    made = Client()
    yield made
    made.close()


@pytest.fixture
def launch(ros_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``launch(file="gemma4.launch.py", **arguments)`` starts a launch file; every launch this
    test started is stopped (Ctrl-C, then its whole process group killed) when it ends."""
    from ros_harness import Launched

    started: list[Launched] = []

    def start(file: str = "gemma4.launch.py", **arguments: object) -> Launched:
        made = Launched(ros_env, tmp_path / f"launch-{len(started)}.log", file, **arguments)
        started.append(made)
        return made

    yield start
    for launched in started:
        launched.stop()


@pytest.fixture
def nav2(ros_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Any]]:
    """``nav2(mode, seconds=1.0)`` starts the Nav2 stand-in; stopped when the test ends."""
    from ros_harness import Nav2StandIn

    started: list[Nav2StandIn] = []

    def start(mode: str, seconds: float = 1.0) -> Nav2StandIn:
        made = Nav2StandIn(ros_env, tmp_path / f"nav2-{len(started)}.log", mode, seconds)
        started.append(made)
        return made

    yield start
    for server in started:
        server.stop()
