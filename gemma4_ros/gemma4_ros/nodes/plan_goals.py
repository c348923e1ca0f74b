"""Plans in flight for the executor node: at-most-once submission and ExecutePlan goals.

A plan id runs at most once: a plan that arrives again (a latched topic replayed to a restarted
subscriber, the same plan by topic and by ExecutePlan) attaches to the first submission's future
instead of moving the robot twice. An ExecutePlan goal waits on that future on its own thread,
forwarding the executor's status and results for its plan as feedback (the last one saying where
the plan left the executor) and turning a cancel request into a cancel of exactly that plan.
"""

from __future__ import annotations

import queue
import threading
from collections import OrderedDict
from concurrent.futures import Future

from gemma4_ros.execution.executor import PlanExecutor
from gemma4_ros.interfaces import ExecutePlanFeedback, ExecutePlanResult
from gemma4_ros.nodes.transport import GoalContext, GoalEnd
from gemma4_ros.types import ExecutorState, ExecutorStatus, Plan, ResultStatus, ToolResult

REMEMBERED_PLANS = 256
CANCEL_CHECK_S = 0.05


class _Watch:
    """One goal's view of the executor's callbacks: feedback for its plan, in order."""

    def __init__(self, plan_id: str) -> None:
        self.plan_id = plan_id
        self.feedback: queue.Queue[ExecutePlanFeedback] = queue.Queue()
        self.last_result: ToolResult | None = None


class PlanGoals:
    """Submits plans once each and serves ExecutePlan goals on top of one executor."""

    def __init__(self, executor: PlanExecutor) -> None:
        self._executor = executor
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._submitted: OrderedDict[str, Future[list[ToolResult]]] = OrderedDict()
        self._watches: list[_Watch] = []

    def submit(self, plan: Plan) -> tuple[Future[list[ToolResult]], bool]:
        """The future of ``plan``'s results, and whether this call submitted it (False: the
        plan id was submitted before and this attaches to that run)."""
        with self._lock:
            known = self._submitted.get(plan.plan_id)
            if known is not None:
                return known, False
            future = self._executor.submit(plan)
            self._submitted[plan.plan_id] = future
            while len(self._submitted) > REMEMBERED_PLANS:
                self._submitted.popitem(last=False)
            return future, True

    # --- executor callbacks (worker thread): fan out to goals ---------------------------------

    def on_status(self, status: ExecutorStatus) -> None:
        for watch in self._current_watches():
            if status.plan_id == watch.plan_id:
                watch.feedback.put(ExecutePlanFeedback(
                    current_step=status.current_step, state=status.state,
                    last_result=watch.last_result))

    def on_result(self, result: ToolResult) -> None:
        state = self._executor.status.state
        for watch in self._current_watches():
            if result.plan_id == watch.plan_id:
                watch.last_result = result
                watch.feedback.put(ExecutePlanFeedback(
                    current_step=-1, state=state, last_result=result))

    def drain(self, timeout: float) -> bool:
        """Wait until no goal is being served (after a cancel, so their plans end); False if
        some still are after ``timeout`` seconds."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._watches, timeout)

    def _current_watches(self) -> list[_Watch]:
        with self._lock:
            return list(self._watches)

    # --- ExecutePlan goals ---------------------------------------------------------------------

    def execute(self, goal: GoalContext[Plan, ExecutePlanFeedback]) -> GoalEnd[ExecutePlanResult]:
        """Run (or attach to) the goal's plan; feedback until it ends; honour cancel."""
        plan = goal.goal
        watch = _Watch(plan.plan_id)
        with self._lock:
            self._watches.append(watch)
        try:
            future, _ = self.submit(plan)
            canceled = self._follow(goal, future, watch)
            results = future.result()
            goal.publish_feedback(self._final_feedback(results))
        finally:
            with self._lock:
                self._watches.remove(watch)
                self._idle.notify_all()
        return _goal_end(results, canceled)

    def _final_feedback(self, results: list[ToolResult]) -> ExecutePlanFeedback:
        """Where the plan left the executor, matching the goal's result: no step running, the
        last result, and ESTOPPED when a stop is latched, else IDLE (the executor's own status
        may already describe a plan that preempted this one)."""
        state = ExecutorState.ESTOPPED if self._executor.estop_latched else ExecutorState.IDLE
        return ExecutePlanFeedback(current_step=-1, state=state,
                                   last_result=results[-1] if results else None)

    def _follow(self, goal: GoalContext[Plan, ExecutePlanFeedback],
                future: Future[list[ToolResult]], watch: _Watch) -> bool:
        """Forward feedback until the plan ends; True if the goal asked to cancel."""
        canceled = False
        while not (future.done() and watch.feedback.empty()):
            if goal.is_cancel_requested and not canceled:
                self._executor.cancel("ExecutePlan goal canceled", plan_id=watch.plan_id)
                canceled = True
            try:
                goal.publish_feedback(watch.feedback.get(timeout=CANCEL_CHECK_S))
            except queue.Empty:
                continue
        return canceled


def _goal_end(results: list[ToolResult], canceled: bool) -> GoalEnd[ExecutePlanResult]:
    failed = next((r for r in results if r.status is not ResultStatus.SUCCEEDED), None)
    result = ExecutePlanResult(
        results=tuple(results), success=failed is None,
        error="" if failed is None else failed.error or f"step ended {failed.status.value}")
    if failed is None:
        return GoalEnd("succeeded", result)
    return GoalEnd("canceled" if canceled else "aborted", result)
