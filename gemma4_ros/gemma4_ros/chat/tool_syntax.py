"""Gemma 4's value syntax inside tool calls, tool responses and declarations: write and read it.

It is *not* JSON. Gemma 4's chat template (macro ``format_argument``) writes::

    {place:<|"|>dock<|"|>,speed:0.3,urgent:true,via:[<|"|>door<|"|>],note:null}

* strings sit between two ``<|"|>`` tokens (one token in the real vocabulary), with no escaping:
  a string that itself contains ``<|"|>`` cannot be written at all;
* numbers, ``true``, ``false`` and ``null`` are bare; numbers as Python's ``str()`` prints them;
* objects ``{key:value,...}`` list keys in Jinja ``dictsort`` order (case-insensitive, stable);
  keys are bare in calls and responses and ``<|"|>``-quoted inside declarations
  (``escape_keys``); lists are ``[a,b]``; no whitespace anywhere.

:func:`format_value` writes exactly that (quoting only those keys that cannot be bare).
:func:`parse_value` reads it back and is total: any text yields a value or a
:class:`ToolSyntaxError` carrying the offending span; it accepts either key style and ASCII
whitespace between items, because a model may emit them.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any, Mapping, Optional, Sequence, Union

from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.chat.special_tokens import STRING_DELIM

Value = Union[None, bool, int, float, str, list, dict]

MAX_DEPTH = 32
# Longer than any number an argument needs (the grammar allows 18 integer digits) and far below
# Python's 4,300-digit limit on int(), past which int() raises instead of parsing.
MAX_NUMBER_CHARS = 100
_BARE_KEY = re.compile(r"[^\s:,{}\[\]<|\"]+")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_BARE_WORD = re.compile(r"[^\s:,{}\[\]]+")
_WHITESPACE = re.compile(r"[ \t\r\n]*")
_KEYWORDS = {"true": True, "false": False, "null": None}
_HINT = (
    'write strings as <|"|>text<|"|>, numbers and true/false/null bare, objects as {key:value,...}'
    " and lists as [a,b]"
)


class ToolSyntaxError(Gemma4RosError):
    """Text is not a well-formed Gemma 4 value, or a value cannot be written in that syntax.

    ``span`` is the (start, end) character range of the offending part of ``text``.
    """

    def __init__(self, problem: str, text: str, span: tuple[int, int], hint: str = _HINT) -> None:
        self.text = text
        self.span = span
        fragment = text[span[0] : span[1]][:40]
        super().__init__(f"{problem} at {span[0]}..{span[1]} ({fragment!r})", hint)


def dictsort_items(mapping: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """Items in Jinja ``dictsort`` order (key, case-insensitive, stable): the template's order."""
    for key in mapping:
        if not isinstance(key, str):
            raise ToolSyntaxError("object keys must be strings", repr(key), (0, 0))
    return sorted(mapping.items(), key=lambda item: item[0].lower())


def format_value(value: Any, *, quote_keys: bool = False) -> str:
    """Write ``value`` as Gemma 4's template does; ``quote_keys`` is its ``escape_keys``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return STRING_DELIM + _checked_string(value) + STRING_DELIM
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        if not math.isfinite(value):
            raise ToolSyntaxError(f"number {value!r} has no Gemma 4 form", str(value), (0, 0))
        return str(float(value))
    if isinstance(value, Mapping):
        items = dictsort_items(value)
        return "{" + ",".join(_format_item(key, item, quote_keys) for key, item in items) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(format_value(item, quote_keys=quote_keys) for item in value) + "]"
    raise ToolSyntaxError(
        f"a {type(value).__name__} cannot be written as a Gemma 4 value",
        repr(value),
        (0, 0),
        "pass JSON-like values: None, bool, int, float, str, list, dict with str keys",
    )


def format_key(key: str, *, quote: bool = False) -> str:
    """A key bare (``place``) or quoted (``<|"|>place<|"|>``); quoted when it cannot be bare."""
    if quote or not is_bare_key(key):
        return STRING_DELIM + _checked_string(key) + STRING_DELIM
    return key


def is_bare_key(key: str) -> bool:
    """Whether ``key`` can be written without quotes (the template writes call keys bare)."""
    return bool(_BARE_KEY.fullmatch(key))


def parse_value(text: str) -> Value:
    """The one value that is the whole of ``text`` (surrounding whitespace allowed)."""
    value, end = parse_value_prefix(text, 0)
    end = _skip_space(text, end)
    if end != len(text):
        raise ToolSyntaxError("unexpected text after the value", text, (end, len(text)))
    return value


def parse_arguments(text: str) -> dict:
    """The ``{...}`` argument object of a call or response, as a dict."""
    start = _skip_space(text, 0)
    if not text.startswith("{", start):
        raise ToolSyntaxError(
            "arguments must be an object {key:value,...}", text, (start, min(start + 1, len(text)))
        )
    value, end = _Parser(text).mapping(start, 0)
    end = _skip_space(text, end)
    if end != len(text):
        raise ToolSyntaxError("unexpected text after the arguments", text, (end, len(text)))
    return value


def parse_value_prefix(text: str, pos: int) -> tuple[Value, int]:
    """Parse one value starting at ``pos``; return it and the index just after it."""
    return _Parser(text).value(pos, 0)


class _Parser:
    """Recursive descent over one text; every failure is a ToolSyntaxError with a span."""

    def __init__(self, text: str) -> None:
        self.text = text

    def fail(self, problem: str, start: int, end: Optional[int] = None) -> ToolSyntaxError:
        end = min(len(self.text), start + 1) if end is None else end
        return ToolSyntaxError(problem, self.text, (start, max(start, end)))

    def value(self, pos: int, depth: int) -> tuple[Value, int]:
        pos = _skip_space(self.text, pos)
        if depth > MAX_DEPTH:
            raise self.fail(f"values nested deeper than {MAX_DEPTH} levels", pos)
        if pos >= len(self.text):
            raise self.fail("expected a value, found the end of the text", pos, pos)
        if self.text.startswith(STRING_DELIM, pos):
            return self.string(pos)
        char = self.text[pos]
        if char == "{":
            return self.mapping(pos, depth)
        if char == "[":
            return self.sequence(pos, depth)
        return self.scalar(pos)

    def string(self, pos: int) -> tuple[str, int]:
        start = pos + len(STRING_DELIM)
        end = self.text.find(STRING_DELIM, start)
        if end < 0:
            problem = f"string opened with {STRING_DELIM} is never closed"
            raise self.fail(problem, pos, len(self.text))
        return self.text[start:end], end + len(STRING_DELIM)

    def scalar(self, pos: int) -> tuple[Value, int]:
        word = _BARE_WORD.match(self.text, pos)
        if word is None:
            raise self.fail(f"expected a value, found {self.text[pos]!r}", pos)
        number = _NUMBER.match(self.text, pos)
        if number and number.end() == word.end():
            digits = number.group()
            if len(digits) > MAX_NUMBER_CHARS:
                raise self.fail(f"a number of {len(digits)} characters is longer than any value "
                                f"needs (at most {MAX_NUMBER_CHARS})", pos, number.end())
            return (float(digits) if any(c in digits for c in ".eE") else int(digits)), number.end()
        if word.group() in _KEYWORDS:
            return _KEYWORDS[word.group()], word.end()
        raise self.fail(
            f"bare word {word.group()!r} is not a value (strings need {STRING_DELIM} around them)",
            pos,
            word.end(),
        )

    def mapping(self, pos: int, depth: int) -> tuple[dict, int]:
        result: dict = {}
        pos = _skip_space(self.text, pos + 1)
        if self.text.startswith("}", pos):
            return result, pos + 1
        while True:
            key_start = pos
            key, pos = self.key(pos)
            if key in result:
                raise self.fail(f"key {key!r} appears twice", key_start, pos)
            pos = self.expect(":", pos)
            result[key], pos = self.value(pos, depth + 1)
            pos = _skip_space(self.text, pos)
            if self.text.startswith("}", pos):
                return result, pos + 1
            pos = self.expect(",", pos, "',' or '}'")

    def sequence(self, pos: int, depth: int) -> tuple[list, int]:
        result: list = []
        pos = _skip_space(self.text, pos + 1)
        if self.text.startswith("]", pos):
            return result, pos + 1
        while True:
            item, pos = self.value(pos, depth + 1)
            result.append(item)
            pos = _skip_space(self.text, pos)
            if self.text.startswith("]", pos):
                return result, pos + 1
            pos = self.expect(",", pos, "',' or ']'")

    def key(self, pos: int) -> tuple[str, int]:
        pos = _skip_space(self.text, pos)
        if self.text.startswith(STRING_DELIM, pos):
            return self.string(pos)
        bare = _BARE_KEY.match(self.text, pos)
        if bare is None:
            found = repr(self.text[pos]) if pos < len(self.text) else "the end of the text"
            raise self.fail(f"expected a key, found {found}", pos)
        return bare.group(), bare.end()

    def expect(self, char: str, pos: int, wanted: str = "") -> int:
        pos = _skip_space(self.text, pos)
        if not self.text.startswith(char, pos):
            found = repr(self.text[pos]) if pos < len(self.text) else "the end of the text"
            raise self.fail(f"expected {wanted or repr(char)}, found {found}", pos)
        return pos + 1


def _skip_space(text: str, pos: int) -> int:
    match = _WHITESPACE.match(text, pos)  # a `*` pattern: matches, possibly empty, at any pos
    return match.end() if match else pos


def _checked_string(text: str) -> str:
    if STRING_DELIM in text:
        at = text.index(STRING_DELIM)
        raise ToolSyntaxError(
            f"string contains the delimiter {STRING_DELIM}, which Gemma 4 cannot escape",
            text,
            (at, at + len(STRING_DELIM)),
            f"remove {STRING_DELIM} from the text before it goes into a prompt",
        )
    return text


def _format_item(key: Any, item: Any, quote_keys: bool) -> str:
    return format_key(key, quote=quote_keys) + ":" + format_value(item, quote_keys=quote_keys)


def format_sequence_of_strings(items: Sequence[str]) -> str:
    """``[<|"|>a<|"|>,<|"|>b<|"|>]``: how declarations list ``required`` names."""
    quoted = (STRING_DELIM + _checked_string(item) + STRING_DELIM for item in items)
    return "[" + ",".join(quoted) + "]"
