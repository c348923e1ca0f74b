"""The executor tests' world: a sim robot, the real gate, e-stop and audit, all on one fake clock.

A module of its own, not conftest.py: test modules import from it by name, and with several
test folders a bare ``from conftest import`` gets whichever conftest was loaded first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from gemma4_ros.execution.binding import BindingRegistry
from gemma4_ros.execution.config import ExecutorConfig
from gemma4_ros.execution.executor import PlanExecutor
from gemma4_ros.execution.sim_bindings import sim_bindings
from gemma4_ros.execution.sim_config import SimConfig
from gemma4_ros.execution.sim_robot import SimRobot
from gemma4_ros.testing.clock import FakeClock
from gemma4_ros.types import (
    ExecutorStatus, Plan, PlanSource, Pose2D, SafetyVerdict, ToolCall, ToolResult,
)

PLACES = {
    "dock": Pose2D(x=0.0, y=0.0, yaw=0.0),
    "kitchen": Pose2D(x=3.0, y=0.0, yaw=0.0),
    "lab": Pose2D(x=0.0, y=2.0, yaw=3.141592653589793),
}

# The gate's policies for executor tests, written out so the tests do not depend on the packaged
# defaults: one mode that allows everything, a keep-in box around the packaged places, bounds as
# wide as the tools' schemas (a motion tool's numeric arguments must be bounded), and motion
# forbidden while the gripper holds something.
SAFETY = {
    "modes": {
        "normal": {"tools": "all", "motion": True, "confirm_at": "HIGH"},
        "supervised": {"tools": "all", "motion": True, "confirm_at": "MEDIUM"},
        "maintenance": {"tools": ["speak", "report", "wait", "capture_image", "inspect"],
                        "motion": False},
    },
    "initial_mode": "normal",
    "confirmation": {"timeout_s": 20.0},
    "plan": {"max_steps": 12, "max_age_s": 30.0},
    "bounds": {"move": {"distance": {"kind": "distance", "min": -5.0, "max": 5.0},
                        "speed": {"kind": "speed", "max": 1.0}},
               "rotate": {"angle": {"kind": "angle", "min": -360.0, "max": 360.0}}},
    "geofence": {"frame": "map", "margin_m": 0.3,
                 "keep_in": [[-1.0, -1.0], [21.0, -1.0], [21.0, 11.0], [-1.0, 11.0]]},
    "sequences": [{"name": "no_motion_while_holding", "tools": "motion", "while_holding": True}],
}


@dataclass
class World:
    """Everything an executor test touches, and what the executor told its callbacks."""

    clock: FakeClock
    tools: Any
    gate: Any
    estop: Any
    audit: Any
    robot: SimRobot
    bindings: BindingRegistry
    statuses: list[ExecutorStatus] = field(default_factory=list)
    results: list[ToolResult] = field(default_factory=list)
    verdicts: list[SafetyVerdict] = field(default_factory=list)
    executor: PlanExecutor | None = None
    on_speech: list[Callable[[str], None]] = field(default_factory=list)

    def start(self, **config: Any) -> PlanExecutor:
        self.executor = PlanExecutor(
            self.gate, self.tools, self.bindings, self.estop, self.audit,
            clock=self.clock, stamp_clock=self.clock, config=ExecutorConfig(**config),
            on_status=self.statuses.append, on_result=self.results.append,
            on_verdict=self.verdicts.append,
        ).start()
        return self.executor

    def plan(self, *calls: tuple[str, dict[str, Any]]) -> Plan:
        """A hand-made plan: a mission (calls written down, not read from words), so the gate
        holds it to every rule but grounding, which the safety tests cover."""
        return Plan.from_calls([ToolCall(name=n, arguments=a) for n, a in calls],
                               stamp=self.clock(), instruction="test", source=PlanSource.MISSION)

    def audit_kinds(self, kind: str) -> list[dict[str, Any]]:
        return [r for r in self.audit.recent if r["kind"] == kind]


def make_world(clock: FakeClock, safety: dict[str, Any] | None = None,
               tools_data: dict[str, Any] | None = None) -> World:
    from gemma4_ros.safety.audit import AuditLog
    from gemma4_ros.safety.config import SafetyConfig
    from gemma4_ros.safety.estop import EStopLatch
    from gemma4_ros.safety.gate import SafetyGate
    from gemma4_ros.tools import ToolRegistry

    tools = ToolRegistry.from_dict(tools_data) if tools_data else ToolRegistry.load()
    estop = EStopLatch(clock=clock)
    audit = AuditLog(None, clock=clock)
    gate = SafetyGate(tools, SafetyConfig.model_validate(safety or SAFETY), estop, audit,
                      clock=clock)
    hooks: list[Callable[[str], None]] = []  # run when the robot speaks: changes state mid-plan

    def spoken(text: str) -> None:
        for hook in hooks:
            hook(text)

    robot = SimRobot(SimConfig.load(), tools.places, clock=clock, stamp_clock=clock,
                     on_speech=spoken)
    return World(clock, tools, gate, estop, audit, robot, sim_bindings(robot), on_speech=hooks)
