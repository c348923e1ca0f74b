"""How ``gemma4-ros run`` shows what happens: readable lines, JSON events, or a live status line.

Plain lines (stdout not a terminal, e.g. a log file): one line per plan step, verdict, result and
executor state change, with the robot's pose after each step. A terminal additionally gets a
status line at the bottom — executor state, pose and the model's partial text — redrawn as
things change and a few times a second while the robot moves. ``--json`` prints one JSON object
per event (``{"event": "result", ...}``) for scripts. Events arrive on bus threads; a lock keeps
lines whole.
"""

from __future__ import annotations

import json
import math
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, TextIO

from gemma4_ros.interfaces import AskResponse
from gemma4_ros.pipeline.wiring import Event
from gemma4_ros.types import (
    Decision,
    ExecutorStatus,
    Plan,
    PlanStep,
    Pose2D,
    SafetyVerdict,
    ToolResult,
)

REFRESH_S = 0.2
PARTIAL_CHARS = 60
PARTIAL_SHOWN_S = 1.0  # the model's text stays on the status line this long after it stops


@dataclass(frozen=True)
class Done:
    """The end of one command (or recording): whether every step succeeded, and a summary."""

    success: bool
    text: str


def pose_text(pose: Pose2D | None) -> str:
    if pose is None:
        return "pose unknown"
    return f"pose x={pose.x:.2f} y={pose.y:.2f} yaw={math.degrees(pose.yaw):.0f}°"


def step_line(step: PlanStep) -> str:
    """``  2. move {"distance": 1.0}  (confidence 0.87)``: the call and how sure the model was of
    it (rounded down, so a value under the gate's threshold never reads as the threshold; left
    out when no model measured it, as for a mission)."""
    arguments = json.dumps(step.call.arguments, ensure_ascii=False, sort_keys=True)
    line = f"  {step.index + 1}. {step.call.name} {arguments}"
    if step.confidence is None:
        return line
    return line + f"  (confidence {math.floor(step.confidence * 100) / 100:.2f})"


def plan_lines(plan: Plan) -> list[str]:
    head = f"plan {plan.plan_id} ({plan.source.value}) for {plan.instruction!r}"
    lines = [head + ("" if plan.steps else ": no tool calls")]
    for step in plan.steps:
        lines.append(step_line(step))
        if step.rationale:  # why the call is there (a procedure's step: where it is written)
            lines.append(f"     why: {step.rationale}")
    if plan.summary:
        lines.append(f"  model says: {plan.summary}")
    return lines


class Console:
    """An event sink (pass it as the pipeline's ``emit``); :meth:`close` clears the status line."""

    def __init__(self, out: TextIO, *, json_mode: bool = False, live: bool = False,
                 pose: Callable[[], Pose2D | None] = lambda: None) -> None:
        self._out = out
        self._json = json_mode
        self._live = live and not json_mode
        self._pose = pose
        self._lock = threading.Lock()
        self._status: ExecutorStatus | None = None
        self._partial, self._partial_at = "", 0.0
        self._verdicts: dict[tuple[str, int], Decision] = {}
        self._stop = threading.Event()
        if self._live:
            threading.Thread(target=self._tick, name="console-status", daemon=True).start()

    def __call__(self, event: Event) -> None:
        if self._json:  # partial text is one event per token: the plan event carries the text
            if event.kind != "partial":
                self._write([json.dumps(_json_event(event, self._pose()), ensure_ascii=False)])
            return
        self._write(self._lines(event))

    def line(self, text: str) -> None:
        """A message of the CLI itself (prompt help, a summary)."""
        if self._json:
            self._write([json.dumps({"event": "message", "text": text})])
        else:
            self._write([text])

    def close(self) -> None:
        self._stop.set()
        if self._live:
            with self._lock:
                self._out.write("\r\x1b[K")
                self._out.flush()

    def _lines(self, event: Event) -> list[str]:
        value = event.value
        if event.kind == "partial":
            self._partial, self._partial_at = str(value), time.monotonic()
            return []
        if event.kind == "plan":
            self._partial = ""
            return plan_lines(value)
        if event.kind == "verdict":
            # The gate judges each step twice (whole plan, then just before the step runs);
            # a second verdict is shown only when it differs.
            key = (value.plan_id, value.step_index)
            if self._verdicts.get(key) == value.decision:
                return []
            self._verdicts[key] = value.decision
            return [_verdict_line(value)]
        if event.kind == "result":
            return [_result_line(value, event.plan) + f"  ({pose_text(self._pose())})"]
        if event.kind == "status":
            return self._status_change(value)
        if event.kind == "answer":
            return [_answer_line(value)]
        if event.kind == "done":
            self._partial_at = 0.0
            return [value.text]
        if event.kind == "confirmed":
            return [f"  operator: {value}"]
        return [f"error: {value}"]

    def _status_change(self, status: ExecutorStatus) -> list[str]:
        before, self._status = self._status, status
        if before is not None and (before.state, before.estop_latched) == (
                status.state, status.estop_latched):
            return []
        if self._live:
            return []  # the status line shows it
        latched = " (e-stop latched)" if status.estop_latched else ""
        message = f": {status.message}" if status.message else ""
        return [f"executor {status.state.value}{latched}{message}"]

    def _write(self, lines: list[str]) -> None:
        with self._lock:
            if self._live:
                self._out.write("\r\x1b[K")
            for line in lines:
                self._out.write(line + "\n")
            if self._live:
                self._out.write(self._status_line())
            self._out.flush()

    def _status_line(self) -> str:
        status = self._status
        state = "IDLE" if status is None else status.state.value
        if status is not None and status.current_step >= 0:
            state += f" step {status.current_step + 1}/{status.total_steps}"
        if status is not None and status.estop_latched:
            state += " E-STOP"
        fresh = time.monotonic() - self._partial_at < PARTIAL_SHOWN_S
        partial = self._partial.replace("\n", " ")[-PARTIAL_CHARS:] if fresh else ""
        line = f"[{state}] {pose_text(self._pose())}" + (f" | {partial}" if partial else "")
        return line[:max(20, shutil.get_terminal_size().columns - 1)]  # one row, or \r fails

    def _tick(self) -> None:
        while not self._stop.wait(REFRESH_S):
            self._write([])


def _verdict_line(verdict: SafetyVerdict) -> str:
    reasons = "; ".join(verdict.reasons)
    return (f"  gate: step {verdict.step_index + 1} {verdict.tool} {verdict.decision.value}"
            + (f" — {reasons}" if reasons and not verdict.approved else ""))


def _result_line(result: ToolResult, plan: Plan | None) -> str:
    step = _step_of(result, plan)
    where = f"step {step.index + 1} {step.call.name}" if step is not None else result.call_id
    detail = result.error or (json.dumps(result.result, ensure_ascii=False, sort_keys=True)
                              if result.result else "")
    return f"  result: {where} {result.status.value}" + (f" — {detail}" if detail else "")


def _answer_line(answer: AskResponse) -> str:
    if not answer.success:
        return f"copilot could not answer: {answer.error}"
    return f"copilot: {answer.answer}"


def _step_of(result: ToolResult, plan: Plan | None) -> Any:
    if plan is None:
        return None
    return next((step for step in plan.steps if step.call.id == result.call_id), None)


def _json_event(event: Event, pose: Pose2D | None) -> dict[str, Any]:
    value = event.value
    if isinstance(value, Done):
        return {"event": "done", **asdict(value)}
    body = value.model_dump(mode="json") if hasattr(value, "model_dump") else str(value)
    data: dict[str, Any] = {"event": event.kind, event.kind: body}
    if event.kind == "result" and pose is not None:
        data["pose"] = pose.model_dump(mode="json")
    return data
