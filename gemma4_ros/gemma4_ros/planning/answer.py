"""The copilot's answer: grounded text, where it came from, and a plan when one was asked for."""

from __future__ import annotations

import time
from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, Field

from gemma4_ros.types import Citation, Plan, PlanLatency


class Consultation(BaseModel):
    """A read-only tool run for the question before the model answers, shown to the model as
    its own call and the tool's response (Gemma 4's tool-response turn), so the answer can
    rest on what the robot's records say rather than on what the model remembers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    declaration: dict[str, Any] = Field(description="the tool as declared to the model")
    arguments: dict[str, Any]
    response: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.declaration["name"])


class Answer(BaseModel):
    """What ``Planner.ask`` returns (and ``srv/Ask`` carries): ``text`` is the answer, always
    generated as an answer; ``citations`` where it came from (the passages consulted, best
    first); ``plan`` is None unless one was asked for (then the token counts cover both
    generations and ``latency`` is the answer's)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question: str
    text: str = ""
    citations: tuple[Citation, ...] = ()
    plan: Optional[Plan] = None
    model: str = ""
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    latency: PlanLatency = PlanLatency()
    stamp: float = Field(default_factory=time.time)
