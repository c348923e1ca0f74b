"""The e-stop as operators press it: a plain volatile publisher (``ros2 topic pub``, a joystick
node) or a latched one. The running plan is cancelled, nothing moves or resumes until the reset
service is called, and no node anywhere complains of incompatible QoS."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
from ros_ready import require_ros

require_ros()

from gemma4_ros_msgs.msg import ExecutorStatus, ToolResult  # noqa: E402
from ros_harness import (  # noqa: E402
    LATCHED, NS, Client, latest, plan_message, start_system, wait_until,
)
from std_msgs.msg import Bool  # noqa: E402
from std_srvs.srv import Trigger  # noqa: E402


def results_of(results: list[Any], plan_id: str) -> list[Any]:
    return [r for r in list(results) if r.plan_id == plan_id]


def ros_logs(tmp_path: Path) -> str:
    """Everything every process of the test logged: launch output and ROS_LOG_DIR files."""
    return "\n".join(path.read_text(encoding="utf-8", errors="replace")
                     for path in sorted(tmp_path.rglob("*")) if path.is_file())


@pytest.mark.parametrize("qos", [10, LATCHED], ids=["volatile", "transient_local"])
def test_estop_cancels_the_running_plan_and_nothing_resumes_until_reset(
        launch: Callable[..., Any], client: Client, tmp_path: Path, qos: Any) -> None:
    statuses = client.collect(f"{NS}/executor/status", ExecutorStatus, LATCHED)
    results = client.collect(f"{NS}/executor/results", ToolResult)
    start_system(launch, client)
    client.publish_when_heard(f"{NS}/planner/plan", plan_message(
        client, ("wait", {"seconds": 30.0}), ("speak", {"text": "never"}), plan_id="long"),
        LATCHED)
    wait_until(lambda: latest(statuses, lambda s: s.plan_id == "long"
                              and s.state == ExecutorStatus.STATE_EXECUTING), what="the plan")
    # Both nodes listen to the e-stop: wait for both before pressing.
    client.publish_when_heard(f"{NS}/estop", Bool(data=True), qos, subscribers=2)
    wait_until(lambda: len(results_of(results, "long")) == 2, what="the plan cancelled")
    assert [r.status for r in results_of(results, "long")] == [ToolResult.STATUS_CANCELED] * 2
    wait_until(lambda: statuses[-1].state == ExecutorStatus.STATE_ESTOPPED, what="ESTOPPED")
    assert statuses[-1].estop_latched

    client.publish_when_heard(f"{NS}/planner/plan", plan_message(
        client, ("move", {"distance": 0.2}), plan_id="while-stopped"), LATCHED)
    refused = wait_until(lambda: results_of(results, "while-stopped"), what="a refusal")
    assert refused[0].status == ToolResult.STATUS_REJECTED and "e-stop" in refused[0].error

    reset = client.call(f"{NS}/executor/reset_estop", Trigger, Trigger.Request())
    assert reset.success, reset.message
    wait_until(lambda: statuses[-1].state == ExecutorStatus.STATE_IDLE, what="IDLE after reset")
    client.publish_when_heard(f"{NS}/planner/plan", plan_message(
        client, ("speak", {"text": "back"}), plan_id="after-reset"), LATCHED)
    after = wait_until(lambda: results_of(results, "after-reset"), what="the next plan")
    assert after[0].status == ToolResult.STATUS_SUCCEEDED
    assert len(results_of(results, "long")) == 2, "the cancelled plan never resumes"
    assert "incompatible" not in ros_logs(tmp_path).lower()
