"""The rclpy layer where ROS 2 is installed: parameters, lifecycle and the e-stop path of the
executor node on a real rclpy executor. Without rclpy the whole module skips; the same code is
then covered by ros2-typecheck (.ci/run) and by the bus tests of the logic it wraps."""

from __future__ import annotations

import threading
import time
from typing import Any, Iterator

import pytest

rclpy = pytest.importorskip(
    "rclpy", reason="rclpy is not installed (no ROS 2 here); ros/ is covered by ros2-typecheck "
    "and by the bus tests of the node logic")

from rclpy.executors import MultiThreadedExecutor  # noqa: E402
from rclpy.lifecycle import TransitionCallbackReturn  # noqa: E402
from rclpy.parameter import Parameter  # noqa: E402
from std_msgs.msg import Bool, String  # noqa: E402

from gemma4_ros.nodes.executor_config import ExecutorNodeConfig  # noqa: E402
from gemma4_ros.nodes.parameters import parameter_specs  # noqa: E402
from gemma4_ros.nodes.transport import Qos  # noqa: E402
from gemma4_ros.ros.executor_node import ExecutorNode  # noqa: E402
from gemma4_ros.ros.parameters import descriptor  # noqa: E402
from gemma4_ros.ros.transport import profile  # noqa: E402
from gemma4_ros.types import ExecutorState  # noqa: E402


@pytest.fixture
def ros() -> Iterator[MultiThreadedExecutor]:
    rclpy.init()
    executor = MultiThreadedExecutor()
    yield executor
    executor.shutdown()
    rclpy.try_shutdown()


def spin_until(executor: MultiThreadedExecutor, predicate: Any, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        executor.spin_once(timeout_sec=0.05)
    return bool(predicate())


def test_descriptors_carry_ranges() -> None:
    period = next(s for s in parameter_specs(ExecutorNodeConfig) if s.name == "status_period_s")
    made = descriptor(period)
    assert made.floating_point_range[0].from_value == 0.1
    assert made.floating_point_range[0].to_value == 60.0


def test_latched_profile_is_transient_local() -> None:
    from rclpy.qos import DurabilityPolicy

    assert profile(Qos.LATCHED, 1).durability == DurabilityPolicy.TRANSIENT_LOCAL


def test_lifecycle_estop_and_mode_parameter(ros: MultiThreadedExecutor) -> None:
    node = ExecutorNode()
    ros.add_node(node)
    helper = rclpy.create_node("estop_button")
    ros.add_node(helper)
    try:
        assert node.trigger_configure() == TransitionCallbackReturn.SUCCESS
        assert node.trigger_activate() == TransitionCallbackReturn.SUCCESS
        refused = node.set_parameters([Parameter("mode", value="holiday")])[0]
        assert not refused.successful and "maintenance" in refused.reason
        assert node.set_parameters([Parameter("mode", value="maintenance")])[0].successful
        logic = node._logic
        assert logic is not None
        # Hold the node's default group (plans, services) with a long callback, then press.
        entered, release = threading.Event(), threading.Event()

        def slow_callback(_: str) -> None:
            entered.set()
            release.wait(30.0)

        logic.transport.subscribe("~/slow", str, slow_callback)
        slow = helper.create_publisher(String, "/executor/slow", 10)
        press = helper.create_publisher(Bool, "/estop", 10)
        assert spin_until(ros, lambda: press.get_subscription_count() > 0
                          and slow.get_subscription_count() > 0)
        slow.publish(String(data="block"))
        assert spin_until(ros, entered.is_set)
        press.publish(Bool(data=True))
        assert spin_until(ros, lambda: logic.executor.status.state is ExecutorState.ESTOPPED)
        assert not release.is_set()
        release.set()
        node.trigger_deactivate()
        node.trigger_cleanup()
    finally:
        node.destroy_node()
        helper.destroy_node()
