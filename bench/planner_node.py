#!/usr/bin/env python3
"""Planner node on the in-process bus: do sensors and the e-stop wait for the model?

* frame_latency: a camera frame published → in the planner's latest-frame slot (the camera
  callback ran), with the planner idle and while it generates.
* estop_latency: an e-stop published → the executor's latch set, idle and while the planner
  generates.

The model is a scripted one that burns ``--work-ms`` of pure-Python CPU per token while holding
the GIL: worse for the other threads than ONNX Runtime, which releases the GIL inside a run.
What the layout must show: the "generating" rows close to the "idle" ones, not a token's time.
Usage: python bench/planner_node.py [--json] [--frames 150] [--work-ms 20]
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from gemma4_ros.bus import Bus
from gemma4_ros.nodes.bus_transport import BusTransport
from gemma4_ros.nodes.executor_config import ExecutorNodeConfig
from gemma4_ros.nodes.executor_node import ExecutorNodeLogic
from gemma4_ros.interfaces import ImageData, ResetEStopRequest
from gemma4_ros.nodes.planner_config import PlannerNodeConfig
from gemma4_ros.nodes.planner_node import PlannerNodeLogic
from gemma4_ros.planning import Planner, PlannerConfig
from gemma4_ros.runtime.generation import Engine
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.testing.fixture_tokenizer import build_fixture_tokenizer
from gemma4_ros.testing.scripted_model import ScriptedCache, ScriptedModel
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import PlanSource

NS = "/gemma4"
WAIT_S = 5.0
FRAME_PERIOD_S = 1 / 30


class BusyModel(ScriptedModel):
    """Writes a long answer, spending ``work_s`` of GIL-holding Python per token."""

    def __init__(self, tokenizer: Gemma4Tokenizer, work_s: float) -> None:
        super().__init__(tokenizer, "word " * 400)
        self.work_s = work_s

    def forward(self, token_ids: np.ndarray, cache: ScriptedCache) -> np.ndarray:
        end = time.perf_counter() + self.work_s
        while time.perf_counter() < end:
            pass
        return super().forward(token_ids, cache)


def percentiles_ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"n": len(ordered), "p50_ms": round(ordered[len(ordered) // 2] * 1e3, 3),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1e3, 3),
            "max_ms": round(ordered[-1] * 1e3, 3)}


def frame_latencies(bus: Bus, planner: PlannerNodeLogic, count: int) -> list[float]:
    publisher = bus.publisher(f"{NS}/image", ImageData, depth=1)
    pixels = bytes(64 * 48 * 3)
    frames = planner.camera.frames
    samples = []
    for _ in range(count):
        before = frames.stats().received
        publisher.publish(ImageData(pixels, 48, 64, "rgb8", 64 * 3, time.time()))
        assert bus.spin_until(lambda b=before: frames.stats().received > b, WAIT_S)
        samples.append(frames.stats().latency_last_s or 0.0)
        time.sleep(FRAME_PERIOD_S)
    return samples


def estop_latencies(bus: Bus, executor: ExecutorNodeLogic, count: int) -> list[float]:
    publisher = bus.publisher(f"{NS}/estop", bool)
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        publisher.publish(True)
        assert bus.spin_until(lambda: executor.estop.latched, WAIT_S)
        samples.append(time.perf_counter() - started)
        executor.reset_estop(ResetEStopRequest(operator_id="bench"))
        time.sleep(0.01)
    return samples


def run(frames: int, work_s: float) -> dict[str, Any]:
    tokenizer = Gemma4Tokenizer.from_file(
        build_fixture_tokenizer(Path(tempfile.mkdtemp()), vocab_size=512).path)
    engine = Engine(BusyModel(tokenizer, work_s), eos_token_id=tokenizer.special_ids.eos,
                    stop_token_ids=[])
    planner = Planner(engine, tokenizer, ToolRegistry.load(),
                      PlannerConfig(constrained=False, max_tokens=2000, deadline_s=None))
    results: dict[str, Any] = {"work_ms_per_token": work_s * 1e3}
    with Bus() as bus:
        executor = ExecutorNodeLogic(BusTransport(bus.node("executor", NS)), ExecutorNodeConfig())
        logic = PlannerNodeLogic(BusTransport(bus.node("planner", NS)), planner,
                                 PlannerNodeConfig(listen=False))
        executor.activate()
        logic.activate()
        results["frame_idle"] = percentiles_ms(frame_latencies(bus, logic, frames))
        results["estop_idle"] = percentiles_ms(estop_latencies(bus, executor, frames // 3))
        job = logic.submit_plan("talk for a long time", PlanSource.TEXT)
        assert bus.spin_until(lambda: job.progress()[1] > 0, WAIT_S)
        results["frame_generating"] = percentiles_ms(frame_latencies(bus, logic, frames))
        results["estop_generating"] = percentiles_ms(estop_latencies(bus, executor, frames // 3))
        results["tokens_during_sample"] = job.progress()[1]
        results["still_generating"] = not job.future.done()
        job.cancel.set()
        logic.close()
        executor.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--work-ms", type=float, default=20.0)
    args = parser.parse_args()
    logging.getLogger("gemma4_ros").setLevel(logging.ERROR)  # one "e-stop reset" line per sample
    results = run(args.frames, args.work_ms / 1e3)
    if args.json:
        print(json.dumps(results))
        return
    print(f"model: {results['work_ms_per_token']:.0f} ms of GIL-holding work per token; "
          f"{results['tokens_during_sample']} tokens during the busy sample "
          f"(still generating at its end: {results['still_generating']})")
    for name in ("frame_idle", "frame_generating", "estop_idle", "estop_generating"):
        row = results[name]
        print(f"{name:18s} n={row['n']:4d}  p50 {row['p50_ms']:7.3f} ms  "
              f"p99 {row['p99_ms']:7.3f} ms  max {row['max_ms']:7.3f} ms")


if __name__ == "__main__":
    main()
