"""Helpers for node-logic tests: an executor node on a threaded in-process bus, a probe that
records what it publishes, plans and tools files."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from gemma4_ros.bus import Bus
from gemma4_ros.nodes.bus_transport import BusTransport
from gemma4_ros.nodes.executor_config import ExecutorNodeConfig
from gemma4_ros.nodes.executor_node import ExecutorNodeLogic
from gemma4_ros.interfaces import ConfirmRequest
from gemma4_ros.paths import default_config
from gemma4_ros.types import (
    ExecutorState, ExecutorStatus, Plan, PlanSource, SafetyVerdict, ToolCall, ToolResult,
)

NS = "/gemma4"
WAIT_S = 10.0  # upper bound for anything that should happen promptly; never a sleep


@dataclass
class Probe:
    """Everything the executor node published, as a subscriber on the bus sees it."""

    results: list[ToolResult] = field(default_factory=list)
    verdicts: list[SafetyVerdict] = field(default_factory=list)
    statuses: list[ExecutorStatus] = field(default_factory=list)

    def states(self) -> list[ExecutorState]:
        return [s.state for s in self.statuses]


@dataclass
class ExecutorRig:
    bus: Bus
    logic: ExecutorNodeLogic
    probe: Probe
    plans: Any  # latched publisher on the plan topic
    estop: Any  # publisher on the e-stop topic

    def wait(self, predicate: Any, timeout: float = WAIT_S) -> bool:
        return self.bus.spin_until(predicate, timeout)

    def results_of(self, plan: Plan) -> list[ToolResult]:
        return [r for r in self.probe.results if r.plan_id == plan.plan_id]

    def wait_results(self, plan: Plan) -> list[ToolResult]:
        assert self.wait(lambda: len(self.results_of(plan)) == len(plan.steps)), self.probe
        return self.results_of(plan)

    def approve(self, plan: Plan, step_index: int) -> None:
        """Answer yes for the step once it awaits confirmation, as an operator on ~/confirm."""
        status = self.logic.executor
        assert self.wait(lambda: status.status.state is ExecutorState.AWAITING_CONFIRMATION
                         and status.status.current_step == step_index), self.probe
        reply = self.logic.confirm(ConfirmRequest(plan_id=plan.plan_id, step_index=step_index,
                                                  approve=True, operator_id="operator"))
        assert reply.accepted, reply.message


def make_plan(*calls: tuple[str, dict[str, Any]], **fields: Any) -> Plan:
    """A hand-made plan as another node publishes it: a mission unless ``source`` says otherwise
    (calls written down, not read from words: the gate does not ground them)."""
    fields.setdefault("source", PlanSource.MISSION)
    return Plan.from_calls([ToolCall(name=name, arguments=args) for name, args in calls],
                           instruction="test", **fields)


def start_rig(bus: Bus, **config: Any) -> ExecutorRig:
    probe = Probe()
    bus.subscribe(f"{NS}/executor/results", ToolResult, probe.results.append, depth=1000)
    bus.subscribe(f"{NS}/executor/verdicts", SafetyVerdict, probe.verdicts.append, depth=1000)
    bus.subscribe(f"{NS}/executor/status", ExecutorStatus, probe.statuses.append, depth=1000,
                  latched=True)
    logic = ExecutorNodeLogic(BusTransport(bus.node("executor", NS)), ExecutorNodeConfig(**config))
    logic.activate()
    plans = bus.publisher(f"{NS}/plan", Plan, latched=True)
    estop = bus.publisher(f"{NS}/estop", bool)
    return ExecutorRig(bus, logic, probe, plans, estop)


def tools_file(tmp_path: Path, bindings: dict[str, dict[str, Any]]) -> str:
    """The packaged tools.yaml with some tools' ``binding`` replaced; returns its path."""
    data = yaml.safe_load(default_config("tools.yaml").read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    for tool in data["tools"]:
        if tool["name"] in bindings:
            tool["binding"] = bindings[tool["name"]]
    path = tmp_path / "tools.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)
