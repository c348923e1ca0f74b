"""The demo planner's request path: ``Planner.plan()`` latency and how much of it is not the model.

A short command goes through everything a user's request does (chat template, tokenizer, prefix
reuse, generation under the tool-call grammar, parser, schema validation, Plan). Every
``session.run`` of the model's graphs is timed from inside the process, so the figure that
matters for a lean request path — the share of a plan spent *outside* ONNX Runtime — comes from
the same runs as the latency. Goal (issue 19): outside share ≤ 10 %.

    PYTHONPATH=gemma4_ros python bench/plan_latency.py [--model DIR] [--runs 200] [--json]

Prints ``plan_p50_ms``, ``plan_p99_ms``, ``outside_run_share`` (median over plans, and
``outside_run_share_total`` over all of them), ``session_runs_per_plan``, the plan's tokens and
the load average (the machine is shared: compare figures of one run, repeat runs). The same
command planned again reuses its compiled grammar; a command the planner has not seen before
compiles one when its tools copy ``verbatim`` arguments from it, so ``new_command_p50_ms`` and
``new_command_outside_share`` time that case too (the grammar cache emptied before each plan).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import numpy as np

from gemma4_ros.decoding.constraint import compile_grammar
from gemma4_ros.planning.loading import load_planner
from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.paths import demo_model_dir

COMMAND = "go to the kitchen and wait 2 seconds"


class RunClock:
    """Wraps the ``run`` methods of ONNX Runtime sessions and adds up the time spent in them."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.calls = 0

    def wrap(self, session: Any) -> None:
        for name in ("run", "run_with_iobinding"):
            inner: Callable[..., Any] = getattr(session, name)
            setattr(session, name, self._timed(inner))

    def _timed(self, inner: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start
                self.calls += 1

        return run


def sessions_of(model: Any) -> list[Any]:
    """Every ONNX Runtime session the model holds (embedding, decoder, encoders)."""
    found = [model.embed_session.inner, model.decoder_session.inner]
    found += [s.inner for s in model.media.sessions.values() if s is not None]
    return found


def measure(args: argparse.Namespace) -> dict[str, Any]:
    runtime = RuntimeConfig(model_dir=str(args.model), providers=["cpu"],
                            intra_op_threads=args.threads)
    planner = load_planner(args.model, runtime_config=runtime)
    planner.warm_up()
    clock = RunClock()
    for session in sessions_of(planner.engine.model):
        clock.wrap(session)
    first = planner.plan(args.command)  # warm: caches, allocator, branch predictors
    clock.seconds, clock.calls = 0.0, 0
    totals, outside, runs = timed_plans(planner, clock, args.command, args.runs, lambda: None)
    new_totals, new_outside, _ = timed_plans(planner, clock, args.command, args.runs,
                                             compile_grammar.cache_clear)
    ms, new_ms = np.array(totals) * 1e3, np.array(new_totals) * 1e3
    return {
        "command": args.command,
        "model": str(args.model),
        "threads": args.threads,
        "runs": args.runs,
        "plan_p50_ms": round(float(np.percentile(ms, 50)), 3),
        "plan_p99_ms": round(float(np.percentile(ms, 99)), 3),
        "plan_mean_ms": round(float(ms.mean()), 3),
        "outside_run_share": round(statistics.median(outside), 4),
        "outside_run_share_total": round(
            sum(t * o for t, o in zip(totals, outside)) / sum(totals), 4),
        "new_command_p50_ms": round(float(np.percentile(new_ms, 50)), 3),
        "new_command_p99_ms": round(float(np.percentile(new_ms, 99)), 3),
        "new_command_outside_share": round(statistics.median(new_outside), 4),
        "session_runs_per_plan": statistics.median(runs),
        "prompt_tokens": first.prompt_tokens,
        "completion_tokens": first.completion_tokens,
        "calls": [f"{s.call.name}{json.dumps(s.call.arguments, sort_keys=True)}"
                  for s in first.steps],
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def timed_plans(planner: Any, clock: RunClock, command: str, count: int,
                before_each: Callable[[], None]) -> tuple[list[float], list[float], list[int]]:
    """Seconds per plan, the share of each spent outside ``session.run``, and its run count."""
    totals, outside, runs = [], [], []
    for _ in range(count):
        before_each()
        before_s, before_n = clock.seconds, clock.calls
        start = time.perf_counter()
        planner.plan(command)
        total = time.perf_counter() - start
        totals.append(total)
        outside.append((total - (clock.seconds - before_s)) / total)
        runs.append(clock.calls - before_n)
    return totals, outside, runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None,
                        help="model directory (default: the embedded demo planner)")
    parser.add_argument("--command", default=COMMAND, help="the instruction to plan")
    parser.add_argument("--runs", type=int, default=200, help="timed plans")
    parser.add_argument("--threads", type=int, default=1, help="ONNX Runtime intra-op threads")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    args.model = args.model or demo_model_dir()
    result = measure(args)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        for key, value in result.items():
            print(f"{key:>26}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
