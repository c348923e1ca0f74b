"""The copilot's answer: grounded text, and a plan when one was asked for."""

from __future__ import annotations

import time
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field

from gemma4_ros.types import Plan, PlanLatency


class Answer(BaseModel):
    """What ``Planner.ask`` returns (and ``srv/Ask`` carries): ``text`` is the answer, always
    generated as an answer; ``plan`` is None unless one was asked for (then the token counts
    cover both generations and ``latency`` is the answer's)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question: str
    text: str = ""
    plan: Optional[Plan] = None
    model: str = ""
    prompt_tokens: int = Field(default=0, ge=0)
    completion_tokens: int = Field(default=0, ge=0)
    latency: PlanLatency = PlanLatency()
    stamp: float = Field(default_factory=time.time)
