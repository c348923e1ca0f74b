"""Action clients: ``send_goal`` returns at once with a handle to poll, wait on or cancel.

Nothing here blocks unless asked to (``result(timeout)``): callers chain work on
``result_future.add_done_callback`` and feedback callbacks, which run on the client's group, the
pattern py_trees_ros's action clients follow (send, poll, cancel on preemption).
"""

from __future__ import annotations

from typing import Callable, Generic, TypeVar

from gemma4_ros.bus.action_server import ActionServer, ServerGoalHandle
from gemma4_ros.bus.action_types import ActionOutcome, GoalStatus
from gemma4_ros.bus.checks import check_agreement, check_instance, check_types
from gemma4_ros.bus.core import BusCore
from gemma4_ros.bus.dispatch import CallbackGroup
from gemma4_ros.bus.future import BusFuture

G = TypeVar("G")
F = TypeVar("F")
R = TypeVar("R")


class ClientGoalHandle(Generic[G, F, R]):
    """The client's view of one goal: status, outcome, cancel."""

    def __init__(self, client: ActionClient[G, F, R], server: ActionServer[G, F, R],
                 goal: ServerGoalHandle[G, F, R]) -> None:
        self._client = client
        self._server = server
        self._goal = goal

    @property
    def goal_id(self) -> str:
        return self._goal.goal_id

    @property
    def goal(self) -> G:
        return self._goal.goal

    @property
    def status(self) -> GoalStatus:
        return self._goal.status

    @property
    def accepted(self) -> bool | None:
        """None until the server has answered, then whether it accepted the goal."""
        status = self._goal.status
        return None if status is GoalStatus.PENDING else status is not GoalStatus.REJECTED

    @property
    def result_future(self) -> BusFuture[ActionOutcome[R]]:
        """Completes with the :class:`ActionOutcome`; fails only if the bus shuts down first."""
        return self._goal.outcome

    def done(self) -> bool:
        return self._goal.outcome.done()

    def result(self, timeout: float | None = None) -> ActionOutcome[R]:
        """Block up to ``timeout`` s for the outcome (``TimeoutError`` if it does not come)."""
        return self._goal.outcome.result(timeout)

    def cancel(self) -> BusFuture[bool]:
        """Ask the server to cancel; the future says whether it agreed (the goal then ends
        CANCELED once its execute function confirms, or SUCCEEDED/ABORTED if it finishes first)."""
        future: BusFuture[bool] = self._client.core.future(
            self._client.group, f"cancel of goal {self.goal_id} of action {self._client.name!r}"
        )
        self._server.group.submit(lambda: self._server.receive_cancel(self._goal, future))
        return future


class ActionClient(Generic[G, F, R]):
    """Sends goals to one action name; may be created before the server exists, as in ROS."""

    def __init__(self, core: BusCore, name: str, types: tuple[type[G], type[F], type[R]],
                 group: CallbackGroup) -> None:
        check_types(f"client of action {name!r}", *types)
        self.name = name
        self.types = types
        self.group = group
        self.core = core

    def server_is_ready(self) -> bool:
        return self.name in self.core.action_servers

    def wait_for_server(self, timeout: float) -> bool:
        """Wait until a server offers this name; False on timeout."""
        return self.core.dispatcher.spin_until(self.server_is_ready, timeout)

    def send_goal(
        self, goal: G, feedback_callback: Callable[[F], object] | None = None
    ) -> ClientGoalHandle[G, F, R]:
        """Send ``goal`` without waiting; ``feedback_callback`` runs on this client's group."""
        check_instance(goal, self.types[0], f"goal of action {self.name!r}")
        server: ActionServer[G, F, R] = self.core.lookup(
            self.core.action_servers, "action", self.name
        )
        check_agreement(f"action {self.name!r}", ("goal", "feedback", "result"), self.types,
                        (server.goal_type, server.feedback_type, server.result_type))
        outcome: BusFuture[ActionOutcome[R]] = self.core.future(
            self.group, f"goal of action {self.name!r}"
        )
        handle = ServerGoalHandle(server, goal, outcome, feedback_callback)
        server.group.submit(lambda: server.receive_goal(handle))
        return ClientGoalHandle(self, server, handle)
