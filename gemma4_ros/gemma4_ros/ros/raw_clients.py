"""Raw endpoints of the rclpy transport: any message, service or action type by name, from and
to field dicts, for the tool bindings and robot-state readers.

Nothing here blocks: goals and requests go out with ``*_async`` and report through done
callbacks (py_trees_ros's send/poll/cancel shape); a cancel asked before the server accepted
the goal is sent as soon as it does. :func:`field_problem` checks a binding's field paths
against the generated classes at configure time, so a typo in tools.yaml fails there.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from action_msgs.msg import GoalStatus
from rclpy.action import ActionClient
from rclpy.task import Future

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.nodes.transport import Fields, RemoteEnd, RemoteStatusName
from gemma4_ros.ros.interface_fields import (
    FieldsError, fill_message, interface_class, message_to_fields,
)

_REMOTE_STATUS: dict[int, RemoteStatusName] = {
    GoalStatus.STATUS_SUCCEEDED: "succeeded",
    GoalStatus.STATUS_ABORTED: "aborted",
    GoalStatus.STATUS_CANCELED: "canceled",
}


def fill(message: Any, fields: Fields, where: str) -> Any:
    """``message`` with ``fields`` set; a field the type lacks is a typed error naming both."""
    try:
        return fill_message(message, fields)
    except FieldsError as error:
        raise Gemma4RosError(f"{where}: {error}",
                             "check the tool's binding.fields against the message definition"
                             ) from None


def _outgoing_class(type_name: str) -> Any:
    """The class a raw endpoint sends for ``type_name``: a message, a request or a goal."""
    cls = interface_class(type_name)
    if "/action/" in type_name:
        return cls.Goal
    if "/srv/" in type_name:
        return cls.Request
    return cls


def field_problem(type_name: str, path: tuple[str, ...]) -> str:
    """Walk ``path`` through the generated classes' ``get_fields_and_field_types()``."""
    try:
        cls = _outgoing_class(type_name)
    except ValueError as error:
        return f"unknown interface type {type_name!r} ({error})"
    for depth, name in enumerate(path):
        fields: dict[str, str] = cls.get_fields_and_field_types()
        here = ".".join(path[:depth + 1])
        if name not in fields:
            return f"{type_name} has no field {here} (there: {', '.join(fields)})"
        field_type = fields[name]
        if depth == len(path) - 1:
            return ""
        if "/" not in field_type or "<" in field_type or "[" in field_type:
            return f"{here} is a {field_type}, which has no fields"
        package, _, message = field_type.partition("/")
        cls = interface_class(f"{package}/msg/{message}")
    return ""


class _RemoteGoal:
    """A goal in flight; a cancel asked before the server accepted it is sent on acceptance."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._handle: Any = None
        self._cancel = False

    def attach(self, handle: Any) -> None:
        with self._lock:
            self._handle, cancel = handle, self._cancel
        if cancel:
            handle.cancel_goal_async()

    def cancel(self) -> None:
        with self._lock:
            self._cancel, handle = True, self._handle
        if handle is not None:
            handle.cancel_goal_async()


class RawRosActionClient:
    """Sends goals of any action type from field dicts; never blocks (futures + callbacks)."""

    def __init__(self, client: ActionClient, action_type: Any, name: str) -> None:
        self._client = client
        self._type = action_type
        self._name = name

    def server_is_ready(self) -> bool:
        return bool(self._client.server_is_ready())

    def send_goal(self, goal: Fields, on_feedback: Callable[[Fields], None],
                  on_end: Callable[[RemoteEnd], None]) -> _RemoteGoal:
        message = fill(self._type.Goal(), goal, f"goal of action {self._name}")
        remote = _RemoteGoal()

        def finished(future: Future) -> None:
            try:
                response = future.result()
            except Exception as error:
                on_end(RemoteEnd("failed", error=f"no result: {error}"))
                return
            status = _REMOTE_STATUS.get(response.status, "failed")
            on_end(RemoteEnd(status, message_to_fields(response.result)))

        def answered(future: Future) -> None:
            try:
                handle = future.result()
            except Exception as error:
                on_end(RemoteEnd("failed", error=f"goal not sent: {error}"))
                return
            if handle is None or not handle.accepted:
                on_end(RemoteEnd("rejected", error="the server rejected the goal"))
                return
            remote.attach(handle)
            handle.get_result_async().add_done_callback(finished)

        sent = self._client.send_goal_async(
            message, feedback_callback=lambda fb: on_feedback(
                message_to_fields(fb.feedback)))
        sent.add_done_callback(answered)
        return remote


class _RemoteRequest:
    def __init__(self, client: Any, future: Future) -> None:
        self._client = client
        self._future = future

    def cancel(self) -> None:
        self._client.remove_pending_request(self._future)
        self._future.cancel()


class RawRosServiceClient:
    """Calls any service type from field dicts; never blocks (futures + callbacks)."""

    def __init__(self, client: Any, service_type: Any, name: str) -> None:
        self._client = client
        self._type = service_type
        self._name = name

    def service_is_ready(self) -> bool:
        return bool(self._client.service_is_ready())

    def call(self, request: Fields, on_end: Callable[[RemoteEnd], None]) -> _RemoteRequest:
        message = fill(self._type.Request(), request, f"request to service {self._name}")
        future = self._client.call_async(message)

        def done(settled: Future) -> None:
            if settled.cancelled():
                on_end(RemoteEnd("canceled", error="call canceled"))
                return
            try:
                response = settled.result()
            except Exception as error:
                on_end(RemoteEnd("failed", error=f"no response: {error}"))
                return
            on_end(RemoteEnd("succeeded", message_to_fields(response)))

        future.add_done_callback(done)
        return _RemoteRequest(self._client, future)
