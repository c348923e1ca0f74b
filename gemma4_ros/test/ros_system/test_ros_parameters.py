"""Parameters through the SetParameters service, as ``ros2 param set`` sends them: out of range
or unknown values are refused with the reason, and an accepted change takes effect."""

from __future__ import annotations

from typing import Any, Callable

from ros_ready import require_ros

require_ros()

from gemma4_ros_msgs.msg import SafetyVerdict, ToolResult  # noqa: E402
from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue  # noqa: E402
from rcl_interfaces.srv import DescribeParameters, GetParameters, SetParameters  # noqa: E402
from ros_harness import (  # noqa: E402
    LATCHED, NS, Client, latest, plan_message, start_system, wait_until,
)

EXECUTOR = f"{NS}/executor"


def set_parameter(client: Client, node: str, name: str, value: ParameterValue) -> Any:
    request = SetParameters.Request(parameters=[Parameter(name=name, value=value)])
    return client.call(f"{node}/set_parameters", SetParameters, request).results[0]


def double(value: float) -> ParameterValue:
    return ParameterValue(type=ParameterType.PARAMETER_DOUBLE, double_value=value)


def string(value: str) -> ParameterValue:
    return ParameterValue(type=ParameterType.PARAMETER_STRING, string_value=value)


def test_out_of_range_and_unknown_values_are_refused_with_the_reason(
        launch: Callable[..., Any], client: Client) -> None:
    start_system(launch, client)
    described = client.call(f"{EXECUTOR}/describe_parameters", DescribeParameters,
                            DescribeParameters.Request(names=["status_period_s"]))
    bounds = described.descriptors[0].floating_point_range[0]
    too_fast = set_parameter(client, EXECUTOR, "status_period_s", double(bounds.from_value / 10))
    assert not too_fast.successful and "status_period_s" in too_fast.reason
    wrong_type = set_parameter(client, EXECUTOR, "status_period_s", string("often"))
    assert not wrong_type.successful and wrong_type.reason
    unknown_mode = set_parameter(client, EXECUTOR, "mode", string("holiday"))
    assert not unknown_mode.successful and "maintenance" in unknown_mode.reason, (
        "the reason lists the known modes")
    kept = client.call(f"{EXECUTOR}/get_parameters", GetParameters,
                       GetParameters.Request(names=["status_period_s", "mode"])).values
    assert kept[0].double_value >= bounds.from_value and kept[1].string_value != "holiday"


def test_an_accepted_mode_change_takes_effect_at_once(launch: Callable[..., Any],
                                                      client: Client) -> None:
    verdicts = client.collect(f"{EXECUTOR}/verdicts", SafetyVerdict)
    results = client.collect(f"{EXECUTOR}/results", ToolResult)
    start_system(launch, client)
    assert set_parameter(client, EXECUTOR, "mode", string("maintenance")).successful
    client.publish_when_heard(f"{NS}/planner/plan", plan_message(
        client, ("move", {"distance": 0.2}), plan_id="in-maintenance"), LATCHED)
    result = wait_until(lambda: latest(results, lambda r: r.plan_id == "in-maintenance"))
    assert result.status == ToolResult.STATUS_REJECTED
    verdict = latest(verdicts, lambda v: v.plan_id == "in-maintenance")
    assert verdict is not None and any("maintenance" in reason for reason in verdict.reasons)
    assert set_parameter(client, EXECUTOR, "mode", string("normal")).successful
    client.publish_when_heard(f"{NS}/planner/plan", plan_message(
        client, ("move", {"distance": 0.2}), plan_id="back-to-normal"), LATCHED)
    moved = wait_until(lambda: latest(results, lambda r: r.plan_id == "back-to-normal"))
    assert moved.status == ToolResult.STATUS_SUCCEEDED, moved.error
