"""Bindings of kinds ``ros_action``, ``ros_service`` and ``ros_topic``, against the transport.

Each maps a call's arguments to message fields with the tool's :class:`FieldMap`, sends through
a raw endpoint of the node's :class:`Transport`, and never waits: ``start`` sends, the transport's
callbacks record what came back, ``poll`` reads it, ``cancel`` asks the server to stop (the
executor enforces the tool's ``timeout_s`` and cancels on time-out, e-stop and preemption). So
the same code drives Nav2 under rclpy and a fake server on the in-process bus in tests.

- ``ros_action``: ``binding.target`` is the action name, ``binding.type`` its type
  (``nav2_msgs/action/NavigateToPose``, or any action by name); feedback becomes the step's
  progress, the result its result; an aborted or rejected goal is FAILED.
- ``ros_service``: the request is sent once; a response whose ``success`` field is false is
  FAILED with its ``message`` (``std_srvs/Trigger``, ``SetBool`` and most robot services say
  so that way); other responses are SUCCEEDED with their fields as the result.
- ``ros_topic``: the message is published and the step SUCCEEDED at once.

A server that is not up fails the step at once with the name to check, instead of waiting.
"""

from __future__ import annotations

import math
import threading
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, Callable

from gemma4_ros.execution.binding import BindingPhase, BindingProgress, BindingRegistry
from gemma4_ros.nodes.field_map import FieldMap, FieldMapError
from gemma4_ros.nodes.transport import Fields, RemoteCall, RemoteEnd, Transport
from gemma4_ros.types import RobotState, ToolCall

if TYPE_CHECKING:
    from gemma4_ros.tools import ToolRegistry, ToolSpec

ROS_KINDS = ("ros_action", "ros_service", "ros_topic")


def json_safe(value: Any) -> Any:
    """Message fields as JSON values: results must survive ``ToolResult``'s JSON check, and a
    NaN in a server's feedback must not turn a finished step into an error."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    return str(value)


def _succeeded(result: dict[str, Any]) -> BindingProgress:
    # Not BindingProgress.succeeded(**result): a server's field may be called anything.
    return BindingProgress(phase=BindingPhase.SUCCEEDED, result=result)


def check_paths(spec: ToolSpec, fields: FieldMap, transport: Transport) -> None:
    """Fail at start-up, not at the first call, when the mapping names a field the message
    type does not have (the rclpy transport knows the types; the bus accepts any)."""
    for path in fields.paths:
        problem = transport.field_problem(spec.binding.type, path)
        if problem:
            raise FieldMapError(f"tool {spec.name!r}, binding field {'.'.join(path)!r}: "
                                f"{problem}", "correct the path in the tool's binding.fields")


class RemoteBinding(ABC):
    """Shared state machine: one call at a time, progress set by transport callbacks.

    Callbacks of an earlier call (a late result after a cancel) carry that call's token and are
    ignored, so they can never overwrite the progress of the call that runs now.
    """

    def __init__(self, spec: ToolSpec, fields: FieldMap,
                 robot_state: Callable[[], RobotState]) -> None:
        self.spec = spec
        self._fields = fields
        self._robot_state = robot_state
        self._lock = threading.Lock()
        self._token = 0
        self._progress: BindingProgress | None = None
        self._remote: RemoteCall | None = None

    @property
    def where(self) -> str:
        return f"{self.spec.binding.target!r} ({self.spec.binding.type})"

    def start(self, call: ToolCall) -> None:
        with self._lock:
            self._token += 1
            token = self._token
            self._progress, self._remote = BindingProgress.running(), None
        try:
            message = self._fields.apply(call.id, call.arguments)
        except FieldMapError as error:
            self._settle(token, BindingProgress.failed(str(error)))
            return
        remote = self._send(message, token)
        with self._lock:
            if token == self._token:
                self._remote = remote

    def poll(self) -> BindingProgress:
        with self._lock:
            progress = self._progress
        if progress is None:
            return BindingProgress.failed("poll() before start(): nothing is running")
        return progress

    def cancel(self) -> None:
        with self._lock:
            running = self._progress is not None and not self._progress.finished
            remote = self._remote
            if running:
                self._progress = BindingProgress.canceled()
                self._token += 1  # whatever the server answers now belongs to no call
        if running and remote is not None:
            remote.cancel()

    def robot_state(self) -> RobotState:
        return self._robot_state()

    def _settle(self, token: int, progress: BindingProgress) -> None:
        """Record ``progress`` if ``token`` is still the running call's and it is not final."""
        with self._lock:
            current = self._progress
            if token == self._token and current is not None and not current.finished:
                self._progress = progress

    def _on_end(self, token: int, end: RemoteEnd) -> None:
        self._settle(token, self._progress_for(end))

    @abstractmethod
    def _send(self, message: Fields, token: int) -> RemoteCall | None:
        """Send the message; report through :meth:`_settle`; never wait."""

    @abstractmethod
    def _progress_for(self, end: RemoteEnd) -> BindingProgress:
        """The final progress for the server's answer."""


class RosActionBinding(RemoteBinding):
    def __init__(self, spec: ToolSpec, fields: FieldMap, robot_state: Callable[[], RobotState],
                 transport: Transport) -> None:
        super().__init__(spec, fields, robot_state)
        self._client = transport.raw_action_client(spec.binding.target, spec.binding.type)

    def _send(self, message: Fields, token: int) -> RemoteCall | None:
        if not self._client.server_is_ready():
            self._settle(token, BindingProgress.failed(
                f"action server {self.where} is not available; start it, or check the name "
                "and namespace in the tool's binding.target"))
            return None
        return self._client.send_goal(
            message,
            lambda feedback: self._settle(token, BindingProgress(
                phase=BindingPhase.RUNNING, feedback=json_safe(feedback))),
            lambda end: self._on_end(token, end),
        )

    def _progress_for(self, end: RemoteEnd) -> BindingProgress:
        result = json_safe(end.result or {})
        if end.status == "succeeded":
            return _succeeded(result)
        if end.status == "canceled":
            return BindingProgress.canceled(f"action {self.where} canceled the goal")
        # Nav2's results say why in error_msg (with error_code); other actions in their fields.
        reason = result.get("error_msg") or result.get("message")
        detail = end.error or reason or (f"result: {result}" if result else "no detail")
        return BindingProgress.failed(f"action {self.where} goal {end.status}: {detail}")


class RosServiceBinding(RemoteBinding):
    def __init__(self, spec: ToolSpec, fields: FieldMap, robot_state: Callable[[], RobotState],
                 transport: Transport) -> None:
        super().__init__(spec, fields, robot_state)
        self._client = transport.raw_service_client(spec.binding.target, spec.binding.type)

    def _send(self, message: Fields, token: int) -> RemoteCall | None:
        if not self._client.service_is_ready():
            self._settle(token, BindingProgress.failed(
                f"service {self.where} is not available; start its server, or check the name "
                "and namespace in the tool's binding.target"))
            return None
        return self._client.call(message, lambda end: self._on_end(token, end))

    def _progress_for(self, end: RemoteEnd) -> BindingProgress:
        response = json_safe(end.result or {})
        if end.status == "succeeded" and response.get("success", True) is not False:
            return _succeeded(response)
        if end.status == "canceled":
            return BindingProgress.canceled(f"call to service {self.where} canceled")
        detail = response.get("message") or end.error or "the server reported success: false"
        return BindingProgress.failed(f"service {self.where} failed: {detail}")


class RosTopicBinding(RemoteBinding):
    def __init__(self, spec: ToolSpec, fields: FieldMap, robot_state: Callable[[], RobotState],
                 transport: Transport) -> None:
        super().__init__(spec, fields, robot_state)
        self._publisher = transport.raw_publisher(spec.binding.target, spec.binding.type)

    def _send(self, message: Fields, token: int) -> RemoteCall | None:
        self._publisher.publish(message)
        self._settle(token, _succeeded({"published": json_safe(message)}))
        return None

    def _progress_for(self, end: RemoteEnd) -> BindingProgress:
        raise AssertionError("a topic binding has no remote end")


_CLASSES: dict[str, type[RosActionBinding] | type[RosServiceBinding] | type[RosTopicBinding]] = {
    "ros_action": RosActionBinding,
    "ros_service": RosServiceBinding,
    "ros_topic": RosTopicBinding,
}


def register_ros_bindings(bindings: BindingRegistry, transport: Transport,
                          tools: ToolRegistry) -> None:
    """Register the ``ros_*`` kinds on ``bindings``; their robot state is the registry's."""
    for kind, cls in _CLASSES.items():
        def create(spec: ToolSpec, cls: Any = cls) -> RemoteBinding:
            fields = FieldMap.for_tool(spec, tools.places, tools.frame)
            check_paths(spec, fields, transport)
            binding: RemoteBinding = cls(spec, fields, bindings.robot_state, transport)
            return binding

        bindings.register(kind, create)
