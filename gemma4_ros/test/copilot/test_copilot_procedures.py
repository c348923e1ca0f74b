"""A manual's numbered procedure as a proposed plan: steps read from the passage with their
lines, each planned by the model where it is sure and grounded, put to the operator where not."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from gemma4_ros.cli import main
from gemma4_ros.copilot.index import Hit
from gemma4_ros.copilot.procedures import (ProcedureError, _prompt_tool, find_procedure,
                                           plan_procedure)
from gemma4_ros.planning.errors import PlanCancelledError
from gemma4_ros.paths import share_dir
from gemma4_ros.planning import Planner, PlannerConfig
from gemma4_ros.runtime.generation import Engine
from gemma4_ros.safety.config import SafetyConfig
from gemma4_ros.testing.scripted_model import ScriptedModel
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import PlanSource

MANUALS = share_dir() / "examples" / "manuals"

PASSAGE = """Before you start, read the whole procedure.

1. Send the robot to the dock.
2. Wait 15 seconds
   until the light is green.
3. Drive to the lab.
4. Swap the battery and reconnect
the connector.

After step 4 the robot is ready.
1. Another list starts here."""


def hit(text: str, line: int = 10, locator: str = "Battery > Swap") -> Hit:
    return Hit(document="battery.md", locator=locator, line=line, text=text, score=1.0)


def test_steps_with_their_lines_and_wrapped_text() -> None:
    procedure = find_procedure([hit("No list here.", locator="Intro"), hit(PASSAGE)])
    assert procedure is not None and procedure.section == "Battery > Swap"
    assert [(s.number, s.line, s.text) for s in procedure.steps] == [
        (1, 12, "Send the robot to the dock."),
        (2, 13, "Wait 15 seconds until the light is green."),  # indented: belongs to step 2
        (3, 15, "Drive to the lab."),
        (4, 16, "Swap the battery and reconnect the connector."),  # wrapped mid-sentence
    ]  # the paragraph after step 4 ends the list; the second list is not read on
    cited = procedure.citation(procedure.steps[1])
    assert (cited.source, cited.locator) == ("battery.md", "Battery > Swap, line 13")
    assert cited.quote == "2. Wait 15 seconds until the light is green."


@pytest.mark.parametrize("text", ["1. Only one step.", "Plain text.", "2. Starts at two.\n3. x.",
                                  ""])
def test_no_procedure(text: str) -> None:
    assert find_procedure([hit(text)]) is None


REPLIES = {
    "Send the robot to the dock.": "<|tool_call>call:dock{}<tool_call|><|tool_response>",
    "Wait 15 seconds": "<|tool_call>call:wait{seconds:15}<tool_call|><|tool_response>",
    # valid and sure, but the lab was asked for: not grounded in the step, so the operator's
    "Drive to the lab.": "<|tool_call>call:navigate_to{place:<|\"|>kitchen<|\"|>}<tool_call|>"
                         "<|tool_response>",
}


def reply(prompt: str) -> str:
    asked = prompt.rsplit("<|turn>user\n", 1)[-1]
    return next((r for step, r in REPLIES.items() if step in asked),
                "sorry, i cannot do that with my tools.<turn|>")


def test_sure_grounded_steps_are_calls_the_rest_go_to_the_operator(tokenizer) -> None:
    model = ScriptedModel(tokenizer, reply)
    engine = Engine(model, eos_token_id=tokenizer.special_ids.eos, stop_token_ids=[])
    planner = Planner(engine, tokenizer, ToolRegistry.load(), PlannerConfig())
    procedure = find_procedure([hit(PASSAGE)])
    assert procedure is not None
    plan = plan_procedure(planner, procedure, SafetyConfig.load())
    assert plan.source is PlanSource.COPILOT
    assert plan.instruction.startswith("1. Send the robot to the dock. 2. Wait 15 seconds")
    assert [(s.call.name, s.call.arguments) for s in plan.steps] == [
        ("dock", {}), ("wait", {"seconds": 15}),
        ("report", {"text": "Operator, step 3: Drive to the lab."}),
        ("report", {"text": "Operator, step 4: Swap the battery and reconnect the connector."}),
    ]
    assert plan.steps[0].rationale == "step 1 of battery.md > Battery > Swap (line 12)"
    assert plan.steps[2].rationale.startswith("step 3 of battery.md > Battery > Swap (line 15)")
    assert "for the operator" in plan.steps[3].rationale
    assert plan.steps[0].confidence is not None and plan.steps[3].confidence is None


def test_a_long_step_is_cut_to_fit_and_a_cancel_stops_it_all(tokenizer) -> None:
    model = ScriptedModel(tokenizer, reply)
    engine = Engine(model, eos_token_id=tokenizer.special_ids.eos, stop_token_ids=[])
    planner = Planner(engine, tokenizer, ToolRegistry.load(), PlannerConfig())
    long = find_procedure([hit("1. Check " + "the valve " * 300 + "\n2. Done.")])
    assert long is not None
    plan = plan_procedure(planner, long, SafetyConfig.load())
    text = plan.steps[0].call.arguments["text"]
    assert len(text) <= 2000 and text.endswith(" ...")
    assert long.citation(long.steps[0]).quote.endswith("the valve")  # the citation keeps it all
    cancelled = threading.Event()
    cancelled.set()
    with pytest.raises(PlanCancelledError):
        plan_procedure(planner, long, SafetyConfig.load(), cancelled)


def test_a_registry_without_a_prompt_tool_is_an_error(tmp_path: Path) -> None:
    packaged = ToolRegistry.load()
    kept = [name for name in packaged.names if name not in ("report", "speak")]
    assert kept and ("report" in packaged.names)
    assert _prompt_tool(packaged) == ("report", "text", 2000)
    tools = tmp_path / "tools.yaml"
    tools.write_text("frame: map\ntools:\n  - name: stop\n    description: Stop.\n"
                     "    parameters: {type: object, properties: {}, additionalProperties: false}\n"
                     "    risk: LOW\n    motion: false\n    idempotent: true\n    timeout_s: 5.0\n"
                     "    binding: {kind: sim}\n", encoding="utf-8")
    with pytest.raises(ProcedureError, match="report or speak"):
        _prompt_tool(ToolRegistry.load(tools))


def test_ask_plan_with_docs_proposes_the_procedure(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI end to end on the embedded demo model: it was never taught these steps, so each
    is put to the operator, quoting the manual, and nothing moves."""
    code = main(["ask", "prepare the battery swap procedure", "--docs", str(MANUALS), "--plan",
                 "--db", str(tmp_path / "index.sqlite3"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    plan = out["plan"]
    assert plan["source"] == "copilot" and plan["instruction"].startswith("1. Press the e-stop")
    assert plan["steps"][0]["rationale"].startswith(
        "step 1 of battery.md > Battery > Replacing the battery (line 38)")
    texts = [s["call"]["arguments"].get("text", "") for s in plan["steps"]]
    assert texts[0] == "Operator, step 1: Press the e-stop so that nothing can move."
    assert len(texts) == 6 and all(s["call"]["name"] == "report" for s in plan["steps"])
    procedure = [c for c in out["citations"] if c["locator"].endswith("line 38")]
    assert procedure and procedure[0]["quote"].startswith("1. Press the e-stop")
