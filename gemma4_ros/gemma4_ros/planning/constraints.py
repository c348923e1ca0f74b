"""Per-request grammar constraints for the planner, built from the registry's own schemas.

The expensive parts live once per planner: llguidance's view of the tokenizer (seconds at Gemma
4's 262,144 tokens, so built on the first constrained request, not at start-up) and one compiled
grammar per request shape (answer mode × thinking × step limit), built and compiled on first use
and kept by the factory, so a request neither writes nor compiles a grammar — unless its tools
copy arguments verbatim from a written instruction: that grammar holds the instruction's words,
so it is built and compiled for the request (about 3 ms, measured: 0.7 ms writing it, 2.5 ms
compiling it, alike at the demo model's 1,024 tokens and Gemma 4's 262,144; the tokenizer view,
the costly part, is still shared, and ``compile_grammar`` keeps the last 32 compiled). The same
grammar holds the numbers the instruction says (:mod:`said_numbers`), so a tool set with grounded
numbers compiles per written request too.
A request gets a fresh :class:`ToolCallConstraint` and wires it into the generation loop's three
hooks: the mask as ``logits_processor``, ``commit_and_prefetch`` as ``on_commit`` (the next mask
then computes while the model runs), and the grammar's forced tokens as ``forced_tokens`` (fed
through the model without sampling).
"""

from __future__ import annotations

import copy
import json
import threading
from typing import Any, Literal, Mapping, Optional, Sequence

from gemma4_ros.decoding.constraint import (CompiledGrammar, GrammarTokenizer,
                                            ToolCallConstraint, compile_grammar,
                                            load_grammar_tokenizer)
from gemma4_ros.decoding.grammar import VERBATIM_KEY, GrammarOptions, build_grammar
from gemma4_ros.planning.config import GrammarLimits
from gemma4_ros.planning.said_numbers import said_schemas
from gemma4_ros.runtime.generation import GenerationOptions
from gemma4_ros.chat.tokenizer import Gemma4Tokenizer
from gemma4_ros.tools import ToolRegistry

Mode = Literal["required", "auto", "text"]
Thinking = Literal["off", "on", "open"]


class ConstraintFactory:
    """Makes constraints for one tokenizer, model vocabulary and tool set."""

    def __init__(self, tokenizer: Gemma4Tokenizer, registry: ToolRegistry, vocab_size: int,
                 limits: GrammarLimits) -> None:
        self.tokenizer = tokenizer
        self.vocab_size = vocab_size
        self.limits = limits
        self.schemas = [(spec.name, _marked(_capped(spec.json_schema(), limits.string_chars_cap),
                                            spec.verbatim))
                        for spec in registry.tools]
        self.copies_verbatim = any(spec.verbatim for spec in registry.tools)
        self.grounded = ({spec.name: dict(spec.grounding) for spec in registry.tools
                          if spec.grounding} if limits.said_numbers else {})
        self._grammar_tokenizer: Optional[GrammarTokenizer] = None
        self._compiled: dict[tuple[Mode, Thinking, int], CompiledGrammar] = {}
        self._compiled_tools: dict[tuple[str, Thinking], CompiledGrammar] = {}
        self._lock = threading.Lock()

    def grammar_tokenizer(self) -> GrammarTokenizer:
        with self._lock:
            if self._grammar_tokenizer is None:
                self._grammar_tokenizer = load_grammar_tokenizer(
                    self.tokenizer.backend.to_str(), self.tokenizer.special_ids.eos,
                    self.vocab_size)
            return self._grammar_tokenizer

    def new(self, mode: Mode, thinking: Thinking, max_calls: int,
            instruction: str = "") -> ToolCallConstraint:
        """A fresh constraint for one answer of this shape; ``instruction`` is the operator's
        written words that verbatim arguments are copied from and grounded numbers are read from
        (empty for voice)."""
        if mode != "text" and (self.copies_verbatim or self.grounded) and instruction.strip():
            return self._compile(mode, thinking, max_calls, instruction).new_constraint()
        key = (mode, thinking, max_calls)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(mode, thinking, max_calls)
        return compiled.new_constraint()

    def for_tools(self, schemas: Sequence[tuple[str, Mapping[str, Any]]],
                  thinking: Thinking) -> ToolCallConstraint:
        """A fresh constraint for one turn that either calls one of ``schemas`` (read-only
        tools, not the robot's: the copilot's loop) or answers in text; compiled once per tool
        set and thinking mode."""
        key = (json.dumps(list(schemas), sort_keys=True), thinking)
        compiled = self._compiled_tools.get(key)
        if compiled is None:
            options = self._options("auto", thinking, 1)
            compiled = self._compiled_tools[key] = compile_grammar(
                self.grammar_tokenizer(), build_grammar(schemas, options))
        return compiled.new_constraint()

    def _options(self, mode: Mode, thinking: Thinking, max_calls: int,
                 instruction: str = "") -> GrammarOptions:
        limits = self.limits
        return GrammarOptions(
            mode=mode, max_calls=max_calls, thinking=thinking,
            max_text_chars=limits.max_text_chars, max_thought_chars=limits.max_thought_chars,
            max_string_chars=limits.max_string_chars, max_array_items=limits.max_array_items,
            max_decimals=limits.max_decimals, verbatim_source=instruction)

    def _compile(self, mode: Mode, thinking: Thinking, max_calls: int,
                 instruction: str = "") -> CompiledGrammar:
        options = self._options(mode, thinking, max_calls, instruction)
        schemas = self.schemas
        if self.grounded and instruction.strip():
            schemas = said_schemas(schemas, self.grounded, instruction, self.limits.max_decimals)
        grammar = build_grammar(schemas if mode != "text" else [], options)
        return compile_grammar(self.grammar_tokenizer(), grammar)


def hook(options: GenerationOptions, constraint: ToolCallConstraint) -> GenerationOptions:
    """``options`` with the constraint plugged into the loop's three hooks. The commit hook also
    starts the next mask on a worker thread, so it overlaps the model's forward pass; the mask
    hands back the allowed ids when they are few, so scoring a token reads only those."""
    options.logits_processor = constraint.mask_logits
    options.on_commit = constraint.commit_and_prefetch
    options.forced_tokens = constraint.forced_tokens
    return options


def _capped(schema: Any, cap: Optional[int]) -> Any:
    """A copy of ``schema`` whose strings are at most ``cap`` characters long (for the grammar
    only: a shorter string still passes the full schema's validation)."""
    if cap is None:
        return schema
    schema = copy.deepcopy(schema)
    _cap_strings(schema, cap)
    return schema


def _marked(schema: Any, verbatim: tuple[str, ...]) -> Any:
    """``schema`` with its verbatim arguments marked for the grammar (a copy when marked)."""
    if not verbatim:
        return schema
    schema = copy.deepcopy(schema)
    for name in verbatim:
        schema["properties"][name][VERBATIM_KEY] = True
    return schema


def _cap_strings(schema: Any, cap: int) -> None:
    if isinstance(schema, dict):
        kinds = schema.get("type")
        if kinds == "string" or (isinstance(kinds, list) and "string" in kinds):
            low = int(schema.get("minLength", 0))  # a required minimum beats the cap
            schema["maxLength"] = max(low, min(int(schema.get("maxLength", cap)), cap))
        for value in schema.values():
            _cap_strings(value, cap)
    elif isinstance(schema, list):
        for value in schema:
            _cap_strings(value, cap)
