#!/usr/bin/env python3
"""Executor node on the in-process bus: what a callback-group layout buys at the node level.

* estop_busy: e-stop message published → executor ESTOPPED, while a plan runs and a callback
  holds the node's default group (plans, services) for the whole sample. The e-stop
  subscription has a group of its own, so the figure must not depend on the busy callback.
  Target: p99 <= 20 ms.
* plan_to_result: a one-step plan (``speak``) published on the plan topic → its ToolResult
  received by a subscriber: the topic, the gate (plan check and re-check), the executor worker
  and the result topic, end to end.
* planner_silence: the planner's last heartbeat → the running plan's CANCELED result, less
  ``planner_timeout_s`` (0.5 s here): how late the heartbeat watch acts after the timeout.
  Bounded by the watch period (0.125 s here, a quarter of the timeout) plus a hand-off.

Sim robot, packaged configs (the global rate limit raised: the bench repeats one call far more
often than safety.yaml allows), real clocks; timings of thread hand-offs on a shared machine, so
read p50 as typical and p99 as what scheduling noise adds.
Usage: python bench/nodes.py [--json] [--iterations 200] [--silences 20]
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from gemma4_ros.bus import Bus
from gemma4_ros.nodes.bus_transport import BusTransport
from gemma4_ros.nodes.executor_config import ExecutorNodeConfig
from gemma4_ros.nodes.executor_node import ExecutorNodeLogic
from gemma4_ros.interfaces import ResetEStopRequest
from gemma4_ros.paths import default_config
from gemma4_ros.types import (
    ExecutorState, ExecutorStatus, Plan, ResultStatus, ToolCall, ToolResult,
)

WAIT_S = 5.0
SILENCE_TIMEOUT_S = 0.5
BEAT_S = 0.05


def percentiles_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(ordered[len(ordered) // 2] * 1e3, 3),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e3, 3),
            "max_ms": round(ordered[-1] * 1e3, 3)}


def node_config(folder: str) -> ExecutorNodeConfig:
    """Packaged configs, but without the gate's rate limits."""
    safety = yaml.safe_load(default_config("safety.yaml").read_text(encoding="utf-8"))
    safety["rate_limits"] = {"global": {"max_calls": 1_000_000, "window_s": 1.0}}
    path = Path(folder) / "safety.yaml"
    path.write_text(yaml.safe_dump(safety), encoding="utf-8")
    return ExecutorNodeConfig(safety_file=str(path))


def estop_busy(iterations: int, config: ExecutorNodeConfig) -> dict[str, Any]:
    samples: list[float] = []
    with Bus() as bus:
        logic = ExecutorNodeLogic(BusTransport(bus.node("executor", "/gemma4")), config)
        logic.activate()
        stopped = threading.Event()
        bus.subscribe("/gemma4/executor/status", ExecutorStatus,
                      lambda s: stopped.set() if s.state is ExecutorState.ESTOPPED else None,
                      latched=True, depth=100)
        release = threading.Event()
        logic.transport.subscribe("~/busy", str, lambda _: release.wait(60.0))
        busy = bus.publisher("/gemma4/executor/busy", str)
        estop = bus.publisher("/gemma4/estop", bool)
        for _ in range(iterations):
            logic.executor.submit(Plan.from_calls([ToolCall(name="wait",
                                                            arguments={"seconds": 60.0})],
                                                  instruction="wait 60 seconds"))
            assert bus.spin_until(lambda: logic.executor.status.state is ExecutorState.EXECUTING,
                                  WAIT_S)
            release.clear()
            busy.publish("hold the default group")
            stopped.clear()
            start = time.perf_counter()
            estop.publish(True)
            assert stopped.wait(WAIT_S)
            samples.append(time.perf_counter() - start)
            release.set()
            logic.reset_estop(ResetEStopRequest(operator_id="bench"))
            assert bus.spin_until(lambda: logic.executor.status.state is ExecutorState.IDLE,
                                  WAIT_S)
        logic.close()
    return {"estop_busy": {"samples": len(samples), **percentiles_ms(samples)}}


def plan_to_result(iterations: int, config: ExecutorNodeConfig) -> dict[str, Any]:
    samples: list[float] = []
    with Bus() as bus:
        logic = ExecutorNodeLogic(BusTransport(bus.node("executor", "/gemma4")), config)
        logic.activate()
        got = threading.Event()
        bus.subscribe("/gemma4/executor/results", ToolResult, lambda _: got.set(), depth=100)
        plans = bus.publisher("/gemma4/plan", Plan, latched=True)
        for _ in range(iterations):
            plan = Plan.from_calls([ToolCall(name="speak", arguments={"text": "hi"})])
            got.clear()
            start = time.perf_counter()
            plans.publish(plan)
            assert got.wait(WAIT_S)
            samples.append(time.perf_counter() - start)
        logic.close()
    return {"plan_to_result": {"samples": len(samples), **percentiles_ms(samples)}}


def planner_silence(iterations: int, config: ExecutorNodeConfig) -> dict[str, Any]:
    samples: list[float] = []
    watched = config.model_copy(update={"planner_timeout_s": SILENCE_TIMEOUT_S})
    with Bus() as bus:
        logic = ExecutorNodeLogic(BusTransport(bus.node("executor", "/gemma4")), watched)
        logic.activate()
        beats = bus.publisher("/gemma4/planner_heartbeat", dict)
        canceled = threading.Event()
        bus.subscribe("/gemma4/executor/results", ToolResult,
                      lambda r: canceled.set() if r.status is ResultStatus.CANCELED else None,
                      depth=100)

        def heard() -> int:
            return sum(r["kind"] == "planner_heard" for r in logic.audit.recent)

        for index in range(iterations):
            beating, last = threading.Event(), [0.0]
            beating.set()

            def beat() -> None:
                while beating.is_set():
                    beats.publish({})
                    last[0] = time.perf_counter()
                    time.sleep(BEAT_S)

            thread = threading.Thread(target=beat, daemon=True)
            thread.start()
            # after a silence the watch must have heard the planner again before the next one
            assert bus.spin_until(lambda: heard() == index, WAIT_S)
            canceled.clear()
            logic.executor.submit(Plan.from_calls([ToolCall(name="wait",
                                                            arguments={"seconds": 60.0})],
                                                  instruction="wait 60 seconds"))
            assert bus.spin_until(lambda: logic.executor.status.state is ExecutorState.EXECUTING,
                                  WAIT_S)
            beating.clear()
            thread.join()
            assert canceled.wait(WAIT_S)
            samples.append(time.perf_counter() - last[0] - SILENCE_TIMEOUT_S)
        logic.close()
    return {"planner_silence": {"samples": len(samples), "timeout_s": SILENCE_TIMEOUT_S,
                                **percentiles_ms(samples)}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--silences", type=int, default=20,
                        help="planner silences to time (each takes about a second)")
    args = parser.parse_args()
    # one reset warning per e-stop sample, one "planner silent" error per silence sample
    logging.getLogger("gemma4_ros").setLevel(logging.CRITICAL)
    with tempfile.TemporaryDirectory() as folder:
        config = node_config(folder)
        figures = {**estop_busy(args.iterations, config),
                   **plan_to_result(args.iterations, config),
                   **planner_silence(args.silences, config)}
    if args.json:
        print(json.dumps(figures))
        return
    for name, values in figures.items():
        print(f"{name:>15}: " + ", ".join(f"{k} {v}" for k, v in values.items()))


if __name__ == "__main__":
    main()
