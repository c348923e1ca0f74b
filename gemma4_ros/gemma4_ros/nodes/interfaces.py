"""Core request, response, feedback and result types of the nodes' services and actions.

Each mirrors one ``gemma4_ros_msgs`` (or ``std_srvs``) interface field for field, as the types
in :mod:`gemma4_ros.types` mirror the messages, so the rclpy transport converts by renaming:

- ``ConfirmRequest`` / ``ConfirmResponse`` ⇄ ``gemma4_ros_msgs/srv/Confirm``
- ``ResetEStopRequest`` / ``ResetEStopResponse`` ⇄ ``std_srvs/srv/Trigger`` (see below)
- ``Plan`` / ``ExecutePlanFeedback`` / ``ExecutePlanResult`` ⇄ ``gemma4_ros_msgs/action/ExecutePlan``
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from gemma4_ros.types import ExecutorState, ToolResult


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ConfirmRequest(_Frozen):
    """An operator's answer to the step awaiting confirmation."""

    plan_id: str
    step_index: int = Field(ge=0)
    approve: bool
    operator_id: str


class ConfirmResponse(_Frozen):
    accepted: bool
    message: str


class ResetEStopRequest(_Frozen):
    """Release the e-stop latch. ``operator_id`` goes to the audit log.

    On ROS this is ``std_srvs/srv/Trigger``, which every tool can call but which carries no
    caller name, so the rclpy transport fills ``operator_id`` with the service's name; a
    dedicated srv with an operator field would name the person (see the executor node's docs).
    """

    operator_id: str


class ResetEStopResponse(_Frozen):
    success: bool
    message: str


class ExecutePlanFeedback(_Frozen):
    """Where an ExecutePlan goal stands: the step running or awaiting confirmation (-1 when
    none), the executor's state, and the last step that finished (None until one has)."""

    current_step: int = Field(ge=-1)
    state: ExecutorState
    last_result: ToolResult | None = None


class ExecutePlanResult(_Frozen):
    """One result per step that ran or was refused, in step order."""

    results: tuple[ToolResult, ...] = ()
    success: bool = False
    error: str = ""
