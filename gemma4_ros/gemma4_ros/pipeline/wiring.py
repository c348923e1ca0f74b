"""The whole robot in one process: planner and executor node logics on the in-process bus.

The same node logic the ROS nodes run, on the same topics and actions, with the simulated robot
behind the executor: a command goes to the planner's ``~/instruct`` action (partial text as
feedback), the plan is published on ``~/plan`` (relayed to the executor's ``plan`` topic, as the
launch file remaps it), the gate judges each step and the sim robot runs it. Camera frames and
audio chunks are published on the planner's sensor topics. Everything the nodes publish is turned
into :class:`Event` objects for a console (printing is not this module's job).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from gemma4_ros.bus import Bus, GoalStatus
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.nodes.bus_transport import BusTransport
from gemma4_ros.nodes.executor_config import ExecutorNodeConfig
from gemma4_ros.nodes.executor_node import ExecutorNodeLogic
from gemma4_ros.interfaces import (
    AskRequest,
    AskResponse,
    ConfirmRequest,
    ConfirmResponse,
    ImageData,
    InstructFeedback,
    InstructGoal,
    InstructResult,
    ResetEStopRequest,
    ResetEStopResponse,
)
from gemma4_ros.nodes.planner_config import PlannerNodeConfig
from gemma4_ros.nodes.planner_node import PlannerNodeLogic
from gemma4_ros.perception.frame import Frame, frame_to_raw
from gemma4_ros.perception.vad import VoiceDetector
from gemma4_ros.pipeline.operator import NO_OPERATOR, Operator, PendingConfirmation
from gemma4_ros.planning.planner import Planner
from gemma4_ros.recording import FlightRecorder
from gemma4_ros.types import (
    AudioChunk,
    Decision,
    ExecutorState,
    ExecutorStatus,
    Plan,
    PlanSource,
    ResultStatus,
    SafetyVerdict,
    ToolResult,
)

NS = "/gemma4"
INSTRUCT_TYPES = (InstructGoal, InstructFeedback, InstructResult)
ESTOP_SETTLE_S = 2.0
CLOSE_SETTLE_S = 2.0
STATUS_WAIT_S = 2.0
CONFIRM_WAIT_S = 10.0
AUDIO_BATCH = 50  # below the planner's audio queue depth


@dataclass(frozen=True)
class Event:
    """Something worth showing: ``kind`` is one of plan, partial, verdict, result, status,
    error, answer, confirmed (an operator's answer); ``value`` the core value (or text) it
    carries."""

    kind: str
    value: Any
    plan: Plan | None = None


class PlanningFailed(Gemma4RosError):
    """The planner made no plan for a command (the error says why)."""


@dataclass
class _Tracked:
    plan: Plan
    results: list[ToolResult] = field(default_factory=list)

    @property
    def done(self) -> bool:
        return len(self.results) >= len(self.plan.steps)


class Pipeline:
    """Planner + executor + sim robot on one bus; :meth:`close` when done (or use ``with``)."""

    def __init__(self, planner: Planner, emit: Callable[[Event], None],
                 executor_config: ExecutorNodeConfig | None = None,
                 planner_config: PlannerNodeConfig | None = None,
                 detector: VoiceDetector | None = None,
                 operator: Operator = NO_OPERATOR,
                 recorder: FlightRecorder | None = None) -> None:
        """``operator`` answers the confirmations asked while the pipeline waits for plans;
        ``recorder`` goes to the planner logic, which records the mission and closes it with
        the pipeline."""
        self.bus = Bus()
        self._emit = emit
        self._operator = operator
        self._lock = threading.Lock()
        self._plans: dict[str, _Tracked] = {}
        self._status = ExecutorStatus()
        self._reasons: dict[tuple[str, int], tuple[str, ...]] = {}
        self._answered: set[tuple[str, int]] = set()
        self._changed = threading.Condition(self._lock)
        try:
            self.executor = ExecutorNodeLogic(BusTransport(self.bus.node("executor", NS)),
                                              executor_config or ExecutorNodeConfig())
            self.planner = PlannerNodeLogic(BusTransport(self.bus.node("planner", NS)), planner,
                                            planner_config or PlannerNodeConfig(), None, detector,
                                            recorder)
        except BaseException:
            self.bus.shutdown()
            raise
        self._wire()

    def _wire(self) -> None:
        bus, console = self.bus, self.bus.node("console", NS)
        group = console.callback_group("console")
        relay = bus.publisher(f"{NS}/plan", Plan, latched=True, depth=1)
        bus.subscribe(f"{NS}/planner/plan", Plan, relay.publish, latched=True, depth=100)
        console.subscribe(f"{NS}/planner/plan", Plan, self._on_plan, latched=True, depth=100,
                          group=group)
        console.subscribe(f"{NS}/executor/verdicts", SafetyVerdict, self._on_verdict, depth=1000,
                          group=group)
        console.subscribe(f"{NS}/executor/results", ToolResult, self._on_result, depth=1000,
                          group=group)
        console.subscribe(f"{NS}/executor/status", ExecutorStatus, self._on_status,
                          latched=True, depth=100, group=group)
        self._instruct = console.action_client(f"{NS}/planner/instruct", INSTRUCT_TYPES)
        self._ask = console.client(f"{NS}/planner/ask", AskRequest, AskResponse)
        self._reset = console.client(f"{NS}/executor/reset_estop", ResetEStopRequest,
                                     ResetEStopResponse)
        self._confirm = console.client(f"{NS}/executor/confirm", ConfirmRequest, ConfirmResponse)
        self._estop = bus.publisher(f"{NS}/estop", bool)
        self._images = bus.publisher(f"{NS}/image", ImageData, depth=1)
        self._audio = bus.publisher(f"{NS}/audio", AudioChunk, depth=1000)
        self.executor.activate()
        self.planner.activate()

    # --- inputs --------------------------------------------------------------------------

    def instruct(self, text: str, source: PlanSource = PlanSource.TEXT,
                 timeout: float | None = None) -> Plan:
        """Plan ``text`` and hand the plan to the executor; raises PlanningFailed."""
        goal = InstructGoal(instruction=text, source=source, execute=True)
        handle = self._instruct.send_goal(
            goal, lambda feedback: self._emit(Event("partial", feedback.partial_text)))
        outcome = handle.result(timeout)
        result = outcome.result
        if outcome.status is not GoalStatus.SUCCEEDED or result is None or result.plan is None:
            error = result.error if result is not None else outcome.error
            self._emit(Event("error", f"no plan for {text!r}: {error}"))
            raise PlanningFailed(f"no plan for {text!r}: {error}",
                                 "rephrase the command, or check the model (gemma4-ros doctor)")
        plan = result.plan
        with self._lock:
            self._plans.setdefault(plan.plan_id, _Tracked(plan))
        if not plan.steps:  # not published (nothing to execute): show the model's answer here
            self._emit(Event("plan", plan, plan))
        return plan

    def run_command(self, text: str, timeout: float | None = None) -> list[ToolResult]:
        """Plan and run ``text`` to the end; every step's result, in order."""
        plan = self.instruct(text, timeout=timeout)
        results = self.wait_plan(plan, timeout)
        with self._changed:  # let the executor's closing status show before the caller goes on
            self._changed.wait_for(lambda: self._status.plan_id != plan.plan_id, STATUS_WAIT_S)
        return results

    def ask(self, question: str, want_plan: bool = False,
            timeout: float | None = None) -> AskResponse:
        response = self._ask.call_async(AskRequest(question=question, want_plan=want_plan)
                                         ).result(timeout)
        self._emit(Event("answer", response))
        return response

    def press_estop(self) -> None:
        """Latch the e-stop and return once every node has taken it (the executor stopped, the
        planner's queued requests voided), so a command typed next is judged after the stop —
        or after ESTOP_SETTLE_S when a camera or microphone keeps the bus busy."""
        self._estop.publish(True)
        self.bus.wait_idle(ESTOP_SETTLE_S)

    def reset_estop(self, operator: str = "terminal") -> str:
        return self._reset.call_async(ResetEStopRequest(operator_id=operator)).result(10.0).message

    def show(self, frame: Frame) -> None:
        """Publish one camera frame (the planner keeps the newest)."""
        raw = frame_to_raw(frame)
        self._images.publish(ImageData(raw.data, raw.height, raw.width, raw.encoding, raw.step,
                                       frame.stamp, frame.frame_id))

    def hear(self, chunks: Iterable[AudioChunk], timeout: float = 60.0) -> None:
        """Publish a recording's chunks as fast as the planner takes them: the audio topic is a
        sensor queue that drops the oldest when full, so every batch is let through first."""
        for index, chunk in enumerate(chunks, 1):
            self._audio.publish(chunk)
            if index % AUDIO_BATCH == 0:
                self.bus.wait_idle(timeout)

    def hear_chunk(self, chunk: AudioChunk) -> None:
        self._audio.publish(chunk)

    # --- completion ------------------------------------------------------------------------

    def wait_plan(self, plan: Plan, timeout: float | None = None) -> list[ToolResult]:
        """Block until every step of ``plan`` has a result (the executor gives every step one),
        answering confirmations on the way."""
        with self._changed:
            tracked = self._plans.setdefault(plan.plan_id, _Tracked(plan))
        if not self._wait_answering(lambda: tracked.done, timeout):
            raise Gemma4RosError(f"plan {plan.plan_id} did not finish within {timeout} s",
                                 "raise --timeout, or check the executor status line")
        with self._changed:
            return list(tracked.results)

    def pending_confirmation(self) -> PendingConfirmation | None:
        """The step the executor waits on an operator for, unless it was answered here."""
        with self._changed:
            return self._pending()

    def confirm(self, pending: PendingConfirmation, approve: bool, operator_id: str) -> str:
        """Answer ``pending`` on the executor's Confirm service; its reply, for the operator."""
        with self._changed:
            self._answered.add((pending.plan_id, pending.step_index))
        reply = self._confirm.call_async(ConfirmRequest(
            plan_id=pending.plan_id, step_index=pending.step_index, approve=approve,
            operator_id=operator_id)).result(CONFIRM_WAIT_S)
        return reply.message

    def _pending(self) -> PendingConfirmation | None:
        status = self._status
        key = (status.plan_id, status.current_step)
        if status.state is not ExecutorState.AWAITING_CONFIRMATION or key in self._answered:
            return None
        tracked = self._plans.get(status.plan_id)
        return PendingConfirmation(status.plan_id, status.current_step,
                                   tracked.plan if tracked else None, self._reasons.get(key, ()))

    def _wait_answering(self, finished: Callable[[], bool], timeout: float | None) -> bool:
        """Wait until ``finished``; each confirmation asked meanwhile goes to the operator
        (outside the lock: a person may take their time, events keep flowing)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            with self._changed:
                self._changed.wait_for(lambda: finished() or self._pending() is not None, left)
                if finished():
                    return True
                pending = self._pending()
                if pending is None:
                    return False  # timed out
            approve = self._operator.decide(pending)
            message = self.confirm(pending, approve, self._operator.operator_id)
            self._emit(Event("confirmed", f"{'approved' if approve else 'denied'} by "
                                          f"{self._operator.operator_id}: {message}"))

    def settle(self, timeout: float) -> list[_Tracked]:
        """Wait for queued audio, the planner and every plan seen to finish; what was seen."""
        if not self.bus.wait_idle(timeout):
            raise Gemma4RosError(f"inputs not processed within {timeout} s", "raise --timeout")
        listener = self.planner.listener
        if listener is not None:
            listener.stop(flush=True)  # the last utterance is planned too
        worker = self.planner.worker
        if not self.bus.spin_until(lambda: not worker.busy and worker.queued == 0, timeout):
            raise Gemma4RosError(f"the planner is still busy after {timeout} s", "raise --timeout")
        self.bus.wait_idle(timeout)
        if not self._wait_answering(lambda: all(t.done for t in self._plans.values()), timeout):
            raise Gemma4RosError(f"plans still running after {timeout} s", "raise --timeout")
        with self._changed:
            return list(self._plans.values())

    def close(self) -> None:
        """Deliver what is in flight (the last result reaches the record too), then stop."""
        self.bus.wait_idle(CLOSE_SETTLE_S)
        self.planner.close()
        self.executor.close()
        self.bus.shutdown()

    def __enter__(self) -> Pipeline:  # noqa: PYI034 - typing.Self needs Python 3.11
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- what the nodes publish ------------------------------------------------------------------

    def _on_plan(self, plan: Plan) -> None:
        with self._changed:
            self._plans.setdefault(plan.plan_id, _Tracked(plan))
            self._changed.notify_all()
        self._emit(Event("plan", plan, plan))

    def _on_status(self, status: ExecutorStatus) -> None:
        self._emit(Event("status", status))
        with self._changed:
            self._status = status
            self._changed.notify_all()

    def _on_verdict(self, verdict: SafetyVerdict) -> None:
        if verdict.decision is Decision.NEEDS_CONFIRMATION:
            with self._changed:
                self._reasons[(verdict.plan_id, verdict.step_index)] = verdict.reasons
        self._emit(Event("verdict", verdict, self._plan_of(verdict.plan_id)))

    def _on_result(self, result: ToolResult) -> None:
        with self._changed:
            tracked = self._plans.get(result.plan_id)
            if tracked is not None:
                tracked.results.append(result)
            self._changed.notify_all()
        self._emit(Event("result", result, tracked.plan if tracked else None))

    def _plan_of(self, plan_id: str) -> Plan | None:
        with self._lock:
            tracked = self._plans.get(plan_id)
            return tracked.plan if tracked else None


def all_succeeded(results: Iterable[ToolResult]) -> bool:
    return all(result.status is ResultStatus.SUCCEEDED for result in results)
