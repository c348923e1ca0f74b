#!/usr/bin/env python3
"""Safety cost: gate decision latency per call, and the audit log's fsynced append.

* gate: ``SafetyGate.check_step`` (the re-check the executor runs right before every step) over a
  mix of the default tools, half approved and half refused for different reasons (bounds, unknown
  tool, geofence path, schema), with the packaged tools.yaml and safety.yaml. Also the per-step
  cost inside ``check_plan`` of the whole 10-step plan, once for a plan the gate has judged before
  and once for plans it sees for the first time, each with instruction words of its own (what
  the grounding check reads once per plan). No audit log attached: that cost is measured on its
  own below, because it is the disk's, not the gate's. Target: p99 <= 50 us.
* audit: ``AuditLog.record`` of a verdict to a temporary file, fsync included.
* estop: e-stop to cancel, while a plan executes on the simulated robot (real clock): each sample
  starts ``navigate_to`` through the PlanExecutor, triggers the EStopLatch at a random point of
  the executor's poll period, and times until the worker calls the active binding's ``cancel``.
  Target: p99 <= 20 ms.

Each measurement is one function returning a dict of figures; ``MEASUREMENTS`` lists them (the
executor adds its e-stop-to-cancel measurement there).
Usage: python bench/safety.py [--json] [--iterations 20000]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gemma4_ros.safety import AuditLog, SafetyGate
from gemma4_ros.types import Decision, Plan, Pose2D, RobotState, SafetyVerdict, ToolCall

MIX: list[tuple[str, dict[str, Any]]] = [
    ("navigate_to", {"place": "kitchen"}),
    ("move", {"distance": 1.5, "speed": 0.3}),
    ("rotate", {"angle": 90}),
    ("speak", {"text": "Hello, I am on my way."}),
    ("inspect", {"target": "pump 3", "question": "Is it leaking?"}),
    ("move", {"distance": 4.0}),            # refused: bounds.distance
    ("teleport", {"x": 100}),               # refused: tool.unknown
    ("move", {"distance": 3.0}),            # refused: geofence (after an unknown pose)
    ("wait", {"seconds": -1}),              # refused: args.schema
    ("navigate_to", {"place": "rooftop"}),  # refused: args.schema (not a declared place)
]
INSTRUCTION = ("go to the kitchen, move forward 1.5 meters at 0.3 m/s, turn left 90 degrees, "
               "say hello and inspect pump 3")  # grounds the five calls that are approved


def percentiles(samples_ns: list[int]) -> tuple[float, float]:
    """p50 and p99 in microseconds."""
    ordered = sorted(samples_ns)
    return (ordered[len(ordered) // 2] / 1000.0,
            ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] / 1000.0)


def timed(call: Callable[[], object], iterations: int) -> list[int]:
    """Per-call wall times in ns, garbage collection paused so it lands in no single sample."""
    for _ in range(min(iterations, 500)):
        call()
    samples = []
    gc.disable()
    try:
        for _ in range(iterations):
            start = time.perf_counter_ns()
            call()
            samples.append(time.perf_counter_ns() - start)
    finally:
        gc.enable()
    return samples


def measure_gate(args: argparse.Namespace) -> dict[str, float]:
    gate = SafetyGate.from_files()
    calls = [ToolCall(name=n, arguments=a) for n, a in MIX]
    plan = Plan.from_calls(calls, instruction=INSTRUCTION)
    robot = RobotState(pose=Pose2D(x=0.5, y=0.5))
    decisions = [v.decision for v in gate.check_plan(plan, robot)]
    assert decisions.count(Decision.APPROVED) == 5, decisions  # the mix is what it claims
    steps = iter(range(10**9))
    step_samples = timed(lambda: gate.check_step(plan, next(steps) % len(MIX), robot),
                         args.iterations)
    plans = max(args.iterations // len(MIX), 1)
    plan_samples = timed(lambda: gate.check_plan(plan, robot), plans)
    fresh = iter([Plan.from_calls(calls, instruction=f"{INSTRUCTION} ({n})")
                  for n in range(plans + min(plans, 500))])
    fresh_samples = timed(lambda: gate.check_plan(next(fresh), robot), plans)
    p50, p99 = percentiles(step_samples)
    figures = {"gate_p50_us": round(p50, 2), "gate_p99_us": round(p99, 2)}
    for name, samples in (("plan", plan_samples), ("new_plan", fresh_samples)):
        plan_p50, plan_p99 = percentiles(samples)
        figures[f"gate_{name}_per_step_p50_us"] = round(plan_p50 / len(MIX), 2)
        figures[f"gate_{name}_per_step_p99_us"] = round(plan_p99 / len(MIX), 2)
    return figures


def measure_audit(args: argparse.Namespace) -> dict[str, float]:
    verdict = SafetyVerdict(decision=Decision.REJECTED, tool="move", rules=("bounds.distance",),
                            reasons=("move.distance = 4 is above the safety limit 3",))
    with tempfile.TemporaryDirectory() as folder:
        with AuditLog(Path(folder) / "audit.jsonl") as audit:
            samples = timed(lambda: audit.record("verdict", verdict=verdict, recheck=True),
                            args.audit_records)
    p50, p99 = percentiles(samples)
    return {"audit_record_p50_us": round(p50, 1), "audit_record_p99_us": round(p99, 1)}


class _TimedBinding:
    """Wraps a sim binding: tells when a step started and when (perf_counter_ns) it was canceled."""

    def __init__(self, inner: Any, started: threading.Event, canceled: list[int]) -> None:
        self.inner, self.started, self.canceled = inner, started, canceled

    def start(self, call: ToolCall) -> None:
        self.inner.start(call)
        self.started.set()

    def poll(self) -> Any:
        return self.inner.poll()

    def cancel(self) -> None:
        self.canceled.append(time.perf_counter_ns())
        self.inner.cancel()

    def robot_state(self) -> RobotState:
        return self.inner.robot_state()


def measure_estop(args: argparse.Namespace) -> dict[str, float]:
    from gemma4_ros.config import read_yaml, validate_config
    from gemma4_ros.execution.config import ExecutorConfig
    from gemma4_ros.execution.executor import PlanExecutor
    from gemma4_ros.execution.sim_bindings import sim_binding_factory, sim_bindings
    from gemma4_ros.execution.sim_config import SimConfig
    from gemma4_ros.execution.sim_robot import SimRobot
    from gemma4_ros.paths import default_config
    from gemma4_ros.safety import EStopLatch, SafetyConfig
    from gemma4_ros.tools import ToolRegistry

    safety = read_yaml(default_config("safety.yaml"))  # packaged policies, rate limits off:
    safety["rate_limits"] = {"global": {"max_calls": 10 * args.estop_samples, "window_s": 60.0}}
    registry, estop = ToolRegistry.load(), EStopLatch()
    gate = SafetyGate(registry, validate_config(safety, SafetyConfig, "safety.yaml"), estop,
                      AuditLog(None))
    robot = SimRobot(SimConfig.load(), registry.places)
    bindings, sim = sim_bindings(robot), sim_binding_factory(robot)
    started, canceled = threading.Event(), list[int]()
    bindings.register("sim", lambda spec: _TimedBinding(sim(spec), started, canceled))
    config, rng, samples = ExecutorConfig.load(), random.Random(0), []
    with PlanExecutor(gate, registry, bindings, estop, config=config) as executor:
        for _ in range(args.estop_samples):
            started.clear()
            canceled.clear()
            plan = executor.submit(Plan.from_calls([ToolCall(name="navigate_to",
                                                             arguments={"place": "lab"})]))
            if not started.wait(5):
                raise RuntimeError(f"the plan did not start: {plan.result(5)}")
            time.sleep(rng.uniform(0, config.poll_interval_s))
            triggered = time.perf_counter_ns()
            estop.trigger("bench")
            plan.result(5)  # resolves after the step was canceled
            samples.append(canceled[0] - triggered)
            estop.reset("bench")
    p50, p99 = percentiles(samples)
    return {"estop_p50_ms": round(p50 / 1000, 3), "estop_p99_ms": round(p99 / 1000, 3)}


MEASUREMENTS: list[Callable[[argparse.Namespace], dict[str, float]]] = [
    measure_gate, measure_audit, measure_estop]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--iterations", type=int, default=20000, help="gate calls to time")
    parser.add_argument("--audit-records", type=int, default=300, help="audit records to time")
    parser.add_argument("--estop-samples", type=int, default=200, help="e-stops to time")
    args = parser.parse_args()
    results: dict[str, float] = {}
    for measure in MEASUREMENTS:
        results.update(measure(args))
    if args.json:
        print(json.dumps(results))
    else:
        for key, value in results.items():
            print(f"{key:28s} {value}")


if __name__ == "__main__":
    main()
