#!/usr/bin/env python3
"""Flight records on the demo model: replay throughput, and what recording costs the planner.

* replay_missions_per_s: ``gemma4-ros replay``'s work (read the records, plan each mission again,
  judge it with the gate, compare) over the records given (default: the packaged example
  records), repeated ``--rounds`` times;
* recorder overhead: the planner node's command → plan latency (a text command submitted → the
  plan back, on the worker thread, as ``run`` and the ROS node do it) with and without a
  FlightRecorder attached, the two alternating command by command in one run so that both see
  the same machine; ``recorder_overhead_pct`` compares the medians (goal ≤ 2 %).

Usage: python bench/replay.py [--json] [--commands 200] [--rounds 3] [RECORD ...]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from gemma4_ros.bus import Bus
from gemma4_ros.nodes.bus_transport import BusTransport
from gemma4_ros.nodes.planner_config import PlannerNodeConfig
from gemma4_ros.nodes.planner_node import PlannerNodeLogic
from gemma4_ros.pipeline.model import load_cli_planner
from gemma4_ros.pipeline.plan_check import PlanChecker
from gemma4_ros.pipeline.replay import record_files, replay_files
from gemma4_ros.recording import FlightRecorder
from gemma4_ros.types import PlanSource

EXAMPLE_RECORDS = Path(__file__).resolve().parents[1] / "gemma4_ros" / "examples" / "records"
COMMANDS = ("go to the kitchen", "turn left 90 degrees", "move forward 1 meter",
            "take a photo", "say hello", "make me a coffee", "wait 3 seconds", "dock")


def percentiles_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50": round(1000 * statistics.median(ordered), 3),
            "p90": round(1000 * ordered[int(0.9 * (len(ordered) - 1))], 3)}


def replay_throughput(planner: Any, records: list[Path], rounds: int) -> dict[str, Any]:
    problems: list[str] = []
    files = record_files(records, problems)
    checker = PlanChecker.from_files(planner)
    best = float("inf")
    count = 0
    for _ in range(rounds):
        start = time.perf_counter()
        count = len(replay_files(files, checker, problems))
        best = min(best, time.perf_counter() - start)
    return {"records": len(files), "missions": count,
            "replay_missions_per_s": round(count / best, 2) if count else 0.0,
            "problems": problems}


def plan_latencies(planner: Any, commands: int, directory: Path) -> dict[str, Any]:
    """Alternate plain and recorded planner logics, command by command."""
    config = PlannerNodeConfig(executor_timeout_s=0.0)
    with Bus() as bus, FlightRecorder(directory / "bench.mcap") as recorder:
        plain = PlannerNodeLogic(BusTransport(bus.node("plain", "/a")), planner, config)
        recorded = PlannerNodeLogic(BusTransport(bus.node("recorded", "/b")), planner, config,
                                    recorder=recorder)
        samples: dict[str, list[float]] = {"without": [], "with": []}
        try:
            for index in range(commands):
                text = COMMANDS[index % len(COMMANDS)]
                order = (("without", plain), ("with", recorded))
                for name, logic in order if index % 2 else order[::-1]:
                    start = time.perf_counter()
                    logic.submit_plan(text, PlanSource.TEXT, publish=False).future.result(60)
                    samples[name].append(time.perf_counter() - start)
        finally:
            plain.close()
            recorded.close()
    stats = recorder.stats()
    without, with_ = (statistics.median(samples[k]) for k in ("without", "with"))
    return {"commands": commands,
            "plan_latency_without_recorder_ms": percentiles_ms(samples["without"]),
            "plan_latency_with_recorder_ms": percentiles_ms(samples["with"]),
            "recorder_overhead_pct": round(100 * (with_ - without) / without, 2),
            "recorded_messages": stats.written, "recorder_dropped": stats.dropped}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("records", nargs="*", type=Path,
                        help="flight records to replay (default: the packaged examples)")
    parser.add_argument("--commands", type=int, default=200,
                        help="commands per side for the recorder overhead")
    parser.add_argument("--rounds", type=int, default=3, help="replay rounds (best is kept)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    planner = load_cli_planner(None)
    records = args.records or [EXAMPLE_RECORDS]
    with tempfile.TemporaryDirectory() as directory:
        result = {**replay_throughput(planner, records, args.rounds),
                  **plan_latencies(planner, args.commands, Path(directory)),
                  "model": planner.model_name}
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:36} {value}")


if __name__ == "__main__":
    main()
