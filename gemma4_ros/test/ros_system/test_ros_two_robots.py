"""Two robots in one ROS domain, each its own ``gemma4.launch.py`` under its own namespace: a
command to one moves only that one, and an e-stop to one stops only that one."""

from __future__ import annotations

from typing import Any, Callable

from ros_ready import require_ros

require_ros()

from gemma4_ros_msgs.msg import ExecutorStatus, Plan, ToolResult  # noqa: E402
from ros_harness import (  # noqa: E402
    LATCHED, Client, latest, plan_message, start_system, wait_until,
)
from std_msgs.msg import Bool, String  # noqa: E402

ROBOTS = ("/robot1", "/robot2")


def test_commands_and_estops_reach_only_their_robot(launch: Callable[..., Any],
                                                    client: Client) -> None:
    results = {ns: client.collect(f"{ns}/executor/results", ToolResult) for ns in ROBOTS}
    statuses = {ns: client.collect(f"{ns}/executor/status", ExecutorStatus, LATCHED)
                for ns in ROBOTS}
    plans = {ns: client.collect(f"{ns}/planner/plan", Plan, LATCHED) for ns in ROBOTS}
    for ns in ROBOTS:
        start_system(launch, client, namespace=ns.strip("/"))
    one, two = ROBOTS

    client.publish_when_heard(f"{one}/command", String(data="go to the kitchen"))
    plan = wait_until(lambda: latest(plans[one], lambda p: True), what="robot1's plan")
    done = wait_until(lambda: latest(results[one], lambda r: r.plan_id == plan.plan_id))
    assert done.status == ToolResult.STATUS_SUCCEEDED, done.error
    assert not plans[two] and not results[two], "robot2 heard nothing of it"

    for ns in ROBOTS:  # both start a long plan
        client.publish_when_heard(f"{ns}/planner/plan", plan_message(
            client, ("wait", {"seconds": 30.0}), plan_id=f"long{ns.replace('/', '-')}"), LATCHED)
    for ns in ROBOTS:
        wait_until(lambda n=ns: latest(statuses[n], lambda s: s.plan_id.startswith("long")
                                       and s.state == ExecutorStatus.STATE_EXECUTING),
                   what=f"{ns} executing")
    client.publish_when_heard(f"{one}/estop", Bool(data=True), subscribers=2)
    wait_until(lambda: statuses[one][-1].state == ExecutorStatus.STATE_ESTOPPED,
               what="robot1 stopped")
    assert latest(results[one], lambda r: r.plan_id == "long-robot1").status == (
        ToolResult.STATUS_CANCELED)
    assert statuses[two][-1].state == ExecutorStatus.STATE_EXECUTING
    assert not statuses[two][-1].estop_latched
    assert not latest(results[two], lambda r: r.plan_id == "long-robot2"), "robot2 runs on"
