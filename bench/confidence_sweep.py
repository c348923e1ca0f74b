"""Choosing plan.low_confidence's threshold: wrong motions caught vs right plans held for operators.

Plans every command of a hand-written set once (default: the development set
``gemma4_ros/eval/confidence_dev.jsonl``, written for this and kept apart from the evaluation
set, on which a threshold must never be chosen), then judges the same plans with the safety gate
at each threshold of ``confidence.min_for_motion`` — every other rule as in safety.yaml — and
scores them as bench/faithfulness.py does (:mod:`gemma4_ros.demo.faithfulness`, "with checks").
Rerun it whenever the model changes: a retrained model's confidences are not the old one's.

    python bench/confidence_sweep.py [--model DIR] [--set FILE] [--safety F]
                                     [--thresholds 0,0.5,0.9] [--details] [--json]

Per threshold:

* ``wrong_motion_approved`` — commands whose plan would move the robot wrongly with no operator
  asked, with every check on; ``caught`` — how many fewer than at threshold 0 (where this rule
  holds nothing the planner measured): the wrong motions this rule sends to an operator.
* ``right_plans_sent_to_confirmation`` — right plans (with calls) an operator is asked about, by
  any rule; ``held_by_confidence`` — those where plan.low_confidence fired: what the rule costs.
  ``right_plans`` is how many right plans with calls there are.

``without_checks_wrong_motion`` is the model alone. ``--details`` lists each planned command's
lowest motion-call confidence beside whether its plan was right, to see where the two overlap.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from gemma4_ros.demo.faithfulness import evaluate, judge
from gemma4_ros.demo.handwritten import EvalCommand
from gemma4_ros.execution.sim_config import SimConfig
from gemma4_ros.execution.sim_robot import SimRobot
from gemma4_ros.paths import demo_model_dir, share_dir
from gemma4_ros.pipeline.plan_check import CheckedCommand
from gemma4_ros.safety import EStopLatch, SafetyConfig, SafetyGate
from gemma4_ros.safety.rules_confidence import RULE
from gemma4_ros.tools import ToolRegistry

DEV_SET = Path("eval") / "confidence_dev.jsonl"
THRESHOLDS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)
Record = tuple[EvalCommand, CheckedCommand]


def rejudge(records: list[Record], registry: ToolRegistry, config: SafetyConfig,
            threshold: float) -> list[Record]:
    """The same plans judged by a gate at ``threshold``, restamped so none is stale."""
    settings = config.model_copy(deep=True)
    settings.confidence.min_for_motion = threshold
    gate = SafetyGate(registry, settings, EStopLatch())
    robot = SimRobot(SimConfig.load(), registry.places)
    judged = []
    for expected, checked in records:
        plan = checked.plan
        if plan is None or not plan.steps:
            judged.append((expected, checked))
            continue
        plan = plan.model_copy(update={"stamp": time.time()})
        verdicts = tuple(gate.check_plan(plan, robot.robot_state()))
        judged.append((expected, replace(checked, plan=plan, verdicts=verdicts)))
    return judged


def figures(records: list[Record], registry: ToolRegistry) -> dict[str, int]:
    judged = [(expected, checked, judge(expected, checked, registry, True))
              for expected, checked in records]
    right = [(c, j) for e, c, j in judged if j.right and e.calls]
    return {
        "wrong_motion_approved": sum(j.wrong_motion for _, _, j in judged),
        "right_plans": len(right),
        "right_plans_sent_to_confirmation": sum(j.right_held for _, j in right),
        "held_by_confidence": sum(j.right_held and any(RULE in v.rules for v in c.verdicts)
                                  for c, j in right),
    }


def lowest_motion_confidence(checked: CheckedCommand, registry: ToolRegistry) -> float | None:
    steps = checked.plan.steps if checked.plan is not None else ()
    values = [s.confidence for s in steps
              if (spec := registry.find(s.call.name)) is not None and spec.motion]
    known = [v for v in values if v is not None]
    return min(known) if known else None


def details(records: list[Record], unheld: list[Record],
            registry: ToolRegistry) -> list[dict[str, Any]]:
    """Per plan with a motion call: its lowest motion confidence, whether it was right, whether
    it moves wrongly (the model alone), and whether the other checks let that through
    (``unheld``: the records judged at threshold 0)."""
    rows = []
    for (expected, checked), (_, other) in zip(records, unheld):
        lowest = lowest_motion_confidence(checked, registry)
        if lowest is None:
            continue
        alone = judge(expected, checked, registry, False)
        rows.append({"line": expected.line, "command": expected.command, "right": alone.right,
                     "wrong_motion": alone.wrong_motion,
                     "passes_other_checks": judge(expected, other, registry, True).wrong_motion,
                     "lowest_motion_confidence": lowest})
    return sorted(rows, key=lambda row: row["lowest_motion_confidence"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None,
                        help="exported model directory (default: the embedded demo model)")
    parser.add_argument("--set", type=Path, default=None,
                        help=f"hand-written set to sweep (default: the packaged {DEV_SET})")
    parser.add_argument("--safety", type=Path, default=None,
                        help="safety.yaml for every other rule (default: packaged)")
    parser.add_argument("--thresholds", default=",".join(f"{t:g}" for t in THRESHOLDS),
                        help="comma-separated thresholds to judge at")
    parser.add_argument("--threads", type=int, default=1, help="ONNX Runtime intra-op threads")
    parser.add_argument("--details", action="store_true",
                        help="also list each plan's lowest motion-call confidence")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    model_dir = args.model or demo_model_dir()
    chosen_set = args.set or share_dir() / DEV_SET
    thresholds = [float(t) for t in args.thresholds.split(",")]
    report = evaluate(model_dir, safety=args.safety, eval_file=chosen_set, threads=args.threads)
    registry, config = report.registry, SafetyConfig.load(args.safety)
    rows = [{"threshold": t, **figures(rejudge(report.records, registry, config, t), registry)}
            for t in thresholds]
    unheld = rejudge(report.records, registry, config, 0.0)
    base = figures(unheld, registry)
    for row in rows:
        row["caught"] = base["wrong_motion_approved"] - row["wrong_motion_approved"]
    result: dict[str, Any] = {
        "set": str(chosen_set), "model_dir": str(model_dir), "n": len(report.records),
        "without_checks_wrong_motion": report.as_json()["without_checks"]["wrong_motion_approved"],
        "sweep": rows}
    if args.details:
        result["details"] = details(report.records, unheld, registry)
    if args.json:
        print(json.dumps(result))
        return 0
    for key in ("set", "model_dir", "n", "without_checks_wrong_motion"):
        print(f"{key:28} {result[key]}")
    print("threshold  wrong_motion_approved  caught  right_plans_sent_to_confirmation"
          "  held_by_confidence  right_plans")
    for row in rows:
        print(f"{row['threshold']:9g}  {row['wrong_motion_approved']:21d}  {row['caught']:6d}  "
              f"{row['right_plans_sent_to_confirmation']:32d}  {row['held_by_confidence']:18d}  "
              f"{row['right_plans']:11d}")
    for row in result.get("details", []):
        print(f"  {row['lowest_motion_confidence']:.4f}  right={row['right']!s:5}  "
              f"wrong_motion={row['wrong_motion']!s:5}  "
              f"passes_other_checks={row['passes_other_checks']!s:5}  {row['command']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
