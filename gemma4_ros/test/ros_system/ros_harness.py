"""What a system test drives: a launch file running in its own session, and an rclpy client node
in this process that publishes, subscribes, calls services and sends goals the way an operator's
tools (``ros2 topic pub``, ``ros2 service call``, an action client) would.

Every wait here has a deadline and returns or raises with what it waited for; no test sleeps to
let something happen.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, TypeVar

import rclpy
from gemma4_ros_msgs.msg import Plan, PlanStep, ToolCall
from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState, GetState
from rclpy.action import ActionClient
from rclpy.context import Context
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy

T = TypeVar("T")
NS = "/gemma4"
START_S = 60.0  # process start + model load on a busy 2-core machine
WAIT_S = 30.0
RESEND_S = 5.0  # a request unanswered this long was lost to discovery, not slow
LATCHED = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE,
                     durability=DurabilityPolicy.TRANSIENT_LOCAL)
TRANSITIONS = {
    "configure": Transition.TRANSITION_CONFIGURE, "activate": Transition.TRANSITION_ACTIVATE,
    "deactivate": Transition.TRANSITION_DEACTIVATE, "cleanup": Transition.TRANSITION_CLEANUP,
}


def wait_until(predicate: Callable[[], Any], timeout: float = WAIT_S,
               what: str | Callable[[], str] = "") -> Any:
    """The predicate's first truthy value; raises naming ``what`` (a callable: evaluated then,
    to show what was seen) after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            shown = what() if callable(what) else what
            raise AssertionError(f"timed out after {timeout:g} s waiting for {shown or predicate}")
        time.sleep(0.02)


class Spawned:
    """A process in a session of its own, output to a file, ended with its whole group."""

    def __init__(self, command: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        with open(log_path, "wb") as log:
            self.process = subprocess.Popen(command, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Ctrl-C, then end whatever is left of the process group."""
        if self.process.poll() is None:
            self._signal(signal.SIGINT)
            try:
                self.process.wait(15.0)
            except subprocess.TimeoutExpired:
                pass
        self._signal(signal.SIGKILL)
        self.process.wait(5.0)

    def _signal(self, number: int) -> None:
        try:
            os.killpg(self.process.pid, number)
        except ProcessLookupError:
            pass


class Launched(Spawned):
    """A launch file (``gemma4.launch.py`` by default) run by the package's launcher, like
    ``ros2 launch gemma4_ros FILE name:=value ...``."""

    def __init__(self, env: dict[str, str], log_path: Path, file: str = "gemma4.launch.py",
                 **arguments: object) -> None:
        super().__init__([sys.executable, "-m", "gemma4_ros.ros.launch_runner", file,
                          *(f"{name}:={value}" for name, value in arguments.items())],
                         env, log_path)

    def pid_of(self, executable: str) -> int:
        """The pid launch reported for a node process (``planner_node``, ``executor_node``)."""
        pattern = re.compile(rf"\[{executable}-\d+\]: process started with pid \[(\d+)\]")
        match = wait_until(lambda: pattern.search(self.log()), 20.0, f"{executable} to start")
        return int(match.group(1))

    def kill(self, executable: str) -> None:
        """``kill -9`` one node process: no shutdown, no goodbye on the wire."""
        os.kill(self.pid_of(executable), signal.SIGKILL)


class Nav2StandIn(Spawned):
    """``nav2_stand_in.py`` in ``mode``; :meth:`events` are what it was asked, in order."""

    def __init__(self, env: dict[str, str], log_path: Path, mode: str,
                 seconds: float = 1.0) -> None:
        script = Path(__file__).with_name("nav2_stand_in.py")
        super().__init__([sys.executable, str(script), "--mode", mode, "--seconds",
                          str(seconds)], env, log_path)
        wait_until(lambda: self.events("ready"), START_S, "the Nav2 stand-in to start")

    def events(self, kind: str) -> list[dict[str, Any]]:
        found = []
        for line in self.log().splitlines():
            if line.startswith("{"):
                event = json.loads(line)
                if event["event"] == kind:
                    found.append(event)
        return found


class Client:
    """An rclpy node of the test's own, spun on a background executor in its own context."""

    def __init__(self, name: str = "system_test") -> None:
        self.context = Context()
        rclpy.init(context=self.context)
        self.node: Node = rclpy.create_node(name, context=self.context)
        self.executor = MultiThreadedExecutor(context=self.context)
        self.executor.add_node(self.node)
        self._thread = threading.Thread(target=self.executor.spin, daemon=True)
        self._thread.start()
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._action_clients: dict[str, ActionClient] = {}

    def close(self) -> None:
        self.executor.shutdown()
        self.node.destroy_node()
        rclpy.try_shutdown(context=self.context)
        self._thread.join(5.0)

    # --- topics -----------------------------------------------------------------------------

    def collect(self, topic: str, msg_type: Any, qos: QoSProfile | int = 10) -> list[Any]:
        """Every message on ``topic`` from now on, in arrival order."""
        received: list[Any] = []

        def keep(message: Any) -> None:
            with self._lock:
                received.append(message)

        self.node.create_subscription(msg_type, topic, keep, qos)
        return received

    def publisher(self, topic: str, msg_type: Any, qos: QoSProfile | int = 10) -> Any:
        return self.node.create_publisher(msg_type, topic, qos)

    def publish_when_heard(self, topic: str, message: Any, qos: QoSProfile | int = 10,
                           subscribers: int = 1) -> Any:
        """Publish once ``subscribers`` nodes listen (discovery is not instant)."""
        publisher = self.publisher(topic, type(message), qos)
        wait_until(lambda: publisher.get_subscription_count() >= subscribers, WAIT_S,
                   f"a subscriber on {topic}")
        publisher.publish(message)
        return publisher

    # --- services and actions ----------------------------------------------------------------

    def call(self, service: str, srv_type: Any, request: Any, timeout: float = WAIT_S,
             resend: bool = True) -> Any:
        """The response to ``request``. Clients are kept per service: the first request of a
        new client can be lost (the server answers before it has discovered the client's reply
        reader), so with ``resend`` a request unanswered for RESEND_S goes out once more."""
        client = self._clients.get(service)
        if client is None:
            client = self._clients[service] = self.node.create_client(srv_type, service)
        if not client.wait_for_service(timeout_sec=timeout):
            raise AssertionError(f"service {service} did not appear in {timeout:g} s")
        future = client.call_async(request)
        if resend and not _settles(future, RESEND_S):
            client.remove_pending_request(future)
            future = client.call_async(request)
        wait_until(future.done, timeout, f"a response from {service}")
        return future.result()

    def send_goal(self, action: str, action_type: Any, goal: Any,
                  on_feedback: Callable[[Any], None] | None = None,
                  timeout: float = WAIT_S) -> tuple[Any, Any]:
        """(goal handle, result future) of an accepted goal; a goal request unanswered for
        RESEND_S goes out once more, for the reason :meth:`call` gives."""
        client = self._action_clients.get(action)
        if client is None:
            client = self._action_clients[action] = ActionClient(self.node, action_type, action)
        if not client.wait_for_server(timeout_sec=timeout):
            raise AssertionError(f"action server {action} did not appear in {timeout:g} s")
        callback = (lambda message: on_feedback(message.feedback)) if on_feedback else None
        sent = client.send_goal_async(goal, feedback_callback=callback)
        if not _settles(sent, RESEND_S):
            sent = client.send_goal_async(goal, feedback_callback=callback)
        handle = wait_until(lambda: sent.done() and sent.result(), timeout, f"{action} to answer")
        assert handle.accepted, f"{action} rejected the goal"
        return handle, handle.get_result_async()

    def run_goal(self, action: str, action_type: Any, goal: Any,
                 on_feedback: Callable[[Any], None] | None = None,
                 timeout: float = WAIT_S) -> Any:
        """The wrapped result (``.status``, ``.result``) of a goal run to its end."""
        _, result = self.send_goal(action, action_type, goal, on_feedback, timeout)
        wait_until(result.done, timeout, f"the result of {action}")
        return result.result()

    # --- lifecycle ----------------------------------------------------------------------------

    def state(self, node: str) -> str:
        return str(self.call(f"{node}/get_state", GetState, GetState.Request()).current_state.label)

    def transition(self, node: str, name: str) -> bool:
        """Whether the node took the transition (never resent: a second request would be a
        second transition)."""
        request = ChangeState.Request()
        request.transition.id = TRANSITIONS[name]
        return bool(self.call(f"{node}/change_state", ChangeState, request, 90.0,
                              resend=False).success)

    def wait_state(self, node: str, label: str, timeout: float = START_S) -> None:
        def reached() -> bool:
            try:
                return self.state(node) == label
            except AssertionError:
                return False

        wait_until(reached, timeout, f"{node} to be {label}")


def start_system(launch: Callable[..., Launched], client: Client,
                 **arguments: object) -> Launched:
    """The launch file with ``arguments``, waited for until both nodes are active and the
    executor has heard the planner's heartbeat (until then it refuses plans, and a plan it took
    in the moment before would be cancelled when the planner's silence is declared)."""
    launched = launch(**arguments)
    namespace = f"/{arguments['namespace']}" if "namespace" in arguments else NS
    client.wait_state(f"{namespace}/planner", "active")
    client.wait_state(f"{namespace}/executor", "active")
    wait_until(lambda: "planner heard" in launched.log(), START_S,
               "the executor to hear the planner's heartbeat")
    return launched


def plan_message(client: Client, *calls: tuple[str, dict[str, Any]],
                 plan_id: str = "test-plan") -> Plan:
    """A plan stamped now (the gate refuses stale ones), as a mission tool would send it: its
    calls were written down, not read from an operator's words, so the source says mission."""
    plan = Plan(plan_id=plan_id, instruction="mission written by the test",
                source=Plan.SOURCE_MISSION)
    plan.header.stamp = client.node.get_clock().now().to_msg()
    for index, (name, arguments) in enumerate(calls):
        plan.steps.append(_step(index, name, arguments, plan_id))
    return plan


def _step(index: int, name: str, arguments: dict[str, Any], plan_id: str) -> Any:
    call = ToolCall(id=f"{plan_id}-{index}", name=name, arguments_json=json.dumps(arguments))
    return PlanStep(index=index, call=call)


def _settles(future: Any, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not future.done():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def latest(messages: list[T], predicate: Callable[[T], bool]) -> T | None:
    return next((m for m in reversed(list(messages)) if predicate(m)), None)
