"""Helpers for the planning tests: scripted engines and replies in Gemma 4's call syntax."""

from __future__ import annotations

from typing import Any, Callable, Optional

from gemma4_ros.planning import Planner, PlannerConfig
from gemma4_ros.runtime.generation import CausalModel, Engine
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.chat.tool_syntax import format_value
from gemma4_ros.testing.scripted_model import Replies, ScriptedModel
from gemma4_ros.tools import ToolRegistry

Q = '<|"|>'
WAIT = "<|tool_response>"
END = "<turn|>"

#: Caps that keep a random model's plans short (strings ≤ 12 chars, text ≤ 40).
RANDOM_SAFE = {"max_steps": 3, "max_tokens": 600,
               "grammar": {"max_text_chars": 40, "max_thought_chars": 40, "string_chars_cap": 12}}


def call(name: str, **arguments: Any) -> str:
    """One call as Gemma 4 writes it (keys sorted like the chat template)."""
    body = format_value(arguments)
    return f"<|tool_call>call:{name}{body}<tool_call|>"


def engine_for(model: CausalModel, tokenizer: Gemma4Tokenizer,
               clock: Optional[Callable[[], float]] = None, **kwargs: Any) -> Engine:
    settings: dict[str, Any] = {"eos_token_id": tokenizer.special_ids.eos, "stop_token_ids": []}
    if clock is not None:
        settings["clock"] = clock
    settings.update(kwargs)
    return Engine(model, **settings)


def scripted_planner(tokenizer: Gemma4Tokenizer, registry: ToolRegistry, replies: Replies,
                     **config: Any) -> tuple[Planner, ScriptedModel]:
    model = ScriptedModel(tokenizer, replies)
    planner = Planner(engine_for(model, tokenizer), tokenizer, registry, PlannerConfig(**config))
    return planner, model
