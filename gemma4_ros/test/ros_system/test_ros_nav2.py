"""``robot:=ros`` with ``config/tools_nav2.yaml`` against a NavigateToPose server in its own
process: the goal carries the place's pose, feedback reaches the executor's status, an e-stop
cancels the goal on the server, and a rejected or aborted goal fails the step with the
server's reason."""

from __future__ import annotations

import math
import time
from typing import Any, Callable

import pytest
from ros_ready import require_ros

require_ros()

from gemma4_ros_msgs.msg import ExecutorStatus, ToolResult  # noqa: E402
from ros_harness import (  # noqa: E402
    LATCHED, NS, Client, latest, plan_message, start_system, wait_until,
)
from std_msgs.msg import Bool  # noqa: E402

from gemma4_ros.paths import default_config  # noqa: E402
from gemma4_ros.tools import ToolRegistry  # noqa: E402

pytest.importorskip("nav2_msgs", reason="build nav2_msgs: scripts/ros2_from_pypi.sh --nav2-msgs")
if __import__("ros_ready").REQUIRED:
    import nav2_msgs  # noqa: F401  (CI builds it; never skip there)

TOOLS = default_config("tools_nav2.yaml")

RESEND_AFTER_S = 10.0


def start_on_nav2(launch: Callable[..., Any], client: Client, server: Any) -> Any:
    """The nodes on the stand-in, once the executor has the robot's pose (the gate refuses
    motion without a fresh one, as it should)."""
    launched = start_system(launch, client, robot="ros", tools_file=str(TOOLS))
    wait_until(lambda: server.events("pose_delivered"), what="the executor to have a pose")
    return launched


def arrives(predicate: Callable[[], Any], seconds: float) -> bool:
    """Whether ``predicate`` turns true within ``seconds`` (no failure: the caller decides)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def go_to(client: Client, place: str, plan_id: str) -> None:
    client.publish_when_heard(f"{NS}/planner/plan", plan_message(
        client, ("navigate_to", {"place": place}), plan_id=plan_id), LATCHED)


def test_navigate_to_sends_the_places_pose_and_feedback_flows(
        launch: Callable[..., Any], client: Client, nav2: Callable[..., Any]) -> None:
    statuses = client.collect(f"{NS}/executor/status", ExecutorStatus, LATCHED)
    results = client.collect(f"{NS}/executor/results", ToolResult)
    server = nav2("succeed", seconds=1.5)
    start_on_nav2(launch, client, server)
    go_to(client, "kitchen", "to-kitchen")
    result = wait_until(lambda: latest(results, lambda r: r.plan_id == "to-kitchen"))
    assert result.status == ToolResult.STATUS_SUCCEEDED, result.error
    kitchen = ToolRegistry.load(TOOLS).places["kitchen"]
    [goal] = server.events("goal")
    assert goal["frame"] == "map"
    assert (goal["x"], goal["y"]) == pytest.approx((kitchen.x, kitchen.y))
    yaw = 2.0 * math.atan2(goal["qz"], goal["qw"])
    assert math.degrees(yaw) == pytest.approx(90.0, abs=1e-3)
    assert len(server.events("feedback")) >= 3
    progress = [s.message for s in statuses if "distance_remaining" in s.message]
    assert progress and all("step 0 (navigate_to) running" in m for m in progress)


def test_an_estop_cancels_the_goal_on_the_server(
        launch: Callable[..., Any], client: Client, nav2: Callable[..., Any]) -> None:
    results = client.collect(f"{NS}/executor/results", ToolResult)
    server = nav2("hang")
    start_on_nav2(launch, client, server)
    running = "to-lab"
    go_to(client, "lab", running)
    if not arrives(lambda: server.events("feedback"), RESEND_AFTER_S):
        # Seen once in CI under load: no goal reached the server after the first plan. It is
        # sent once more so that the e-stop is still tested; if that one does not run either,
        # the failure lists what the executor answered.
        running = "to-lab-again"
        go_to(client, "lab", running)
    wait_until(lambda: server.events("feedback"), what=lambda: (
        "the goal to run on the server (results: "
        f"{[(r.plan_id, r.status, r.error) for r in results]})"))
    client.publish_when_heard(f"{NS}/estop", Bool(data=True), subscribers=2)
    wait_until(lambda: server.events("cancel"), what="the server to be asked to cancel")
    wait_until(lambda: [e for e in server.events("end") if e["status"] == "canceled"],
               what="the server to cancel the goal")
    result = wait_until(lambda: latest(results, lambda r: r.plan_id == running))
    assert result.status == ToolResult.STATUS_CANCELED and "e-stop" in result.error, result.error


@pytest.mark.parametrize("mode, reason", [
    ("reject", "rejected the goal"),
    ("abort", "no path to the goal (costmap blocked)"),
])
def test_a_refused_goal_fails_the_step_with_the_servers_reason(
        launch: Callable[..., Any], client: Client, nav2: Callable[..., Any],
        mode: str, reason: str) -> None:
    results = client.collect(f"{NS}/executor/results", ToolResult)
    server = nav2(mode)
    start_on_nav2(launch, client, server)
    go_to(client, "office", "to-office")
    result = wait_until(lambda: latest(results, lambda r: r.plan_id == "to-office"))
    assert result.status == ToolResult.STATUS_FAILED, result.error
    assert reason in result.error and "/navigate_to_pose" in result.error
