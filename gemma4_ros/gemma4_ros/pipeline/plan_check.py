"""Plans judged by the safety gate without running anything: ``plan --commands`` and the evaluation.

Each command is planned, and its plan judged the way the executor judges a plan on arrival
(``SafetyGate.check_plan`` against the robot's state, stamped now) — but nothing executes and no
call is counted as started, so every command is judged from the same idle robot at the sim's
start place, whatever came before it. The record keeps the plan (what the model proposed) beside
the verdicts (what the gate would let through), so an operator checking a command list and the
faithfulness evaluation read the same thing. Whatever the gate checks — today's rules, and any
rule added to it later — is in the verdicts without a change here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gemma4_ros.execution.sim_config import SimConfig
from gemma4_ros.execution.sim_robot import SimRobot
from gemma4_ros.planning.errors import MediaUnavailableError, PlanningError
from gemma4_ros.planning.planner import Planner
from gemma4_ros.safety import EStopLatch, SafetyConfig, SafetyGate
from gemma4_ros.types import Decision, Plan, RobotState, SafetyVerdict

PathLike = str | Path | None

# What would happen to a command, most final first: no plan; the model declined (no calls);
# the gate refuses the plan whole; an operator is asked before some step; it all runs.
OUTCOMES = ("no_plan", "no_calls", "rejected", "needs_confirmation", "approved")


@dataclass(frozen=True)
class CheckedCommand:
    """One command: its plan (None when planning failed, ``error`` says why) and the verdicts."""

    command: str
    plan: Plan | None
    error: str
    verdicts: tuple[SafetyVerdict, ...]
    plan_s: float
    gate_s: float

    @property
    def outcome(self) -> str:
        """One of :data:`OUTCOMES`."""
        if self.plan is None:
            return "no_plan"
        if not self.plan.steps:
            return "no_calls"
        decisions = {verdict.decision for verdict in self.verdicts}
        if Decision.REJECTED in decisions:
            return "rejected"
        if Decision.NEEDS_CONFIRMATION in decisions:
            return "needs_confirmation"
        return "approved"

    def as_json(self, line: int) -> dict[str, Any]:
        """The ``plan --commands --json`` line for this command."""
        return {
            "line": line, "command": self.command, "outcome": self.outcome,
            "plan": self.plan.model_dump(mode="json") if self.plan is not None else None,
            "error": self.error,
            "verdicts": [{"step": v.step_index, "tool": v.tool, "decision": v.decision.value,
                          "rules": list(v.rules), "reasons": list(v.reasons)}
                         for v in self.verdicts],
        }


class PlanChecker:
    """Plans a command and judges the plan; ``robot`` gives the state each plan is judged on."""

    def __init__(self, planner: Planner, gate: SafetyGate,
                 robot: Callable[[], RobotState]) -> None:
        self.planner = planner
        self.gate = gate
        self._robot = robot

    @classmethod
    def from_files(cls, planner: Planner, safety: PathLike = None, sim: PathLike = None,
                   mode: str | None = None) -> PlanChecker:
        """A gate from safety.yaml over the planner's tools, judging from the sim's start."""
        registry = planner.registry
        gate = SafetyGate(registry, SafetyConfig.load(safety), EStopLatch())
        if mode:
            gate.set_mode(mode)
        robot = SimRobot(SimConfig.load(sim), registry.places)
        return cls(planner, gate, robot.robot_state)

    def check(self, command: str, image: Any = None, **options: Any) -> CheckedCommand:
        """Plan ``command`` (with ``image`` when given; ``options`` as :meth:`Planner.plan`'s)
        and judge the plan. A command the model makes no plan for is a record with the error;
        an image the model cannot take raises (the caller's input, not this command's
        outcome)."""
        start = time.perf_counter()
        try:
            plan = self.planner.plan(command, image, **options)
        except MediaUnavailableError:
            raise
        except PlanningError as error:
            return CheckedCommand(command, None, str(error), (), time.perf_counter() - start, 0.0)
        planned = time.perf_counter()
        verdicts = tuple(self.gate.check_plan(plan, self._robot())) if plan.steps else ()
        return CheckedCommand(command, plan, "", verdicts, planned - start,
                              time.perf_counter() - planned)
