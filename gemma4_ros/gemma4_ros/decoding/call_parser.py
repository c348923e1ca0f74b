"""Decoded model text → tool calls, totally: every input gives calls or a typed error with a span.

Two steps, kept apart because they fail for different reasons:

1. :func:`parse_turn` splits the text on Gemma 4 markup — an optional thought channel, plain
   text, ``<|tool_call>call:NAME{…}<tool_call|>`` blocks, a closing stop marker — and reads each
   argument object with the runtime's Gemma 4 value reader
   (:func:`gemma4_ros.chat.tool_syntax.parse_arguments`, the one reader of that syntax).
2. :class:`CallValidator` re-checks every call against its tool's JSON Schema with
   ``jsonschema`` — the ranges, lengths, patterns and anything else a grammar could not hold, and
   everything at all when decoding ran unconstrained.

Neither raises on model output: problems come back as :class:`ToolCallError` values (an
exception type, so a caller that wants to can raise it), naming the span of the text at fault.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Union

import jsonschema
from jsonschema.exceptions import best_match

from gemma4_ros.decoding import markup
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.chat import special_tokens as tokens
from gemma4_ros.chat.tool_syntax import ToolSyntaxError, parse_arguments
from gemma4_ros.types import ToolCall

Span = tuple[int, int]
_MARKUP = re.compile(r'<\||<[A-Za-z_"]*\|>|\|>')
_HINTS = {
    "syntax": "constrain decoding with the tool-call grammar, or fix the model's output format",
    "unknown_tool": "declare the tool in tools.yaml or keep it out of the model's answer",
    "schema": "the call's arguments break its tool's JSON Schema; constrain decoding or re-plan",
}


class ToolCallError(Gemma4RosError):
    """Why model text did not yield valid calls: ``kind`` (syntax, unknown_tool, schema), the
    character ``span`` at fault, and for schema problems the ``tool`` and argument ``path``."""

    def __init__(self, kind: str, problem: str, span: Span, tool: str = "", path: str = "") -> None:
        self.kind = kind
        self.span = span
        self.tool = tool
        self.path = path
        where = f" in {tool}" + (f" at {path}" if path else "") if tool else ""
        super().__init__(f"{problem}{where} (characters {span[0]}..{span[1]})", _HINTS[kind])


@dataclass(frozen=True)
class ParsedCall:
    """One call as written; ``span`` covers its ``<|tool_call>…<tool_call|>`` block."""

    name: str
    arguments: dict[str, Any]
    span: Span

    def to_tool_call(self) -> ToolCall:
        return ToolCall(name=self.name, arguments=self.arguments)


@dataclass(frozen=True)
class ParsedTurn:
    """A model turn split into its parts; ``stop`` is the marker that ended it ("" if none)."""

    thought: str = ""
    text: str = ""
    calls: tuple[ParsedCall, ...] = field(default_factory=tuple)
    stop: str = ""


ParseResult = Union[ParsedTurn, ToolCallError]


def parse_turn(text: str, starts_in_thought: bool = False) -> ParseResult:
    """Split a decoded model turn; ``starts_in_thought``: the prompt already opened the thought.

    Never raises for any ``str``; returns a :class:`ToolCallError` (kind ``syntax``) instead.
    """
    try:
        return _Splitter(text).turn(starts_in_thought)
    except ToolCallError as error:
        return error
    except RecursionError:
        return ToolCallError("syntax", "arguments nested too deeply", (0, len(text)))


class _Splitter:
    """Left-to-right scan over one text; failures raise ToolCallError, caught by parse_turn."""

    def __init__(self, text: str) -> None:
        self.text = text

    def turn(self, starts_in_thought: bool) -> ParsedTurn:
        thought, pos = self.thought(starts_in_thought)
        pieces: list[str] = []
        calls: list[ParsedCall] = []
        while True:
            marker = self.next_marker(pos)
            pieces.append(self.text[pos:marker])
            if marker == len(self.text):
                return ParsedTurn(thought, "".join(pieces).strip(), tuple(calls))
            if self.text.startswith(tokens.TOOL_CALL_START, marker):
                call, pos = self.call(marker)
                calls.append(call)
                continue
            stop = next((s for s in markup.TURN_STOPS if self.text.startswith(s, marker)), None)
            if stop is None:
                raise self.unexpected_markup(marker)
            self.only_stops_after(marker)
            return ParsedTurn(thought, "".join(pieces).strip(), tuple(calls), stop)

    def thought(self, starts_in_thought: bool) -> tuple[str, int]:
        start = len(self.text) - len(self.text.lstrip())
        if not starts_in_thought and not self.text.startswith(tokens.CHANNEL_START, start):
            return "", 0
        body = start if starts_in_thought else start + len(tokens.CHANNEL_START)
        end = self.text.find(tokens.CHANNEL_END, body)
        if end < 0:
            raise ToolCallError("syntax", "the thought channel is never closed with <channel|>",
                                (start, len(self.text)))
        thought = self.text[body:end]
        if thought.startswith(markup.THOUGHT_HEADER):
            thought = thought[len(markup.THOUGHT_HEADER):]
        self.reject_markup(body, end)
        return thought.strip(), end + len(tokens.CHANNEL_END)

    def call(self, start: int) -> tuple[ParsedCall, int]:
        body = start + len(tokens.TOOL_CALL_START)
        end = self.text.find(tokens.TOOL_CALL_END, body)
        if end < 0:
            raise ToolCallError("syntax", "a tool call is never closed with <tool_call|>",
                                (start, len(self.text)))
        if not self.text.startswith(markup.CALL_PREFIX, body):
            raise ToolCallError("syntax", "a tool call must start with 'call:NAME{'", (body, end))
        name_at = body + len(markup.CALL_PREFIX)
        name = markup.NAME_PATTERN.match(self.text, name_at, end)
        if name is None:
            raise ToolCallError("syntax", "a tool call has no tool name", (name_at, end))
        try:
            arguments = parse_arguments(self.text[name.end():end])
        except ToolSyntaxError as error:
            offset = name.end()
            span = (offset + error.span[0], offset + error.span[1])
            problem = error.problem.rsplit(" at ", 1)[0]  # drop the reader's own relative span
            raise ToolCallError("syntax", problem, span, name.group()) from None
        close = end + len(tokens.TOOL_CALL_END)
        return ParsedCall(name.group(), arguments, (start, close)), close

    def next_marker(self, pos: int) -> int:
        """Index of the next markup (an opener ``<|``, a closer ``<name|>``, a stray ``|>``)."""
        found = _MARKUP.search(self.text, pos)
        return len(self.text) if found is None else found.start()

    def only_stops_after(self, pos: int) -> None:
        end = pos
        while True:
            stop = next((s for s in markup.TURN_STOPS if self.text.startswith(s, end)), None)
            if stop is None:
                break
            end += len(stop)
        if self.text[end:].strip():
            raise ToolCallError("syntax", "text after the end of the turn", (end, len(self.text)))

    def reject_markup(self, start: int, end: int) -> None:
        marker = self.next_marker(start)
        if marker < end:
            raise self.unexpected_markup(marker)

    def unexpected_markup(self, at: int) -> ToolCallError:
        close = self.text.find(">", at)
        end = len(self.text) if close < 0 else close + 1
        return ToolCallError("syntax", f"unexpected markup {self.text[at:end][:30]!r}", (at, end))


class CallValidator:
    """Checks parsed calls against the declared tools' JSON Schemas (compiled once per tool set)."""

    def __init__(self, tools: Mapping[str, Mapping[str, Any]]) -> None:
        self._validators = {}
        for name, schema in tools.items():
            cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)
            try:
                cls.check_schema(schema)
            except jsonschema.SchemaError as error:
                raise Gemma4RosError(f"tool {name!r}: invalid JSON Schema: {error.message}",
                                     "fix the tool's parameters in tools.yaml") from None
            self._validators[name] = cls(schema)

    def errors(self, turn: ParsedTurn) -> list[ToolCallError]:
        """Every call's first problem, in call order (empty: all calls are valid)."""
        found = []
        for call in turn.calls:
            error = self.check(call)
            if error is not None:
                found.append(error)
        return found

    def check(self, call: ParsedCall) -> Optional[ToolCallError]:
        validator = self._validators.get(call.name)
        if validator is None:
            known = ", ".join(sorted(self._validators)) or "none"
            return ToolCallError("unknown_tool", f"unknown tool {call.name!r} (declared: {known})",
                                 call.span, call.name)
        if not _finite(call.arguments):
            return ToolCallError("schema", "a number is not finite", call.span, call.name)
        problem = best_match(validator.iter_errors(call.arguments))
        if problem is None:
            return None
        path = "/".join(str(part) for part in problem.absolute_path)
        return ToolCallError("schema", problem.message, call.span, call.name, path)


def read_calls(text: str, validator: CallValidator, starts_in_thought: bool = False) -> ParseResult:
    """Parse then validate: the turn when every call is valid, else the first problem."""
    turn = parse_turn(text, starts_in_thought)
    if isinstance(turn, ToolCallError):
        return turn
    errors = validator.errors(turn)
    return errors[0] if errors else turn


def _finite(value: Any) -> bool:
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, Mapping):
        return all(_finite(item) for item in value.values())
    if isinstance(value, list):
        return all(_finite(item) for item in value)
    return True
