"""The shipped manual tells the truth about the gate: its error-code table names exactly the rule
ids the gate can report, so a copilot that cites it never cites a code that does not exist."""

from __future__ import annotations

import json
import re
import typing
from pathlib import Path

from gemma4_ros.copilot.config import load_copilot_config
from gemma4_ros.copilot.documents import read_passages
from gemma4_ros.paths import share_dir
from gemma4_ros.safety.config import Bound

SAFETY = Path(__file__).resolve().parents[2] / "gemma4_ros" / "safety"


def gate_rule_ids() -> set[str]:
    """Every rule id in the gate's source: string literals shaped ``family.name`` (file names
    aside), and ``bounds.<kind>`` for each kind a bound may have."""
    literals = set()
    for path in SAFETY.glob("*.py"):
        literals |= set(re.findall(r'"([a-z]+\.[a-z_]+)"', path.read_text(encoding="utf-8")))
    kinds = typing.get_args(Bound.model_fields["kind"].annotation)
    return {i for i in literals if not i.endswith(".yaml")} | {f"bounds.{k}" for k in kinds}


def documented_rule_ids() -> set[str]:
    manual = load_copilot_config().documents[0] / "error_codes.md"
    rows = [line for line in manual.read_text(encoding="utf-8").splitlines()
            if line.startswith("| `")]
    return {code for row in rows for code in re.findall(r"`([a-z_]+\.[a-z_]+)`", row.split("|")[1])}


def test_the_error_code_table_is_the_gate_s_rule_ids() -> None:
    gate = gate_rule_ids()
    assert len(gate) > 20
    assert documented_rule_ids() == gate


def test_every_evaluation_question_points_at_a_real_section() -> None:
    """bench/copilot.py's hand-written questions name sections the shipped manual has, so a
    renamed heading fails here instead of scoring the search as wrong."""
    config = load_copilot_config()
    sections = {(path.name, passage.locator) for path in config.documents[0].glob("*.md")
                for passage in read_passages(path, config.chunk_words, config.max_file_bytes)}
    lines = (share_dir() / "eval" / "copilot_questions.jsonl").read_text().splitlines()
    questions = [json.loads(line) for line in lines if line.strip()]
    assert len(questions) >= 40
    assert {(q["document"], q["section"]) for q in questions} <= sections
