"""Faithfulness of the demo planner on the hand-written set, with and without the gate's checks,
beside its accuracy on the generator's own held-out split.

Every command of ``gemma4_ros/eval/handwritten_commands.jsonl`` (written by hand, never trained
on) goes through ``Planner.plan`` and the safety gate's ``check_plan``, as
``gemma4-ros plan --commands FILE --json`` does; the scoring is
:mod:`gemma4_ros.demo.faithfulness` (read it for what each figure means).

    python bench/faithfulness.py [--model DIR] [--tools F] [--safety F] [--limit N]
                                 [--dev | --eval-file F] [--heldout-limit N] [--failures] [--json]

Prints ``exact``, ``names``, and per view (``without_checks``: every call as if approved;
``with_checks``: the gate's verdicts decide) ``refusals_right``, ``wrong_motion_approved``,
``right_plans_sent_to_confirmation``, ``right_plans_rejected`` and ``p50_plan_latency_ms``
(planning, plus the gate with checks); exact
match per tag; and ``heldout``, the generator split's figures from bench/demo_model.py's
evaluation. ``--failures`` adds every command whose plan was not right. ``--dev`` scores the
development set (``eval/handwritten_dev.jsonl``) instead: the one to make recipe choices on.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gemma4_ros.demo.faithfulness import evaluate
from gemma4_ros.demo.handwritten import default_dev_file
from gemma4_ros.demo.heldout import evaluate_heldout
from gemma4_ros.paths import demo_model_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None,
                        help="exported demo model directory (default: the embedded demo model)")
    parser.add_argument("--tools", type=Path, default=None, help="tools.yaml (default: packaged)")
    parser.add_argument("--safety", type=Path, default=None,
                        help="safety.yaml of the checks (default: packaged)")
    parser.add_argument("--planner-config", type=Path, default=None,
                        help="planner.yaml (default: packaged); e.g. one with grammar: "
                             "{said_numbers: false} for the figures without said numbers")
    sets = parser.add_mutually_exclusive_group()
    sets.add_argument("--eval-file", type=Path, default=None,
                      help="a hand-written set in the same format (default: the packaged one)")
    sets.add_argument("--dev", action="store_true",
                      help="score the development set, the one recipe choices are made on")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N commands")
    parser.add_argument("--heldout-limit", type=int, default=None,
                        help="score only the first N generator held-out commands (0: skip)")
    parser.add_argument("--threads", type=int, default=1, help="ONNX Runtime intra-op threads")
    parser.add_argument("--failures", action="store_true",
                        help="also list every command whose plan was not right")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    model_dir = args.model or demo_model_dir()
    eval_file = default_dev_file() if args.dev else args.eval_file
    report = evaluate(model_dir, args.tools, args.safety, eval_file=eval_file,
                      limit=args.limit, threads=args.threads, planner_config=args.planner_config)
    result = {**report.as_json(), "model_dir": str(model_dir)}
    if args.heldout_limit != 0:
        result["heldout"] = evaluate_heldout(model_dir, args.tools, args.heldout_limit,
                                             args.threads).as_json()
    if args.failures:
        result["failures"] = report.failures()
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            if key == "failures":
                print("failures:")
                for failure in value:
                    print(f"  {json.dumps(failure)}")
            else:
                print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
