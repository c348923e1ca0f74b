"""Bad input on the wire, from any node on the robot's network: each gets a clear error — a
verdict and result, or a log line that names the problem — nothing moves, and both nodes serve
the next good request."""

from __future__ import annotations

from typing import Any, Callable

from ros_ready import require_ros

require_ros()

from gemma4_ros_msgs.msg import Plan, SafetyVerdict, ToolResult  # noqa: E402
from gemma4_ros_msgs.srv import Ask  # noqa: E402
from ros_harness import (  # noqa: E402
    LATCHED, NS, Client, latest, plan_message, start_system, wait_until,
)
from sensor_msgs.msg import Image  # noqa: E402
from std_msgs.msg import String  # noqa: E402

GOOD = "go to the kitchen and wait 2 seconds"


def good_command_still_plans(client: Client, plans: list[Any]) -> None:
    client.publish_when_heard(f"{NS}/command", String(data=GOOD))
    wait_until(lambda: latest(plans, lambda p: p.instruction == GOOD), what="a plan afterwards")


def test_bad_plans_are_refused_with_a_verdict_and_nothing_moves(
        launch: Callable[..., Any], client: Client) -> None:
    verdicts = client.collect(f"{NS}/executor/verdicts", SafetyVerdict)
    results = client.collect(f"{NS}/executor/results", ToolResult)
    start_system(launch, client)
    bad = {
        "unknown-tool": (("fly_to", {"place": "kitchen"}), "unknown"),
        "too-far": (("move", {"distance": 500.0}), "distance"),
        "unknown-place": (("navigate_to", {"place": "the moon"}), "place"),
    }
    for plan_id, (call, _) in bad.items():
        client.publish_when_heard(f"{NS}/planner/plan", plan_message(client, call,
                                                                     plan_id=plan_id), LATCHED)
    for plan_id, (_, named) in bad.items():
        result = wait_until(lambda i=plan_id: latest(results, lambda r: r.plan_id == i),
                            what=f"an answer to {plan_id}")
        assert result.status == ToolResult.STATUS_REJECTED, (plan_id, result)
        verdict = latest(verdicts, lambda v, i=plan_id: v.plan_id == i)
        assert verdict is not None and verdict.decision == SafetyVerdict.DECISION_REJECTED
        assert named in " ".join(verdict.reasons).lower(), (plan_id, verdict.reasons)
    assert not [r for r in results if r.status == ToolResult.STATUS_SUCCEEDED]
    client.publish_when_heard(f"{NS}/planner/plan", plan_message(
        client, ("speak", {"text": "fine"}), plan_id="good"), LATCHED)
    good = wait_until(lambda: latest(results, lambda r: r.plan_id == "good"))
    assert good.status == ToolResult.STATUS_SUCCEEDED


def test_unreadable_plan_messages_are_dropped_with_the_field_named(
        launch: Callable[..., Any], client: Client) -> None:
    results = client.collect(f"{NS}/executor/results", ToolResult)
    launched = start_system(launch, client)
    unreadable = {"cut-json": '{"distance": 0.2', "nan": '{"distance": NaN}',
                  "infinity": '{"angle": Infinity}', "not-an-object": "[0.2]",
                  "overflow": '{"distance": 1e400}'}  # valid JSON, but it parses to inf
    for plan_id, arguments in unreadable.items():
        plan = plan_message(client, ("move", {"distance": 0.2}), plan_id=plan_id)
        plan.steps[0].call.arguments_json = arguments
        client.publish_when_heard(f"{NS}/planner/plan", plan, LATCHED)
    drops = wait_until(lambda: len(dropped := [
        line for line in launched.log().splitlines() if "dropped a message on plan" in line])
        == len(unreadable) and dropped, what="every unreadable plan's drop logged")
    for line in drops:
        assert "Plan.steps[0].call.arguments" in line and "(fix:" in line, line
    client.publish_when_heard(f"{NS}/planner/plan", plan_message(
        client, ("speak", {"text": "fine"}), plan_id="after-broken"), LATCHED)
    good = wait_until(lambda: latest(results, lambda r: r.plan_id == "after-broken"))
    assert good.status == ToolResult.STATUS_SUCCEEDED
    assert not [r for r in results if r.plan_id in unreadable], "nothing of them ran"


def test_empty_and_huge_commands_fail_cleanly(launch: Callable[..., Any],
                                              client: Client) -> None:
    plans = client.collect(f"{NS}/planner/plan", Plan, LATCHED)
    launched = start_system(launch, client)
    client.publish_when_heard(f"{NS}/command", String(data="   "))
    client.publish_when_heard(f"{NS}/command", String(data="go to the kitchen " * 6000))
    wait_until(lambda: "empty text command" in launched.log(), what="the empty command logged")
    wait_until(lambda: "text plan failed" in launched.log(), what="the huge command refused")
    refusal = next(line for line in launched.log().splitlines() if "text plan failed" in line)
    assert "token" in refusal or "long" in refusal, refusal
    good_command_still_plans(client, plans)
    assert [p.instruction for p in plans] == [GOOD], "nothing but the good command planned"


def test_corrupt_and_unsupported_images_are_dropped_and_ask_still_answers(
        launch: Callable[..., Any], client: Client) -> None:
    launched = start_system(launch, client)
    short = Image(height=4, width=4, encoding="rgb8", step=12, data=bytes(10))
    depth = Image(height=2, width=2, encoding="16UC1", step=4, data=bytes(8))
    camera = client.publisher("/camera/image_raw", Image)
    # A camera streams: a best-effort subscriber may miss the first frames while matching.
    client.node.create_timer(0.1, lambda: (camera.publish(short), camera.publish(depth)))
    wait_until(lambda: "16UC1" in launched.log(), what="the unsupported encoding named")
    wait_until(lambda: "image data has 10 bytes" in launched.log(),
               what="the corrupt image's size named")
    answer = client.call(f"{NS}/planner/ask", Ask, Ask.Request(question="are you there?"))
    assert answer.success and answer.answer.strip(), answer.error
