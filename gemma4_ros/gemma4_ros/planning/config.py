"""Planner settings (``config/planner.yaml``): what the model is told, and the request limits.

Loaded with :func:`gemma4_ros.config.load_config`, so a misspelt key or a negative limit fails at
start-up with the file, the key and the fix. Each request may lower or raise the limits; these
are the defaults a node or the CLI uses when it says nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from pydantic import Field, StrictBool

from gemma4_ros.config import StrictModel, load_config

DEFAULT_FILE = "planner.yaml"

DEFAULT_SYSTEM_PROMPT = (
    "You are the planner of a mobile robot. Turn the operator's instruction into calls of the "
    "declared tools, in the order they must run, using only the declared places. If no tool can "
    "do what is asked, do not call any tool: answer in one short sentence instead."
)
DEFAULT_ASK_PROMPT = (
    "You are the assistant of a robot's operator. Answer the question briefly and only from "
    "what you are shown or told; say so when you cannot tell."
)


class GrammarLimits(StrictModel):
    """Caps that keep constrained output finite and short (a weak or random model never "wants"
    to close a string). They only narrow what may be generated; validation still uses the full
    tool schemas."""

    max_text_chars: int = Field(default=400, ge=1, description="plain text of an answer")
    max_thought_chars: int = Field(default=2000, ge=1, description="thinking text")
    max_string_chars: int = Field(default=256, ge=1, description="strings without maxLength")
    string_chars_cap: Optional[int] = Field(
        default=None, ge=1,
        description="also cap strings that declare a larger maxLength; null = no")
    max_array_items: int = Field(default=16, ge=1, description="arrays without maxItems")
    max_decimals: int = Field(default=4, ge=1, le=12, description="decimals a number may carry")
    said_numbers: StrictBool = Field(
        default=True,
        description="a written command's grounded numbers (tools.yaml units) may only be values "
                    "it says, when it says any of their kind; false: any number in range")


class PlannerConfig(StrictModel):
    """Everything :class:`gemma4_ros.planning.planner.Planner` reads besides model and tools."""

    system_prompt: str = Field(default=DEFAULT_SYSTEM_PROMPT, min_length=1,
                               description="system turn before the tool declarations")
    ask_system_prompt: str = Field(default=DEFAULT_ASK_PROMPT, min_length=1,
                                   description="system turn of ask() (no tools)")
    constrained: StrictBool = Field(default=True, description="decode under the tool-call grammar")
    allow_text_answer: StrictBool = Field(
        default=True,
        description="plan() may end in a text answer with no calls (e.g. a refusal)")
    thinking: StrictBool = Field(default=False,
                           description="thinking mode when a request does not say")
    max_steps: int = Field(default=8, ge=1, le=64, description="most tool calls in one plan")
    max_tokens: int = Field(default=512, ge=1, description="generated tokens per plan")
    ask_max_tokens: int = Field(default=256, ge=1,
                                description="generated tokens per ask() answer")
    deadline_s: Optional[float] = Field(default=30.0, gt=0.0,
                                        description="seconds per request; null = none")
    history_entries: int = Field(default=32, ge=0,
                                 description="conversations kept for replan()")
    model_name: str = Field(default="",
                            description="name written into plans; empty = model directory")
    grammar: GrammarLimits = Field(default_factory=lambda: GrammarLimits())


def load_planner_config(path: str | Path | None = None) -> PlannerConfig:
    """Load ``path``, or the packaged ``config/planner.yaml`` when None."""
    return load_config(PlannerConfig, path, DEFAULT_FILE)
