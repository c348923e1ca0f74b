"""Heartbeats both ways, with real process deaths: ``kill -9`` of the planner gets its running plan
cancelled within ``heartbeat_timeout_s`` + 1 s and new plans refused until a planner is heard
again; with the executor killed, the planner publishes no plan."""

from __future__ import annotations

import time
from typing import Any, Callable

from ros_ready import require_ros

require_ros()

from gemma4_ros_msgs.action import Instruct  # noqa: E402
from gemma4_ros_msgs.msg import ExecutorStatus, Plan, ToolResult  # noqa: E402
from ros_harness import (  # noqa: E402
    LATCHED, NS, Client, latest, plan_message, start_system, wait_until,
)
from std_msgs.msg import Header, String  # noqa: E402

TIMEOUT_S = 1.0


def test_a_killed_planner_gets_its_plan_cancelled_and_new_plans_refused(
        launch: Callable[..., Any], client: Client) -> None:
    statuses = client.collect(f"{NS}/executor/status", ExecutorStatus, LATCHED)
    results = client.collect(f"{NS}/executor/results", ToolResult)
    launched = start_system(launch, client, heartbeat_timeout_s=TIMEOUT_S)
    client.publish_when_heard(f"{NS}/planner/plan", plan_message(
        client, ("wait", {"seconds": 30.0}), plan_id="orphan"), LATCHED)
    wait_until(lambda: latest(statuses, lambda s: s.plan_id == "orphan"
                              and s.state == ExecutorStatus.STATE_EXECUTING), what="the plan")
    killed_at = time.monotonic()
    launched.kill("planner_node")
    cancelled = wait_until(lambda: latest(results, lambda r: r.plan_id == "orphan"),
                           TIMEOUT_S + 5.0, "the orphaned plan to end")
    took = time.monotonic() - killed_at
    assert cancelled.status == ToolResult.STATUS_CANCELED and "planner" in cancelled.error
    assert took <= TIMEOUT_S + 1.0, f"cancelled {took:.2f} s after the kill"

    client.publish_when_heard(f"{NS}/planner/plan", plan_message(
        client, ("speak", {"text": "unheard"}), plan_id="no-author"), LATCHED)
    refused = wait_until(lambda: latest(results, lambda r: r.plan_id == "no-author"))
    assert refused.status == ToolResult.STATUS_REJECTED and "planner" in refused.error

    # A planner is heard again (here: the test's own heartbeat): plans are accepted again.
    beats = client.publisher(f"{NS}/planner/heartbeat", Header)
    client.node.create_timer(0.1, lambda: beats.publish(
        Header(stamp=client.node.get_clock().now().to_msg())))
    time.sleep(0.5)  # a few beats must arrive before the executor counts the planner back
    client.publish_when_heard(f"{NS}/planner/plan", plan_message(
        client, ("speak", {"text": "heard"}), plan_id="heard-again"), LATCHED)
    accepted = wait_until(lambda: latest(results, lambda r: r.plan_id == "heard-again"))
    assert accepted.status == ToolResult.STATUS_SUCCEEDED, accepted.error


def test_with_the_executor_killed_the_planner_publishes_no_plan(
        launch: Callable[..., Any], client: Client) -> None:
    plans = client.collect(f"{NS}/planner/plan", Plan, LATCHED)
    launched = start_system(launch, client, heartbeat_timeout_s=TIMEOUT_S)
    launched.kill("executor_node")
    time.sleep(TIMEOUT_S + 0.5)
    goal = Instruct.Goal(instruction="go to the kitchen", source=Plan.SOURCE_TEXT, execute=True)
    outcome = client.run_goal(f"{NS}/planner/instruct", Instruct, goal)
    assert not outcome.result.success and "executor" in outcome.result.error
    client.publish_when_heard(f"{NS}/command", String(data="go to the kitchen"))
    time.sleep(3.0)  # what a plan takes here, several times over
    assert not plans, "no plan is published while no executor can be seen"
    assert "not published" in launched.log()
