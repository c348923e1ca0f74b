"""Gemma 4's value syntax ({place:<|"|>dock<|"|>,speed:0.3}): written as the template writes it,
read back exactly, and the reader is total — any text gives a value or a ToolSyntaxError with the
offending span."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.chat.special_tokens import STRING_DELIM
from gemma4_ros.chat.tool_syntax import (
    ToolSyntaxError,
    format_value,
    parse_arguments,
    parse_value,
    parse_value_prefix,
)

Q = STRING_DELIM


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ({"place": "dock", "speed": 0.3}, f"{{place:{Q}dock{Q},speed:0.3}}"),
        ({"b": True, "a": False, "c": None}, "{a:false,b:true,c:null}"),
        ({"Zeta": 1, "alpha": 2, "beta": -3}, "{alpha:2,beta:-3,Zeta:1}"),
        ({"via": ["door", 2.5e-05, []], "o": {}}, f"{{o:{{}},via:[{Q}door{Q},2.5e-05,[]]}}"),
        ("a:b,{c}[d]", f"{Q}a:b,{{c}}[d]{Q}"),
        ({"max speed": 1}, f"{{{Q}max speed{Q}:1}}"),
    ],
)
def test_format_matches_the_template(value, text):
    assert format_value(value) == text
    assert parse_value(text) == value


def test_numpy_numbers_are_written_as_numbers():
    assert format_value({"d": np.float64(0.25), "n": np.int32(7)}) == "{d:0.25,n:7}"


def test_declaration_style_quotes_every_key():
    assert format_value({"k": ["x"]}, quote_keys=True) == f"{{{Q}k{Q}:[{Q}x{Q}]}}"


@pytest.mark.parametrize(
    "value", [float("nan"), float("inf"), {1: "x"}, {"k": {1, 2}}, b"bytes", f"x{Q}y", {f"k{Q}": 1}]
)
def test_unwritable_values_are_typed_errors(value):
    with pytest.raises(ToolSyntaxError):
        format_value(value)


def test_parser_accepts_whitespace_and_quoted_keys():
    text = f' {{ place : {Q}dock{Q} ,\n {Q}speed{Q}: 0.3 , tags:[ 1 , 2 ] }} '
    assert parse_arguments(text) == {"place": "dock", "speed": 0.3, "tags": [1, 2]}


def test_prefix_parse_reports_where_the_value_ends():
    text = f"call:move{{distance:1.5}}<tool_call|>"
    value, end = parse_value_prefix(text, text.index("{"))
    assert value == {"distance": 1.5} and text[end:] == "<tool_call|>"


@pytest.mark.parametrize(
    ("text", "problem", "span"),
    [
        ("{place:dock}", "bare word 'dock'", (7, 11)),
        ("{a:1,a:2}", "appears twice", (5, 6)),
        (f"{{a:{Q}open", "never closed", (3, 12)),
        ("{a:1", "',' or '}'", (4, 4)),
        ("{a 1}", "expected ':'", (3, 4)),
        ("{a:1}x", "unexpected text", (5, 6)),
        ("{:1}", "expected a key", (1, 2)),
        ("", "end of the text", (0, 0)),
        ("[1,2,]", "expected a value", (5, 6)),
        ("{a:1.2.3}", "bare word '1.2.3'", (3, 8)),
        ("[" * 40 + "]" * 40, "nested deeper", (33, 34)),
    ],
)
def test_errors_carry_the_offending_span(text, problem, span):
    with pytest.raises(ToolSyntaxError) as error:
        parse_value(text)
    assert problem in error.value.problem
    assert error.value.span == span
    assert isinstance(error.value, Gemma4RosError) and error.value.hint


def test_arguments_must_be_an_object():
    with pytest.raises(ToolSyntaxError, match="must be an object"):
        parse_arguments("[1]")


_text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=12).filter(lambda s: Q not in s)
_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | _text
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_text, _values, max_size=6))
def test_round_trip_of_json_like_arguments(arguments):
    assert parse_arguments(format_value(arguments)) == arguments


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_text, _values, max_size=6))
def test_round_trip_with_quoted_keys(arguments):
    assert parse_value(format_value(arguments, quote_keys=True)) == arguments


_fragments = st.sampled_from(["{", "}", "[", "]", ",", ":", " ", Q, "<|", "a", "1", "-", ".", "e5", "true", "null", "é"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(_fragments, max_size=30).map("".join)))
def test_parser_is_total(text):
    try:
        parse_value(text)
    except ToolSyntaxError as error:
        start, end = error.span
        assert 0 <= start <= end <= len(text)
