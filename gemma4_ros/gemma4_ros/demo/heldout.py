"""The demo model's held-out evaluation through the path users run: ``Planner.plan``.

Each held-out command goes through the model directory's tokenizer and chat template, the ONNX
Runtime generation loop, llguidance over Gemma 4's call syntax, the total parser and the schema
re-validation, and comes back as a typed ``Plan`` (or a ``PlanningError``, scored as no answer).
Shared by ``bench/demo_model.py`` and the regression floor in the tests, so both measure the same
thing.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gemma4_ros.demo.corpus import Example, build_heldout, fingerprint
from gemma4_ros.demo.evaluate import Scores
from gemma4_ros.demo.steps import Call
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.planning.errors import PlanningError
from gemma4_ros.planning.loading import load_planner
from gemma4_ros.runtime.config import RuntimeConfig
from gemma4_ros.tools import ToolRegistry


def heldout_examples(model_dir: Path, registry: ToolRegistry) -> list[Example]:
    """The held-out split the model was trained beside (seed and sizes from its demo.json)."""
    meta_path = model_dir / "demo.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    options = meta.get("options", {})
    heldout = build_heldout(registry, options.get("seed", 0), options.get("n_heldout", 400),
                            options.get("noise", 0.0))
    recorded = meta.get("heldout_sha256")
    if recorded and recorded != fingerprint(heldout):
        raise Gemma4RosError(
            f"{meta_path}: the held-out split this code generates is not the one the model was "
            "trained beside (the phrasebook, generator or tools.yaml changed)",
            "retrain with python -m gemma4_ros.demo.train, or evaluate with the code it was "
            "trained with")
    return list(heldout)


@dataclass(frozen=True)
class HeldoutReport:
    scores: Scores
    failed_plans: int  # PlanningError: no valid plan came out
    completion_tokens: int
    seconds: float

    def as_json(self) -> dict[str, Any]:
        summary = self.scores.summary()
        return {
            "heldout_exact_match": summary["exact_match"],
            "heldout_args_accuracy": summary["args_accuracy"],
            "n_heldout": summary["n"],
            "exact_match_by_kind": summary["by_kind"],
            "failed_plans": self.failed_plans,
            "tokens_per_s": round(self.completion_tokens / self.seconds, 1) if self.seconds else 0.0,
        }


def evaluate_heldout(model_dir: Path, tools: Path | None = None, limit: int | None = None,
                     threads: int = 1) -> HeldoutReport:
    """Plan every held-out command (the first ``limit``) and score the plans' calls."""
    registry = ToolRegistry.load(tools)
    examples = heldout_examples(model_dir, registry)[:limit]
    runtime = RuntimeConfig(model_dir=model_dir, providers=["cpu"],
                            intra_op_threads=threads)
    planner = load_planner(model_dir, tools, runtime_config=runtime)
    scores, failed, tokens, seconds = Scores(), 0, 0, 0.0
    for example in examples:
        start = time.perf_counter()
        try:
            plan = planner.plan(example.command)
        except PlanningError:
            failed += 1
            scores.add_calls(example, None)
            continue
        finally:
            seconds += time.perf_counter() - start
        tokens += plan.completion_tokens
        scores.add_calls(example, [Call(s.call.name, s.call.arguments) for s in plan.steps])
    return HeldoutReport(scores, failed, tokens, seconds)
