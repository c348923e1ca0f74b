"""The call parser never raises on any text (it is documented total): fuzzed with the inputs that
once broke it or could — integers past Python's 4,300-digit limit, exponents past float range,
nesting thousands deep, lone surrogates, keys written twice, NaN and infinity."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from gemma4_ros.decoding.call_parser import (
    CallValidator, ParsedTurn, ToolCallError, parse_turn, read_calls,
)
from gemma4_ros.chat.tool_syntax import (
    MAX_DEPTH, MAX_NUMBER_CHARS, ToolSyntaxError, format_value, parse_arguments, parse_value,
)
from gemma4_ros.tools import ToolRegistry

S = '<|"|>'
TC, TE, TR = "<|tool_call>", "<tool_call|>", "<|tool_response>"
SURROGATES = st.characters(categories=["Cs"])

_PIECES = st.one_of(
    st.sampled_from([TC, TE, TR, "<turn|>", S, "call:", "move", "speed", "{", "}", "[", "]", ":",
                     ",", "<|channel>", "<channel|>", "-", ".", "e", "E+", "e999", "1e-400", "0",
                     "true", "false", "null", "NaN", "Infinity", "inf", " ", "\n",
                     "distance:1,distance:2", "[" * 40, "{a:" * 40]),
    st.integers(min_value=1, max_value=6000).map(lambda n: "9" * n),  # past int()'s digit limit
    st.integers(min_value=1, max_value=3000).map(lambda n: "[" * n),  # nesting far past the limit
    st.text(SURROGATES, min_size=1, max_size=3),
    st.text(max_size=5),
)
TEXTS = st.lists(_PIECES, max_size=30).map("".join)
VALIDATOR = CallValidator({tool.name: tool.parameters for tool in ToolRegistry.load().tools})


def _call(body: str) -> str:
    return f"{TC}call:move{body}{TE}"


@settings(max_examples=300, deadline=None)
@given(st.one_of(TEXTS, TEXTS.map(_call)), st.booleans())
@example(_call("{distance:" + "9" * 4301 + "}"), False)  # int() raised ValueError here
@example(_call("{distance:" + "[" * 5000 + "]" * 5000 + "}"), False)
@example(_call("{distance:1,distance:2}"), False)
@example(_call("{distance:1e999}"), False)
@example(_call("{distance:" + S + "\ud800" + S + "}"), True)
def test_call_parser_never_raises(text: str, starts_in_thought: bool) -> None:
    result = read_calls(text, VALIDATOR, starts_in_thought)
    assert isinstance(result, (ParsedTurn, ToolCallError))
    if isinstance(result, ToolCallError):
        assert 0 <= result.span[0] <= result.span[1] <= len(text)
        assert result.kind in ("syntax", "unknown_tool", "schema")
    else:  # whatever was read is a finite, shallow value the validator accepted
        assert all(VALIDATOR.check(call) is None for call in result.calls)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_value_reader_raises_only_its_own_error(text: str) -> None:
    for read in (parse_value, parse_arguments):
        try:
            read(text)
        except ToolSyntaxError as error:
            assert 0 <= error.span[0] <= error.span[1] <= len(text)


@pytest.mark.parametrize("text, fragment", [
    ("{distance:" + "9" * (MAX_NUMBER_CHARS + 1) + "}", "longer than any value needs"),
    ("{distance:" + "9" * 5000 + "}", "a number of 5000 characters"),
    ("{distance:" + "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2) + "}", "nested deeper"),
    ("{distance:1,distance:2}", "appears twice"),
    ("{distance:NaN}", "bare word 'NaN'"),
])
def test_hostile_arguments_are_syntax_errors(text: str, fragment: str) -> None:
    with pytest.raises(ToolSyntaxError, match=fragment):
        parse_arguments(text)
    result = parse_turn(_call(text))
    assert isinstance(result, ToolCallError) and fragment in result.problem


def test_exponent_past_float_range_is_refused_as_not_finite() -> None:
    result = read_calls(_call("{distance:1e999}"), VALIDATOR)
    assert isinstance(result, ToolCallError) and result.kind == "schema"
    assert "not finite" in str(result)


_LEAVES = st.one_of(
    st.none(), st.booleans(),
    st.integers(min_value=-10**60, max_value=10**60),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(codec=None), max_size=8).filter(lambda t: S not in t),
    st.text(SURROGATES, max_size=2),
)
_KEYS = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True)
VALUES = st.recursive(_LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_KEYS, inner, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_KEYS, VALUES, max_size=5))
def test_written_values_read_back_exactly(arguments: dict[str, Any]) -> None:
    # Surrogates and huge (but writable) integers survive the round trip unchanged.
    assert parse_arguments(format_value(arguments)) == arguments


@pytest.mark.slow
@settings(max_examples=20_000, deadline=None)
@given(st.one_of(TEXTS, TEXTS.map(_call)), st.booleans())
def test_call_parser_never_raises_long(text: str, starts_in_thought: bool) -> None:
    assert isinstance(read_calls(text, VALIDATOR, starts_in_thought), (ParsedTurn, ToolCallError))


def test_float_reader_keeps_infinity_for_the_validator() -> None:
    # 1e999 reads as inf (not an exception); the validator then refuses it.
    assert parse_value("1e999") == math.inf
