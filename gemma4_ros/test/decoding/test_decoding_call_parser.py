"""The call parser is total, reads Gemma 4 calls back exactly, and re-validates them."""

from __future__ import annotations

from typing import Any

import pytest
from gemma4_ros.decoding.call_parser import (
    CallValidator,
    ParsedTurn,
    ToolCallError,
    parse_turn,
    read_calls,
)
from gemma4_ros.chat.tool_syntax import format_value
from hypothesis import given, settings
from hypothesis import strategies as st

S = '<|"|>'
TC, TE, TR, END = "<|tool_call>", "<tool_call|>", "<|tool_response>", "<turn|>"


def call(name: str, arguments: dict[str, Any]) -> str:
    body = format_value(arguments)
    return f"{TC}call:{name}{body}{TE}"


def test_calls_text_thought_and_stop_come_apart() -> None:
    text = ("<|channel>thought\nDock first.<channel|>On my way."
            + call("navigate_to", {"place": "dock"}) + call("rotate", {"angle": -90}) + TR)
    turn = parse_turn(text)
    assert isinstance(turn, ParsedTurn)
    assert (turn.thought, turn.text, turn.stop) == ("Dock first.", "On my way.", TR)
    assert [(c.name, c.arguments) for c in turn.calls] == [
        ("navigate_to", {"place": "dock"}), ("rotate", {"angle": -90})]
    assert text[turn.calls[1].span[0]:turn.calls[1].span[1]].startswith(f"{TC}call:rotate")


def test_a_prefilled_thought_is_read_up_to_its_close() -> None:
    turn = parse_turn("still thinking<channel|>Yes." + END, starts_in_thought=True)
    assert isinstance(turn, ParsedTurn) and (turn.thought, turn.text) == ("still thinking", "Yes.")


@pytest.mark.parametrize("arguments", [
    {"text": 'quotes " and {braces}, colons: and commas,'},
    {"points": [{"x": 1.5, "y": -2}, {"x": 0, "y": 0}], "loop": False, "note": None},
    {"nested": {"deep": {"list": [[1, 2], []]}}},
    {},
])
def test_what_the_chat_template_writes_reads_back_equal(arguments: dict) -> None:
    turn = parse_turn(call("tool", arguments) + TR)
    assert isinstance(turn, ParsedTurn) and turn.calls[0].arguments == arguments


MALFORMED = {
    "unclosed call": (f"{TC}call:move{{distance:1}}", "never closed"),
    "missing call prefix": (f"{TC}move{{}}{TE}", "call:NAME"),
    "no name": (f"{TC}call:{{}}{TE}", "no tool name"),
    "JSON string": (f'{TC}call:speak{{text:"hi"}}{TE}', "bare word"),
    "bare word value": (f"{TC}call:go{{place:dock}}{TE}", "bare word"),
    "unclosed object": (f"{TC}call:move{{distance:1{TE}", "expected"),
    "unclosed string": (f"{TC}call:speak{{text:{S}hi}}{TE}", "never closed"),
    "stray control token": (f"look <|image|> here{END}", "unexpected markup"),
    "stray closer": (f"done {TE}", "unexpected markup"),
    "unclosed thought": ("<|channel>thought\nhm", "never closed"),
    "text after the end": (f"ok{END}more", "after the end"),
    "duplicate key": (f"{TC}call:move{{a:1,a:2}}{TE}", "twice"),
}


@pytest.mark.parametrize(("text", "fragment"), MALFORMED.values(), ids=MALFORMED.keys())
def test_malformed_text_gives_a_syntax_error_with_a_span(text: str, fragment: str) -> None:
    result = parse_turn(text)
    assert isinstance(result, ToolCallError), result
    assert result.kind == "syntax" and fragment in str(result) and result.hint
    assert 0 <= result.span[0] <= result.span[1] <= len(text)


TOOLS = {
    "rotate": {"type": "object", "additionalProperties": False, "required": ["angle"],
               "properties": {"angle": {"type": "integer", "minimum": -180, "maximum": 180}}},
    "speak": {"type": "object", "additionalProperties": False, "required": ["text"],
              "properties": {"text": {"type": "string", "maxLength": 5}}},
}


@pytest.mark.parametrize(("text", "kind", "fragment"), [
    (call("rotate", {"angle": 181}), "schema", "181 is greater than the maximum"),
    (call("rotate", {"angle": "left"}), "schema", "is not of type 'integer'"),
    (call("rotate", {}), "schema", "'angle' is a required property"),
    (call("rotate", {"angle": 1, "speed": 2}), "schema", "Additional properties"),
    (call("speak", {"text": "too long"}), "schema", "is too long"),
    (f"{TC}call:rotate{{angle:1e999}}{TE}", "schema", "not finite"),
    (call("fly", {}), "unknown_tool", "unknown tool 'fly'"),
])
def test_validation_names_tool_path_and_problem(text: str, kind: str, fragment: str) -> None:
    result = read_calls(text + TR, CallValidator(TOOLS))
    assert isinstance(result, ToolCallError) and result.kind == kind
    assert fragment in str(result)


def test_valid_calls_pass_and_become_tool_calls() -> None:
    result = read_calls(call("rotate", {"angle": 180}) + call("speak", {"text": "hi"}) + TR,
                        CallValidator(TOOLS))
    assert isinstance(result, ParsedTurn)
    assert [c.to_tool_call().arguments for c in result.calls] == [{"angle": 180}, {"text": "hi"}]


def test_an_invalid_tool_schema_is_refused_up_front() -> None:
    with pytest.raises(Exception) as caught:
        CallValidator({"bad": {"type": "no-such-type"}})
    assert "invalid JSON Schema" in str(caught.value)


_PIECES = st.sampled_from([TC, TE, TR, END, S, "call:", "move", "{", "}", "[", "]", ":", ",",
                           "<|channel>", "<channel|>", "thought\n", "1.5", "-", "e9", "true",
                           "null", "<|", "|>", "<", ">", " ", "x"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.lists(_PIECES, max_size=40).map("".join)), st.booleans())
def test_parser_is_total(text: str, starts_in_thought: bool) -> None:
    result = read_calls(text, CallValidator(TOOLS), starts_in_thought)
    assert isinstance(result, (ParsedTurn, ToolCallError))
    if isinstance(result, ToolCallError):
        assert 0 <= result.span[0] <= result.span[1] <= len(text)
