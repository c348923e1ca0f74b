"""The plan executor: the only path from an approved tool call to a binding that moves the robot.

One worker thread owns everything that runs a plan: it asks the gate about the whole plan before
anything moves, re-checks each step right before it starts, drives the step's binding, enforces
timeouts and retries, and emits one ToolResult per step. Callers (ROS callbacks, the CLI, tests)
only enqueue commands and wake the worker, so no caller's callback ever runs a step or waits on one.

The e-stop listener is the shortest path in the package: it sets an event and wakes the worker,
taking no lock that the model path or a binding could hold; the worker cancels the active binding
as the first thing it does on waking. After an e-stop the executor stays ESTOPPED until the latch
is reset, and even then nothing resumes by itself: the aborted plan is over, and plans stamped
before the e-stop are void.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from concurrent.futures import Future
from typing import TYPE_CHECKING, Any, Callable

from gemma4_ros.execution.admission import refusal
from gemma4_ros.execution.binding import (
    Binding, BindingPhase, BindingProgress, BindingRegistry, cancel_safely,
)
from gemma4_ros.execution.config import ExecutorConfig
from gemma4_ros.execution.state import (
    ConfirmationSlot, ConfirmReply, PendingConfirmation, PlanRun, step_result,
)
from gemma4_ros.types import (
    Decision, ExecutorState, ExecutorStatus, Plan, ResultStatus, SafetyVerdict, ToolResult,
)

if TYPE_CHECKING:
    from gemma4_ros.safety.audit import AuditLog
    from gemma4_ros.safety.estop import EStopLatch
    from gemma4_ros.safety.gate import SafetyGate
    from gemma4_ros.tools import ToolRegistry

log = logging.getLogger(__name__)
FEEDBACK_PERIOD_S = 0.5  # a running step's feedback in the status message, at most this often
FEEDBACK_CHARS = 200

_PHASE_STATUS = {
    BindingPhase.SUCCEEDED: ResultStatus.SUCCEEDED,
    BindingPhase.FAILED: ResultStatus.FAILED,
    BindingPhase.CANCELED: ResultStatus.CANCELED,
}


class PlanExecutor:
    """IDLE / EXECUTING / AWAITING_CONFIRMATION / ESTOPPED state machine on its own thread.

    ``clock`` times steps and confirmations (monotonic in real runs); ``stamp_clock`` stamps
    results and statuses (wall time, like plan stamps). Tests pass one FakeClock for both.
    """

    def __init__(
        self,
        gate: SafetyGate,
        registry: ToolRegistry,
        bindings: BindingRegistry,
        estop: EStopLatch,
        audit: AuditLog | None = None,
        clock: Callable[[], float] = time.monotonic,
        stamp_clock: Callable[[], float] = time.time,
        config: ExecutorConfig | None = None,
        on_status: Callable[[ExecutorStatus], None] | None = None,
        on_result: Callable[[ToolResult], None] | None = None,
        on_verdict: Callable[[SafetyVerdict], None] | None = None,
    ) -> None:
        self._gate, self._registry, self._bindings = gate, registry, bindings
        self._estop, self._audit = estop, audit
        self._clock, self._stamp_clock = clock, stamp_clock
        self._config = config or ExecutorConfig()
        self._on_status, self._on_result, self._on_verdict = on_status, on_result, on_verdict
        # Every tool gets its binding now, so a missing binding kind fails at start-up.
        self._tool_bindings: dict[str, Binding] = {
            spec.name: bindings.create(spec) for spec in registry.tools
        }
        self._commands: deque[tuple[str, Any, Any]] = deque()
        self._wake = threading.Event()
        self._estop_edge = threading.Event()
        self._closing = threading.Event()
        self._confirmation = ConfirmationSlot()
        self._cycles = 0
        self._cycle_done = threading.Condition()
        self._run: PlanRun | None = None
        self._status = ExecutorStatus(stamp=stamp_clock(), estop_latched=estop.latched)
        self._thread = threading.Thread(target=self._loop, name="plan-executor", daemon=True)
        estop.add_listener(self._on_estop)

    # --- caller side: cheap, non-blocking, any thread ----------------------------------------

    def start(self) -> PlanExecutor:
        self._thread.start()
        return self

    def close(self, timeout: float = 5.0) -> None:
        """Cancel what runs, stop the worker and wait for it."""
        self._closing.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def __enter__(self) -> PlanExecutor:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def status(self) -> ExecutorStatus:
        return self._status

    @property
    def estop_latched(self) -> bool:
        return self._estop.latched

    def submit(self, plan: Plan) -> Future[list[ToolResult]]:
        """Queue ``plan``; the future resolves to one ToolResult per step when the plan ends."""
        future: Future[list[ToolResult]] = Future()
        self._commands.append(("submit", plan, future))
        self._wake.set()
        return future

    def cancel(self, reason: str = "canceled by operator", plan_id: str | None = None) -> None:
        """Cancel the running plan (active step CANCELED, the rest not run); with ``plan_id``,
        only if that plan is the one running when the command is handled, so a late cancel of a
        finished or preempted plan never stops the plan that replaced it."""
        self._commands.append(("cancel", reason, plan_id))
        self._wake.set()

    def confirm(self, plan_id: str, step_index: int, approve: bool, operator: str) -> ConfirmReply:
        """Answer the step awaiting confirmation; ids that do not match are refused with a reason."""
        reply = self._confirmation.answer(plan_id, step_index, approve, operator)
        if reply.accepted:
            self._wake.set()
        self._record("confirmation", plan_id=plan_id, step_index=step_index, approve=approve,
                     operator=operator, accepted=reply.accepted, message=reply.message)
        return reply

    def sync(self, timeout: float = 5.0) -> None:
        """Block until the worker completed a whole cycle that began after this call.

        For tests and tools on a fake clock: advance the clock, then ``sync()`` to know the
        executor has seen that time. Raises TimeoutError if the worker does not cycle.
        """
        deadline = time.monotonic() + timeout
        with self._cycle_done:
            target = self._cycles + 2  # the cycle in flight may have started before this call
            while self._cycles < target:
                self._wake.set()
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    raise TimeoutError("the executor worker did not complete a cycle")
                self._cycle_done.wait(min(left, 0.05))

    def _on_estop(self, latched: bool) -> None:
        # Called synchronously inside EStopLatch.trigger/reset: flag, wake, return. No locks.
        if latched:
            self._estop_edge.set()
        self._wake.set()

    # --- worker side ---------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._closing.is_set():
            self._wake.wait(self._config.poll_interval_s)
            self._wake.clear()
            try:
                self._cycle()
            except Exception as error:  # fail safe: a bug must stop the plan, not the worker
                log.exception("executor cycle failed")
                self._recover(error)
            with self._cycle_done:
                self._cycles += 1
                self._cycle_done.notify_all()
        if self._abort(ResultStatus.CANCELED, "executor shut down"):
            self._publish(ExecutorState.IDLE, "executor shut down")

    def _recover(self, error: Exception) -> None:
        """End the plan after an unexpected error; never let the worker thread die of it."""
        try:
            if self._abort(ResultStatus.FAILED, f"executor internal error: {error!r}"):
                self._publish(ExecutorState.IDLE, f"plan aborted: internal error {error!r}")
        except Exception:
            log.exception("executor could not abort the plan cleanly; dropping it")
            self._run = None
            self._confirmation.close()

    def _cycle(self) -> None:
        self._check_estop()
        while self._commands:
            kind, payload, extra = self._commands.popleft()
            if kind == "submit":
                self._admit(payload, extra)
            elif extra is not None and (self._run is None or self._run.plan.plan_id != extra):
                continue  # that plan is not the one running: nothing to cancel
            elif self._abort(ResultStatus.CANCELED, payload):
                self._publish(ExecutorState.IDLE, f"plan canceled: {payload}")
        self._advance()

    def _check_estop(self) -> None:
        state = self._status.state
        if self._estop_edge.is_set() or (self._estop.latched and state is not ExecutorState.ESTOPPED):
            self._estop_edge.clear()
            run = self._run
            if run is not None and run.binding is not None:
                cancel_safely(run.binding)  # first, before any bookkeeping or audit I/O
                run.binding = None
            plan_id, index = (run.plan.plan_id, run.index) if run else ("", -1)
            self._abort(ResultStatus.CANCELED, "e-stop")
            self._publish(ExecutorState.ESTOPPED, "e-stop latched; reset it to accept plans")
            self._record("estop", action="executor_stopped", plan_id=plan_id, step_index=index)
        elif state is ExecutorState.ESTOPPED and not self._estop.latched:
            self._publish(ExecutorState.IDLE, "e-stop reset; nothing resumes by itself")

    def _admit(self, plan: Plan, future: Future[list[ToolResult]]) -> None:
        """Gate the whole plan; start it (maybe preempting) or reject every step of it."""
        self._check_estop()  # a trigger or reset since the cycle began decides this plan's fate
        try:
            verdicts = self._gate.check_plan(plan, self._bindings.robot_state())
        except Exception as error:  # the gate promises not to raise; if it does, nothing runs
            log.exception("gate failed on plan %s", plan.plan_id)
            verdicts, failure = [], f"gate failed: {error!r}"
        else:
            failure = ""
        for verdict in verdicts:
            self._emit(self._on_verdict, verdict)
        busy = self._run.plan if self._run is not None else None
        reason = failure or refusal(plan, verdicts, self._estop, busy, self._config.preemption)
        if reason:
            now = self._stamp_clock()
            results = [step_result(plan, s, ResultStatus.REJECTED, now, reason) for s in plan.steps]
            for result in results:
                self._emit(self._on_result, result)
            future.set_result(results)
            return
        if self._run is not None:
            self._abort(ResultStatus.CANCELED, f"preempted by plan {plan.plan_id!r}")
        self._run = PlanRun(plan, future)
        self._publish(ExecutorState.EXECUTING, f"plan {plan.plan_id!r} accepted")

    def _advance(self) -> None:
        """Move the running plan on as far as it can go without waiting."""
        while self._run is not None and not self._estop_edge.is_set():
            run = self._run
            if run.finished:
                self._finish(run)
            elif run.binding is not None:
                if not self._poll(run):
                    return
            elif self._confirmation.peek()[0] is not None:
                if not self._settle_confirmation(run):
                    return
            elif not self._begin_step(run):
                return

    def _begin_step(self, run: PlanRun) -> bool:
        """Re-check the step against the robot now and start it; False if it must wait."""
        step = run.step
        verdict = self._gate.check_step(run.plan, run.index, self._bindings.robot_state(),
                                        confirmed=run.confirmed)
        self._emit(self._on_verdict, verdict)
        if verdict.decision is Decision.NEEDS_CONFIRMATION and not run.confirmed:
            deadline = self._clock() + self._gate.confirmation_timeout_s
            self._confirmation.open(PendingConfirmation(
                run.plan.plan_id, run.index, step.call.name, deadline))
            self._publish(ExecutorState.AWAITING_CONFIRMATION,
                          f"step {run.index} ({step.call.name}) needs operator confirmation: "
                          + "; ".join(verdict.reasons))
            return False
        if verdict.decision is not Decision.APPROVED:
            self._end_step(run, ResultStatus.REJECTED, None,
                           "rejected at re-check: " + "; ".join(verdict.reasons))
            return True
        if self._estop.latched:
            return False  # triggered since this cycle began: the next cycle handles it
        self._gate.record_started(step.call)
        self._record("step_started", plan_id=run.plan.plan_id, step_index=run.index,
                     tool=step.call.name, call_id=step.call.id, arguments=step.call.arguments,
                     attempt=run.attempt)
        run.started = True
        binding = self._tool_bindings[step.call.name]
        spec = self._registry.get(step.call.name)
        run.binding, run.deadline = binding, self._clock() + spec.timeout_s
        self._publish(ExecutorState.EXECUTING, f"step {run.index} ({step.call.name}) started")
        try:
            binding.start(step.call)
        except Exception as error:
            log.exception("binding %s failed to start", step.call.name)
            self._end_step(run, ResultStatus.FAILED, None, f"binding failed to start: {error!r}")
        return True

    def _poll(self, run: PlanRun) -> bool:
        """Poll the active binding; True if the step ended (the plan can move on)."""
        binding = run.binding
        assert binding is not None
        try:
            progress = binding.poll()
        except Exception as error:
            log.exception("binding %s failed to poll", run.step.call.name)
            progress = BindingProgress.failed(f"binding failed: {error!r}")
        if progress.finished:
            self._end_step(run, _PHASE_STATUS[progress.phase], progress.result, progress.error)
            return True
        self._report_feedback(run, progress.feedback)
        if self._clock() >= run.deadline:
            cancel_safely(binding)
            timeout = self._registry.get(run.step.call.name).timeout_s
            self._end_step(run, ResultStatus.TIMED_OUT, None, f"no result within {timeout:g} s")
            return True
        return False

    def _report_feedback(self, run: PlanRun, feedback: dict[str, Any]) -> None:
        """A running step's new feedback (Nav2's distance remaining, say) goes out in the status
        message, at most every FEEDBACK_PERIOD_S, so operators see progress, not silence."""
        now = self._clock()
        if not feedback or feedback == run.feedback or (
                now - run.feedback_reported_at < FEEDBACK_PERIOD_S):
            return
        run.feedback, run.feedback_reported_at = feedback, now
        # Plain values first: Nav2's distance_remaining matters more than the pose beside it.
        ordered = sorted(feedback.items(), key=lambda item: isinstance(item[1], (dict, list)))
        shown = json.dumps(dict(ordered), separators=(",", ":"), default=str)
        if len(shown) > FEEDBACK_CHARS:
            shown = shown[:FEEDBACK_CHARS] + "…"
        self._publish(ExecutorState.EXECUTING,
                      f"step {run.index} ({run.step.call.name}) running: {shown}")

    def _settle_confirmation(self, run: PlanRun) -> bool:
        """Act on the operator's answer or the timeout; False while still waiting."""
        pending, answer = self._confirmation.peek()
        assert pending is not None
        if answer is None and self._clock() < pending.deadline:
            return False
        self._confirmation.close()
        if answer is None:
            error = f"no operator confirmation within {self._gate.confirmation_timeout_s:g} s"
            self._record("confirmation", plan_id=pending.plan_id, step_index=pending.step_index,
                         outcome="timed_out")
        elif not answer.approve:
            error = f"operator {answer.operator!r} denied the step"
        else:
            run.confirmed = True
            self._publish(ExecutorState.EXECUTING, f"step {run.index} confirmed by {answer.operator}")
            return True
        self._end_step(run, ResultStatus.REJECTED, None, error)
        return True

    def _end_step(self, run: PlanRun, status: ResultStatus, result: dict[str, Any] | None,
                  error: str) -> None:
        """Record how the step ended; retry, move on, or end the plan."""
        step = run.step
        run.binding = None
        retryable = status in (ResultStatus.FAILED, ResultStatus.TIMED_OUT)
        spec = self._registry.find(step.call.name)
        self._record_step_result(run, status, error)
        if retryable and spec is not None and spec.idempotent and run.attempt < self._config.max_retries:
            run.attempt += 1
            log.warning("retrying step %d (%s) after %s: %s", run.index, step.call.name,
                        status.value, error)
            return
        self._add_result(run, step_result(run.plan, step, status, self._stamp_clock(), error, result))
        if status is ResultStatus.SUCCEEDED:
            run.next_step()
        else:
            self._cancel_rest(run, f"not run: step {run.index} ({step.call.name}) ended "
                                   f"{status.value}")

    def _abort(self, status: ResultStatus, reason: str) -> bool:
        """End the running plan now: cancel the active binding, close any confirmation.
        Returns whether a plan was running; the caller publishes the state that follows."""
        run = self._run
        if run is None:
            return False
        if run.binding is not None:
            cancel_safely(run.binding)
            run.binding = None
        self._confirmation.close()
        if run.started:  # the audit log shows how every started step ended: here, stopped
            self._record_step_result(run, status, reason)
        if not run.finished:
            self._add_result(run, step_result(run.plan, run.step, status, self._stamp_clock(),
                                              reason))
            self._cancel_rest(run, f"not run: {reason}")
        self._close_run(run)
        return True

    def _cancel_rest(self, run: PlanRun, reason: str) -> None:
        now = self._stamp_clock()
        for step in run.plan.steps[len(run.results):]:
            self._add_result(run, step_result(run.plan, step, ResultStatus.CANCELED, now, reason))
        run.index = len(run.plan.steps)

    def _finish(self, run: PlanRun) -> None:
        """The plan ran to its end (successfully or not): back to IDLE."""
        self._close_run(run)
        done = all(r.status is ResultStatus.SUCCEEDED for r in run.results)
        self._publish(ExecutorState.IDLE,
                      f"plan {run.plan.plan_id!r} {'done' if done else 'ended early'}")

    def _close_run(self, run: PlanRun) -> None:
        self._run = None
        run.future.set_result(list(run.results))

    def _add_result(self, run: PlanRun, result: ToolResult) -> None:
        run.results.append(result)
        self._emit(self._on_result, result)

    def _publish(self, state: ExecutorState, message: str) -> None:
        run = self._run
        self._status = ExecutorStatus(
            stamp=self._stamp_clock(), state=state, plan_id=run.plan.plan_id if run else "",
            current_step=run.index if run and not run.finished else -1,
            total_steps=len(run.plan.steps) if run else 0,
            estop_latched=self._estop.latched, message=message,
        )
        self._emit(self._on_status, self._status)

    @staticmethod
    def _emit(callback: Callable[[Any], None] | None, value: Any) -> None:
        if callback is None:
            return
        try:
            callback(value)
        except Exception:  # a subscriber's bug must not stop the robot's executor
            log.exception("executor callback failed")

    def _record_step_result(self, run: PlanRun, status: ResultStatus, error: str) -> None:
        step = run.step
        run.started = False
        self._record("step_result", plan_id=run.plan.plan_id, step_index=run.index,
                     tool=step.call.name, call_id=step.call.id, status=status.value, error=error,
                     attempt=run.attempt)

    def _record(self, kind: str, **fields: Any) -> None:
        if self._audit is not None:
            self._audit.record(kind, **fields)

