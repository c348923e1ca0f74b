"""Which ROS interface carries each core type on the rclpy transport, and how it converts.

Topics reuse the tested pairs of :mod:`gemma4_ros.conversions`; the service and action parts
(Confirm, Trigger, ExecutePlan) are field renames written here against the generated classes,
so ``ros2-typecheck`` checks every field name and type. Incoming values that do not convert
raise :class:`~gemma4_ros.conversions.WireError`; the transport logs it and drops the message
(or answers the service/goal with the error), never passing a half-read value to the logic.
"""

from __future__ import annotations

from typing import Any, Callable, NamedTuple

from std_msgs.msg import Bool as RosBool
from std_msgs.msg import String as RosString
from std_srvs.srv import Trigger as RosTrigger

from gemma4_ros.conversions import (
    CONVERSIONS, MessageTypes, plan_from_ros, tool_result_to_ros,
)
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.interfaces import (
    ConfirmRequest, ConfirmResponse, ExecutePlanFeedback, ExecutePlanResult, ResetEStopRequest,
    ResetEStopResponse,
)
from gemma4_ros.ros.interface_fields import interface_class
from gemma4_ros.types import Plan
from gemma4_ros_msgs.action import ExecutePlan as RosExecutePlan
from gemma4_ros_msgs.msg import ToolResult as RosToolResult
from gemma4_ros_msgs.srv import Confirm as RosConfirm

TYPES = MessageTypes.for_rosidl(interface_class)


class TopicWire(NamedTuple):
    ros_type: Any
    to_ros: Callable[[Any], Any]
    from_ros: Callable[[Any], Any]


class ServiceWire(NamedTuple):
    ros_type: Any
    request_from_ros: Callable[[Any, str], Any]  # (request, service name) -> core request
    response_to_ros: Callable[[Any], Any]


class ActionWire(NamedTuple):
    ros_type: Any
    goal_from_ros: Callable[[Any], Any]
    feedback_to_ros: Callable[[Any], Any]
    result_to_ros: Callable[[Any], Any]


def _with_types(convert: Callable[[Any, MessageTypes], Any]) -> Callable[[Any], Any]:
    return lambda value: convert(value, TYPES)


def _topic_wires() -> dict[type, TopicWire]:
    wires: dict[type, TopicWire] = {
        core: TopicWire(interface_class(conversion.ros_type), _with_types(conversion.to_ros),
                        conversion.from_ros)
        for core, conversion in CONVERSIONS.items()
    }
    wires[bool] = TopicWire(RosBool, lambda value: RosBool(data=value), lambda msg: bool(msg.data))
    wires[str] = TopicWire(RosString, lambda value: RosString(data=value), lambda msg: msg.data)
    return wires


def confirm_request_from_ros(request: RosConfirm.Request, _: str) -> ConfirmRequest:
    return ConfirmRequest(plan_id=request.plan_id, step_index=request.step_index,
                          approve=request.approve, operator_id=request.operator_id)


def confirm_response_to_ros(response: ConfirmResponse) -> RosConfirm.Response:
    return RosConfirm.Response(accepted=response.accepted, message=response.message)


def reset_request_from_ros(_: RosTrigger.Request, service: str) -> ResetEStopRequest:
    """Trigger names no caller; the audit log records which service released the latch."""
    return ResetEStopRequest(operator_id=f"caller of {service}")


def reset_response_to_ros(response: ResetEStopResponse) -> RosTrigger.Response:
    return RosTrigger.Response(success=response.success, message=response.message)


def execute_goal_from_ros(goal: RosExecutePlan.Goal) -> Plan:
    return plan_from_ros(goal.plan)


def execute_feedback_to_ros(feedback: ExecutePlanFeedback) -> RosExecutePlan.Feedback:
    last = feedback.last_result
    return RosExecutePlan.Feedback(
        current_step=feedback.current_step, state=feedback.state.value,
        last_result=tool_result_to_ros(last, TYPES) if last is not None else RosToolResult())


def execute_result_to_ros(result: ExecutePlanResult) -> RosExecutePlan.Result:
    return RosExecutePlan.Result(results=[tool_result_to_ros(r, TYPES) for r in result.results],
                                 success=result.success, error=result.error)


TOPICS: dict[type, TopicWire] = _topic_wires()
SERVICES: dict[tuple[type, type], ServiceWire] = {
    (ConfirmRequest, ConfirmResponse): ServiceWire(
        RosConfirm, confirm_request_from_ros, confirm_response_to_ros),
    (ResetEStopRequest, ResetEStopResponse): ServiceWire(
        RosTrigger, reset_request_from_ros, reset_response_to_ros),
}
ACTIONS: dict[tuple[type, type, type], ActionWire] = {
    (Plan, ExecutePlanFeedback, ExecutePlanResult): ActionWire(
        RosExecutePlan, execute_goal_from_ros, execute_feedback_to_ros, execute_result_to_ros),
}


def _lookup(table: dict[Any, Any], key: Any, what: str) -> Any:
    try:
        return table[key]
    except KeyError:
        known = ", ".join(str(k) for k in table)
        raise Gemma4RosError(f"no ROS interface is registered for {what} {key}",
                             f"register one in gemma4_ros/ros/messages.py (known: {known})"
                             ) from None


def topic_wire(core_type: type) -> TopicWire:
    wire: TopicWire = _lookup(TOPICS, core_type, "topic type")
    return wire


def service_wire(request_type: type, response_type: type) -> ServiceWire:
    wire: ServiceWire = _lookup(SERVICES, (request_type, response_type), "service types")
    return wire


def action_wire(types: tuple[type, type, type]) -> ActionWire:
    wire: ActionWire = _lookup(ACTIONS, types, "action types")
    return wire
