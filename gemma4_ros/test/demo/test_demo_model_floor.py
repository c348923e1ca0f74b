"""Regression floor for the embedded demo model, measured through ``Planner.plan``.

``bench/demo_model.py`` prints the full held-out figures (400 commands); this scores the first
120, where the shipped model makes 0.925 exact match and 0.958 argument accuracy (0.8925 and
0.936 on all 400: the split now carries typing noise, reasoned refusals and more 3-step
commands), and fails if a change to the tokenizer, the chat template, the runtime, the grammar
or the parser drags it below the floor. The hand-written figures are
``test_demo_faithfulness.py``'s.
"""

from __future__ import annotations

import pytest

from gemma4_ros.demo.heldout import evaluate_heldout
from gemma4_ros.paths import demo_model_dir
from gemma4_ros.planning.loading import missing_model_files

EXACT_MATCH_FLOOR = 0.88
ARGS_ACCURACY_FLOOR = 0.92


def test_demo_model_keeps_its_heldout_accuracy() -> None:
    model_dir = demo_model_dir()
    if missing_model_files(model_dir):
        pytest.fail(f"the embedded demo model is incomplete: {missing_model_files(model_dir)}")
    report = evaluate_heldout(model_dir, limit=120)
    result = report.as_json()
    assert result["n_heldout"] == 120
    assert report.failed_plans == 0, "every held-out command must yield a valid plan or refusal"
    assert result["heldout_exact_match"] >= EXACT_MATCH_FLOOR, result
    assert result["heldout_args_accuracy"] >= ARGS_ACCURACY_FLOOR, result
