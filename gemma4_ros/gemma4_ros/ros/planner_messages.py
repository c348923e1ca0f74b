"""The planner node's interfaces on the rclpy transport: camera, diagnostics, /rosout, Ask and
Instruct.

The transport looks every core type up in :mod:`gemma4_ros.ros.messages`' tables;
:func:`register` adds the planner's entries to them (idempotent, additive: nothing there is
replaced). Images and diagnostics reuse the tested pairs of
:mod:`gemma4_ros.conversions.node_messages`; plans go through the foundation's ``plan_to_ros``;
Ask and Instruct are field renames written here against the generated classes, so
``ros2-typecheck`` checks every field name and type.
"""

from __future__ import annotations

from diagnostic_msgs.msg import DiagnosticArray as RosDiagnosticArray
from rcl_interfaces.msg import Log as RosLog
from sensor_msgs.msg import CompressedImage as RosCompressedImage
from sensor_msgs.msg import Image as RosImage

from gemma4_ros.conversions import citation_to_ros, plan_to_ros
from gemma4_ros.conversions.base import UINT32_MAX, in_range, parse_enum
from gemma4_ros.conversions.node_messages import (
    compressed_image_data_from_ros,
    compressed_image_data_to_ros,
    diagnostic_report_from_ros,
    diagnostic_report_to_ros,
    image_data_from_ros,
    image_data_to_ros,
    log_record_from_ros,
    log_record_to_ros,
)
from gemma4_ros.interfaces import (
    AskRequest,
    AskResponse,
    CompressedImageData,
    DiagnosticReport,
    ImageData,
    InstructFeedback,
    InstructGoal,
    InstructResult,
    LogRecord,
)
from gemma4_ros.ros import messages
from gemma4_ros.ros.messages import TYPES, ActionWire, ServiceWire, TopicWire
from gemma4_ros.types import Plan, PlanSource
from gemma4_ros_msgs.action import Instruct as RosInstruct
from gemma4_ros_msgs.msg import Plan as RosPlan
from gemma4_ros_msgs.srv import Ask as RosAsk

INSTRUCT_GOAL = "gemma4_ros_msgs/action/Instruct_Goal"
INSTRUCT_FEEDBACK = "gemma4_ros_msgs/action/Instruct_Feedback"


def _plan_to_ros(plan: Plan | None) -> RosPlan:
    """An empty Plan message (no plan_id, no steps) stands for "no plan", as the srv says."""
    return plan_to_ros(plan, TYPES) if plan is not None else RosPlan()


def ask_request_from_ros(request: RosAsk.Request, _: str) -> AskRequest:
    """An image without data means "use the latest camera frame"."""
    image = image_data_from_ros(request.image) if len(request.image.data) else None
    return AskRequest(question=request.question, image=image, want_plan=request.want_plan)


def ask_response_to_ros(response: AskResponse) -> RosAsk.Response:
    return RosAsk.Response(answer=response.answer,
                           citations=[citation_to_ros(c, TYPES) for c in response.citations],
                           plan=_plan_to_ros(response.plan), success=response.success,
                           error=response.error)


def instruct_goal_from_ros(goal: RosInstruct.Goal) -> InstructGoal:
    """An empty or unknown source is refused (the gate's provenance rules read it)."""
    source = parse_enum(PlanSource, goal.source, INSTRUCT_GOAL, "source", "Plan.SOURCE")
    return InstructGoal(instruction=goal.instruction, source=source, execute=goal.execute)


def instruct_feedback_to_ros(feedback: InstructFeedback) -> RosInstruct.Feedback:
    tokens = in_range(feedback.tokens_generated, 0, UINT32_MAX, INSTRUCT_FEEDBACK,
                      "tokens_generated")
    return RosInstruct.Feedback(partial_text=feedback.partial_text, tokens_generated=tokens)


def instruct_result_to_ros(result: InstructResult) -> RosInstruct.Result:
    return RosInstruct.Result(plan=_plan_to_ros(result.plan), success=result.success,
                              error=result.error)


TOPICS: dict[type, TopicWire] = {
    ImageData: TopicWire(RosImage, lambda image: image_data_to_ros(image, TYPES),
                         image_data_from_ros),
    CompressedImageData: TopicWire(
        RosCompressedImage, lambda image: compressed_image_data_to_ros(image, TYPES),
        compressed_image_data_from_ros),
    DiagnosticReport: TopicWire(RosDiagnosticArray,
                                lambda report: diagnostic_report_to_ros(report, TYPES),
                                diagnostic_report_from_ros),
    LogRecord: TopicWire(RosLog, lambda record: log_record_to_ros(record, TYPES),
                         log_record_from_ros),
}
SERVICES: dict[tuple[type, type], ServiceWire] = {
    (AskRequest, AskResponse): ServiceWire(RosAsk, ask_request_from_ros, ask_response_to_ros),
}
ACTIONS: dict[tuple[type, type, type], ActionWire] = {
    (InstructGoal, InstructFeedback, InstructResult): ActionWire(
        RosInstruct, instruct_goal_from_ros, instruct_feedback_to_ros, instruct_result_to_ros),
}


def register() -> None:
    """Make the planner's types known to the rclpy transport (call before creating endpoints)."""
    for topic, topic_wire in TOPICS.items():
        messages.TOPICS.setdefault(topic, topic_wire)
    for service, service_wire in SERVICES.items():
        messages.SERVICES.setdefault(service, service_wire)
    for action, action_wire in ACTIONS.items():
        messages.ACTIONS.setdefault(action, action_wire)
