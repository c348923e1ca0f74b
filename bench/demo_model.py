"""Held-out accuracy of the demo planner through the full path, and its speed.

tokenizer → the model directory's chat template → ONNX Runtime generation loop → llguidance over
Gemma 4's call syntax → total parser and schema validation → ``Plan``: exactly
``Planner.plan``, scored against the held-out split of the demo corpus (rebuilt from the seed and
sizes recorded in the model's ``demo.json``).

    python bench/demo_model.py [--model DIR] [--tools tools.yaml] [--limit N] [--json]

Prints held-out exact match of the call sequence and argument accuracy
(``heldout_exact_match``, ``heldout_args_accuracy``, ``n_heldout``), exact match per step count,
how many commands gave no valid plan, and decode speed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gemma4_ros.demo.heldout import evaluate_heldout
from gemma4_ros.paths import demo_model_dir


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", type=Path, default=None,
                        help="exported demo model directory (default: the embedded demo model)")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N commands")
    parser.add_argument("--threads", type=int, default=1, help="ONNX Runtime intra-op threads")
    parser.add_argument("--tools", type=Path, default=None,
                        help="tools.yaml the model was trained for (default: the packaged one)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args(argv)
    model_dir = args.model or demo_model_dir()
    result = {**evaluate_heldout(model_dir, args.tools, args.limit, args.threads).as_json(),
              "model_dir": str(model_dir)}
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:24} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
