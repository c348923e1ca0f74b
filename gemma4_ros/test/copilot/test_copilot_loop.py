"""The copilot's own loop: the model calls the read-only tools it chooses, reads their responses
and answers; bounded by a call cap; only the tools given can be called; everything consulted is
cited."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.cli import main
from gemma4_ros.copilot.loop import (ConsultedError, answer_with_tools, audit_events,
                                     manual_search)
from gemma4_ros.paths import share_dir
from gemma4_ros.planning import Planner, PlannerConfig
from gemma4_ros.runtime.generation import Engine
from gemma4_ros.safety.audit import AuditLog
from gemma4_ros.testing.scripted_model import ScriptedModel
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import CitationKind, Decision, Plan, SafetyVerdict, ToolCall

MANUALS = share_dir() / "examples" / "manuals"
Q = '<|"|>'
SEARCH = f"<|tool_call>call:search_manual{{query:{Q}replace the battery{Q}}}<tool_call|>" \
         "<|tool_response>"
EVENTS = "<|tool_call>call:recent_events{count:3}<tool_call|><|tool_response>"


def planner_with(tokenizer: Gemma4Tokenizer, replies: list[str],
                 **config: object) -> tuple[Planner, ScriptedModel]:
    model = ScriptedModel(tokenizer, replies)
    engine = Engine(model, eos_token_id=tokenizer.special_ids.eos, stop_token_ids=[],
                    max_context_tokens=8192)
    return Planner(engine, tokenizer, ToolRegistry.load(),
                   PlannerConfig.model_validate(config)), model


def test_the_model_searches_then_answers_from_what_it_found(tokenizer, index) -> None:
    planner, model = planner_with(tokenizer, [SEARCH, "Open the battery bay.<turn|>"])
    answer = answer_with_tools(planner, "how do I swap the battery?",
                               [manual_search(planner, index)])
    assert answer.text == "Open the battery bay."
    assert answer.citations[0].source == "battery.md"
    first, second = model.prompts
    assert "declaration:search_manual" in first and "call:search_manual" not in first
    assert "call:search_manual{query:" in second and "Open the battery bay" in second
    assert "declaration:navigate_to" not in first  # never a robot tool


def test_a_source_read_twice_is_cited_once(tokenizer, index) -> None:
    planner, _ = planner_with(tokenizer, [SEARCH, SEARCH, "Open the bay.<turn|>"])
    answer = answer_with_tools(planner, "how do I swap the battery?",
                               [manual_search(planner, index)], max_calls=3)
    assert len(answer.citations) == len(set(answer.citations)) > 0


def test_no_answer_after_consulting_keeps_the_citations(tokenizer, index) -> None:
    """A turn that fails (here the answer runs past ask_max_tokens) raises ConsultedError with
    what was consulted before, so the sources still reach the operator."""
    planner, _ = planner_with(tokenizer, [SEARCH, "word " * 200 + "<turn|>"], ask_max_tokens=40)
    with pytest.raises(ConsultedError, match="tokens") as failed:
        answer_with_tools(planner, "how do I swap the battery?", [manual_search(planner, index)])
    assert failed.value.citations and failed.value.citations[0].source == "battery.md"


def test_the_call_cap_makes_it_answer_from_what_it_has(tokenizer, index, tmp_path: Path) -> None:
    audit = tmp_path / "audit.jsonl"
    plan = Plan.from_calls([ToolCall(name="move", arguments={"distance": 2, "speed": 0.9})],
                           instruction="move 2 m at 0.9 m/s", plan_id="plan-fast")
    with AuditLog(audit) as log:
        log.record("plan", plan=plan.model_dump(mode="json"))
        log.record("verdict", verdict=SafetyVerdict(
            plan_id="plan-fast", step_index=0, tool="move", decision=Decision.REJECTED,
            rules=("bounds.speed",), reasons=("too fast",)).model_dump(mode="json"))
    planner, model = planner_with(tokenizer, [EVENTS, SEARCH, "It was too fast.<turn|>"])
    tools = [manual_search(planner, index), audit_events(planner, audit, "why?")]
    answer = answer_with_tools(planner, "why was it refused?", tools, max_calls=2)
    assert answer.text == "It was too fast."
    kinds = [c.kind for c in answer.citations]
    assert kinds[0] is CitationKind.RULE and CitationKind.DOCUMENT in kinds
    assert len(model.prompts) == 3  # two calls, then an answer under the text-only grammar
    last = model.prompts[2]
    assert "call:recent_events{count:3}" in last and "call:search_manual{query:" in last
    assert "bounds.speed" in last  # the events' response, as the model read it


def test_cli_tool_calls_on_the_demo_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    """``ask --tool-calls N``: the demo model was never taught the calls, so it answers at once
    (no citations: it consulted nothing); --plan or --image with it is a usage error."""
    db = str(tmp_path / "index.sqlite3")
    code = main(["ask", "how do I replace the battery?", "--docs", str(MANUALS), "--db", db,
                 "--tool-calls", "2", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0 and out["question"] == "how do I replace the battery?"
    assert out["plan"] is None and isinstance(out["citations"], list)
    assert main(["ask", "q", "--docs", str(MANUALS), "--db", db, "--tool-calls", "1",
                 "--plan"]) == 2
    assert "leave out --image and --plan" in capsys.readouterr().err
