"""A manual's numbered procedure as a proposed plan: each step planned by the model where it can
do it surely and as written, put to the operator where it cannot.

"Prepare the battery swap" asks for the steps the manual lists, not for a plan of the question's
words. So the best-matching passage that holds a numbered list is read as a procedure, and each
step is planned on its own ("Send the robot to the dock" → ``dock``). A step keeps the model's
calls only when the model was sure of every one (each call's confidence at least the gate's
``confidence.min_for_motion``) and every number and place in them is in the step's own words
(the gate's grounding check, run on the step alone); anything else — "Swap the battery", a step
the model refuses or half understands — becomes a prompt to the operator (the registry's
``report``, else ``speak``) that quotes the step, so no motion is invented for work only a person
can do. Every call's ``rationale`` names the manual, section, step and line it came from, and the
plan carries source COPILOT: it is proposed, and runs only if the operator sends it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from gemma4_ros.copilot.index import Hit
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.planning.errors import PlanCancelledError, PlanningError
from gemma4_ros.planning.planner import Planner
from gemma4_ros.safety.config import SafetyConfig
from gemma4_ros.safety.rules_grounding import GroundingRule
from gemma4_ros.tools import ToolRegistry
from gemma4_ros.types import Citation, Plan, PlanSource, ToolCall

PROMPT_TOOLS = ("report", "speak")  # how a step goes to the operator, first declared wins
MIN_STEPS = 2  # a numbered list of one item is no procedure
MAX_PROMPT_CHARS = 2000  # a prompt's length when the tool's argument declares none
_ITEM = re.compile(r"^\s{0,3}(\d{1,3})[.)]\s+(\S.*)$")


class ProcedureError(Gemma4RosError):
    """A procedure that cannot become a plan; ``hint`` says what to change."""


@dataclass(frozen=True)
class ProcedureStep:
    """One numbered step: its number, its text (continuation lines joined), its first line."""

    number: int
    text: str
    line: int


@dataclass(frozen=True)
class Procedure:
    """The numbered steps of one passage, and where they are."""

    document: str
    section: str
    steps: tuple[ProcedureStep, ...]

    def citation(self, step: ProcedureStep) -> Citation:
        return Citation(source=self.document, locator=f"{self.section}, line {step.line}",
                        quote=f"{step.number}. {step.text}")

    def where(self, step: ProcedureStep) -> str:
        return f"step {step.number} of {self.document} > {self.section} (line {step.line})"


def find_procedure(hits: Sequence[Hit]) -> Procedure | None:
    """The first passage, best match first, that holds a numbered list of at least
    :data:`MIN_STEPS` items counting up from 1; None when none does."""
    for hit in hits:
        steps = _numbered(hit.text, hit.line)
        if len(steps) >= MIN_STEPS:
            return Procedure(hit.document, hit.locator, steps)
    return None


def _numbered(text: str, first_line: int) -> tuple[ProcedureStep, ...]:
    """The first run of items numbered 1, 2, 3...: an indented line, or a line wrapping an item
    that has not ended its sentence, belongs to the item before it; numbering that does not
    count on, or a paragraph after a finished item, ends the run."""
    steps: list[ProcedureStep] = []
    for offset, raw in enumerate(text.splitlines()):
        item = _ITEM.match(raw)
        if item and int(item.group(1)) == len(steps) + 1:
            steps.append(ProcedureStep(len(steps) + 1, item.group(2).strip(), first_line + offset))
        elif item and steps:
            break
        elif steps and raw.strip():
            last = steps[-1]
            if not raw[:1].isspace() and last.text.rstrip().endswith((".", "!", "?")):
                break
            steps[-1] = ProcedureStep(last.number, f"{last.text} {raw.strip()}", last.line)
    return tuple(steps)


def plan_procedure(planner: Planner, procedure: Procedure, safety: SafetyConfig,
                   cancel: threading.Event | None = None) -> Plan:
    """The procedure as one proposed plan (source COPILOT), its instruction the numbered steps
    as written (on one line), so the gate checks every number and place against the manual's
    words. ``cancel`` set (an Ask that timed out) stops it: PlanCancelledError, no half plan."""
    registry = planner.registry
    prompt_tool, prompt_argument, most = _prompt_tool(registry)
    grounding = GroundingRule(safety, registry)
    threshold = safety.confidence.min_for_motion
    calls: list[ToolCall] = []
    rationales: list[str] = []
    confidences: list[float | None] = []
    for step in procedure.steps:
        planned = _sure_plan(planner, step, grounding, threshold, cancel)
        where = procedure.where(step)
        if planned is None:
            prompt = f"Operator, step {step.number}: {step.text}"
            if len(prompt) > most:  # the tool's maxLength: the citation keeps the whole step
                prompt = prompt[:most - 4].rstrip() + " ..."
            calls.append(ToolCall(name=prompt_tool, arguments={prompt_argument: prompt}))
            rationales.append(f"{where}: for the operator (no tool does it surely as written)")
            confidences.append(None)
            continue
        for planned_step in planned.steps:
            calls.append(planned_step.call)
            rationales.append(where)
            confidences.append(planned_step.confidence)
    instruction = " ".join(f"{step.number}. {step.text}" for step in procedure.steps)
    plan = Plan.from_calls(calls, instruction=instruction, source=PlanSource.COPILOT,
                           frame_id=registry.frame, model=planner.model_name)
    steps = tuple(step.model_copy(update={"rationale": why, "confidence": sure})
                  for step, why, sure in zip(plan.steps, rationales, confidences))
    return plan.model_copy(update={"steps": steps})


def _sure_plan(planner: Planner, step: ProcedureStep, grounding: GroundingRule,
               threshold: float, cancel: threading.Event | None) -> Plan | None:
    """The model's plan of one step when it has calls, each as sure as the threshold and
    grounded in the step's words; None otherwise (a refusal, an error, a doubt)."""
    try:
        plan = planner.plan(step.text, source=PlanSource.COPILOT, cancel=cancel)
    except PlanCancelledError:
        raise
    except PlanningError:
        return None
    if not plan.steps or any(s.confidence is None or s.confidence < threshold
                             for s in plan.steps):
        return None
    if grounding.judge(plan):
        return None
    return plan


def _prompt_tool(registry: ToolRegistry) -> tuple[str, str, int]:
    """The tool and argument a step goes to the operator with: the first of
    :data:`PROMPT_TOOLS` declared, its first required string argument, and that argument's
    maxLength (a long step is cut to fit)."""
    for name in PROMPT_TOOLS:
        if name not in registry.names:
            continue
        schema = registry.get(name).parameters
        for argument in schema.get("required", ()):
            spec = schema.get("properties", {}).get(argument, {})
            if spec.get("type") == "string":
                return name, argument, int(spec.get("maxLength", MAX_PROMPT_CHARS))
    raise ProcedureError(
        "no tool can put a procedure step to the operator",
        f"declare {' or '.join(PROMPT_TOOLS)} with a required string argument in tools.yaml")
