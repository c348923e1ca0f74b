"""Tool schemas → an llguidance Lark grammar for Gemma 4's own call syntax (not JSON).

A model turn the grammar admits looks like (``[…]`` optional, depending on :class:`GrammarOptions`)::

    [<|channel>thought\\n…<channel|>] [text] <|tool_call>call:NAME{key:value,…}<tool_call|>…  <|tool_response>
    [<|channel>thought\\n…<channel|>] text <turn|>

Choices (each keeps the decoded text parseable back, and a random model finite):

- Keys are bare. By default they come in Jinja ``dictsort`` order (case-insensitive), the order
  Gemma 4's chat template writes calls in, so the model is constrained to what it was trained on
  (``key_order="schema"`` uses the ``properties`` order instead). Required keys always appear; an
  optional key may be present or absent but never out of order: with keys ``a, b, c`` and only
  ``b`` required, ``{b:1}``, ``{a:1,b:2}`` and ``{a:1,b:2,c:3}`` are admitted, ``{b:2,a:1}`` is
  not. Undeclared keys are never generated (``additionalProperties`` is treated as false).
- Strings sit between ``<|"|>`` special tokens; their text (and free text, and thoughts) may not
  contain ``|``, so the parser can never mistake content for markup (every control token has a
  ``|``). Excluding the one character rather than the pairs ``<|``/``|>`` keeps each text lexeme a
  plain character class, which llguidance's token slices can allow in bulk: 50 µs instead of
  2 ms per mask at 262k tokens (see :mod:`constraint`). Without ``maxLength`` a
  string is capped at ``max_string_chars`` so random logits still close it.
- A string whose schema carries ``VERBATIM_KEY`` (a tool's ``verbatim`` arguments, marked by
  the planner, never shown to the model) is, when ``verbatim_source`` is given, a run of that
  text's words (llguidance's ``substring_words`` lexeme, of the text as written or lower-cased),
  or one of its quotations whole: "say 'heading out' now" can say "heading out", "say" or "now",
  never "heading" alone and never words nobody said.
- A number whose schema carries ``SAID_KEY`` (marked by the planner, per request: the values a
  written command says for that argument, as decimal strings) is one of those strings.
- Numbers are bare decimals without exponent; ranges are held by the regex itself (see
  :mod:`numeric`), open sides stop at ``max_integer_digits`` digits. Booleans ``true``/``false``,
  ``null``, enums and consts as literal alternatives; nested objects ``{}`` and arrays ``[]`` with
  item counts bounded by ``maxItems`` or ``max_array_items``.
- Whitespace is never free: nothing is ignored between lexemes. Calls follow each other without
  separators; a text answer ends at ``<turn|>``, a turn with calls at ``<|tool_response>`` (the
  model waits for results there) or ``<turn|>``.
- Keywords the grammar cannot hold but a validator can (``pattern``, ``format``, ``multipleOf``,
  ``uniqueItems``) are left to :mod:`call_parser`'s re-validation; keywords that change the shape
  (``$ref``, ``allOf``, ``not``, ``if``…) are refused with a :class:`GrammarError`.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any, Literal, Mapping, Optional, Sequence

from pydantic import Field

from gemma4_ros.config import StrictModel
from gemma4_ros.decoding import markup
from gemma4_ros.decoding.numeric import EmptyRangeError, integer_pattern, number_pattern
from gemma4_ros.errors import Gemma4RosError
from gemma4_ros.chat import special_tokens as tokens

ToolSchemas = Sequence[tuple[str, Mapping[str, Any]]]

_UNSUPPORTED = ("$ref", "allOf", "not", "if", "then", "else", "prefixItems", "patternProperties",
                "dependentRequired", "dependentSchemas", "contains", "unevaluatedProperties")
_CONTROL_TOKEN = re.compile(r"<[|A-Za-z_\"]+>")
_SCALAR_TYPES = (str, int, float, bool, type(None))


class GrammarError(Gemma4RosError):
    """A tool schema uses something the call grammar cannot express; names the tool and path."""


class GrammarOptions(StrictModel):
    """What a request lets the model write, and the caps that keep random output finite."""

    mode: Literal["required", "auto", "text"] = Field(
        default="required",
        description="required: one or more tool calls only; auto: a text answer, or calls "
                    "optionally preceded by text; text: a text answer only")
    max_calls: int = Field(default=8, ge=1, le=64, description="most calls in one turn")
    thinking: Literal["off", "on", "open"] = Field(
        default="off",
        description="off: no thought block; on: an optional leading <|channel>thought\\n…"
                    "<channel|>; open: the prompt already ends in <|channel>thought\\n, so the "
                    "answer starts inside the thought")
    key_order: Literal["sorted", "schema"] = Field(
        default="sorted",
        description="sorted: keys in Jinja dictsort order, as Gemma 4's chat template writes "
                    "calls (what the model was trained on); schema: properties order")
    max_text_chars: int = Field(default=2000, ge=1, description="cap on plain text in the answer")
    max_thought_chars: int = Field(default=4000, ge=1, description="cap on the thinking text")
    max_string_chars: int = Field(default=256, ge=1, description="cap on strings without maxLength")
    max_array_items: int = Field(default=16, ge=1, description="cap on arrays without maxItems")
    max_integer_digits: int = Field(default=9, ge=1, le=18, description="digits on an unbounded side")
    max_decimals: int = Field(default=4, ge=1, le=12, description="decimals a number may carry")
    text_end_tokens: tuple[str, ...] = Field(
        default=(tokens.TURN_END,), min_length=1,
        description="special tokens that end a text answer")
    verbatim_source: str = Field(
        default="", description="the operator's words that strings marked VERBATIM_KEY are "
        "copied from; empty: those strings are free text like any other")
    call_end_tokens: tuple[str, ...] = Field(
        default=(tokens.TOOL_RESPONSE_START, tokens.TURN_END), min_length=1,
        description="special tokens that end a turn with calls (Gemma 4 stops on "
                    "<|tool_response> to wait for results)")


def _literal(text: str) -> str:
    """A Lark string literal (JSON escapes are understood by llguidance's Lark lexer)."""
    return json.dumps(text, ensure_ascii=False)


class _Writer:
    """Accumulates rules and shared terminals while walking the schemas."""

    def __init__(self, options: GrammarOptions) -> None:
        self.options = options
        self.rules: list[str] = []
        self.terminals: dict[str, str] = {}  # definition -> name, so equal ones are shared

    def terminal(self, prefix: str, definition: str) -> str:
        if definition not in self.terminals:
            self.terminals[definition] = f"{prefix}_{len(self.terminals)}"
        return self.terminals[definition]

    def rule(self, body: str) -> str:
        name = f"r{len(self.rules)}"
        self.rules.append(f"{name}: {body}")
        return name

    def text_terminal(self, prefix: str, low: int, high: int) -> str:
        definition = f"/{markup.TEXT_CHAR}{{{low},{high}}}/"
        return self.terminal(prefix, definition)

    def render(self) -> str:
        terminals = [f"{name}: {definition}" for definition, name in self.terminals.items()]
        return "\n".join(self.rules + terminals)


def _fail(where: str, problem: str, hint: str) -> GrammarError:
    return GrammarError(f"tool schema {where}: {problem}", hint)


def _value(writer: _Writer, schema: Any, where: str) -> str:
    """Lark expression for one value of ``schema``."""
    if not isinstance(schema, Mapping):
        raise _fail(where, f"schema is {type(schema).__name__}, expected an object",
                    "give every parameter a JSON Schema object such as {type: string}")
    for keyword in _UNSUPPORTED:
        if keyword in schema:
            raise _fail(where, f"keyword '{keyword}' is not supported by the call grammar",
                        "inline the definition or use enum/anyOf instead")
    if "const" in schema:
        return _constant(schema["const"], where)
    if "enum" in schema:
        return "(" + " | ".join(_constant(v, where) for v in schema["enum"]) + ")"
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            options = [_value(writer, sub, f"{where}/{keyword}/{i}")
                       for i, sub in enumerate(schema[keyword])]
            return "(" + " | ".join(options) + ")"
    kind = schema.get("type")
    if kind is None:
        kind = "object" if "properties" in schema else "array" if "items" in schema else None
    if kind is None:
        raise _fail(where, "value has no type", "add a type (string, number, integer, "
                    "boolean, object, array or null) or an enum")
    kinds = kind if isinstance(kind, list) else [kind]
    exprs = [_typed_value(writer, schema, str(k), where) for k in kinds]
    return exprs[0] if len(exprs) == 1 else "(" + " | ".join(exprs) + ")"


def _constant(value: Any, where: str) -> str:
    if isinstance(value, str):
        if "<|" in value or "|>" in value:
            raise _fail(where, f"enum value {value!r} contains '<|' or '|>'",
                        "remove Gemma 4 markup characters from enum values")
        return f"{_STRING_OPEN} {_literal(value)} {_STRING_CLOSE}"
    if isinstance(value, _SCALAR_TYPES) and not (isinstance(value, float) and not math.isfinite(value)):
        return _literal(json.dumps(value))
    raise _fail(where, f"enum/const value {value!r} is not a string, number, boolean or null",
                "use scalar enum values")


_STRING_OPEN = _STRING_CLOSE = tokens.STRING_DELIM
VERBATIM_KEY = "x-gemma4-ros-verbatim"  # schema mark of a string copied from the instruction
SAID_KEY = "x-gemma4-ros-said"  # schema mark: the decimal strings a number may be, from the command


def _typed_value(writer: _Writer, schema: Mapping[str, Any], kind: str, where: str) -> str:
    options = writer.options
    if kind == "string" and schema.get(VERBATIM_KEY) and options.verbatim_source.strip():
        return f"{_STRING_OPEN} {_verbatim(writer, options.verbatim_source)} {_STRING_CLOSE}"
    if kind == "string":
        low = int(schema.get("minLength", 0))
        high = int(schema.get("maxLength", max(low, options.max_string_chars)))
        if low > high:
            raise _fail(where, f"minLength {low} exceeds maxLength {high}", "fix the bounds")
        return f"{_STRING_OPEN} {writer.text_terminal('STR', low, high)} {_STRING_CLOSE}"
    if kind in ("integer", "number") and schema.get(SAID_KEY):
        return _choice([_literal(text) for text in schema[SAID_KEY]])
    if kind in ("integer", "number"):
        return writer.terminal("NUM", _numeric(schema, kind, options, where))
    if kind == "boolean":
        return '("true" | "false")'
    if kind == "null":
        return '"null"'
    if kind == "object":
        return _braced("{", _members(writer, schema, where))
    if kind == "array":
        return _array(writer, schema, where)
    raise _fail(where, f"unknown type {kind!r}",
                "use string, number, integer, boolean, object, array or null")


# A quotation: an opening mark at the start or after a space or bracket, a closing one before
# the end, a space or punctuation, so the apostrophe in "it's" or "Bob's" opens nothing.
_QUOTATION = re.compile(r"""(?:^|(?<=[\s(\[:]))(?:'([^']+)'|"([^"]+)"|“([^”]+)”|‘([^’]+)’)"""
                        r"""(?=$|[\s.,!?;:)\]])""")


def _verbatim(writer: _Writer, source: str) -> str:
    """A run of ``source``'s words as written or lower-cased (the forms operators' words and a
    model's copies of them take), starting and ending on a word, not on the space between two.
    Words the operator quoted are copied whole ("Say 'good morning, team'" says all three, never
    "good morning"): a quotation is one choice, and runs are taken from the words around it.
    ``|`` becomes a space: string content never holds it."""
    source = source.replace("|", " ")
    quoted = [next(filter(None, match.groups())) for match in _QUOTATION.finditer(source)]
    quoted = [text.strip() for text in quoted if text.strip()]
    outside = _QUOTATION.sub("|", source).split("|") if quoted else [source]
    choices = [_literal(form) for text in quoted for form in dict.fromkeys((text, text.lower()))]
    for part in outside:
        if not part.strip():
            continue
        choices += [writer.terminal("VERBATIM", "%regex " + json.dumps({"substring_words": form})
                                    + r" & /\S(?s:.*\S)?/")
                    for form in dict.fromkeys((part, part.lower()))]
    return _choice(choices)


def _bound(schema: Mapping[str, Any], inclusive: str, exclusive: str, step: Decimal,
           sign: int) -> Optional[Decimal]:
    """The tighter of the inclusive and (stepped-in) exclusive bound, if any."""
    bounds = []
    if isinstance(schema.get(inclusive), (int, float)):
        bounds.append(Decimal(str(schema[inclusive])))
    if isinstance(schema.get(exclusive), (int, float)):
        bounds.append(Decimal(str(schema[exclusive])) + sign * step)
    if not bounds:
        return None
    return max(bounds) if sign > 0 else min(bounds)


def _numeric(schema: Mapping[str, Any], kind: str, options: GrammarOptions, where: str) -> str:
    step = Decimal(1) if kind == "integer" else Decimal(1).scaleb(-options.max_decimals)
    low = _bound(schema, "minimum", "exclusiveMinimum", step, +1)
    high = _bound(schema, "maximum", "exclusiveMaximum", step, -1)
    try:
        if kind == "integer":
            return integer_pattern(low, high, options.max_integer_digits).to_lark()
        return number_pattern(low, high, options.max_integer_digits, options.max_decimals).to_lark()
    except EmptyRangeError as error:
        raise _fail(where, str(error), "widen the range or raise max_decimals") from None


def _members(writer: _Writer, schema: Mapping[str, Any], where: str) -> str:
    """Expression for the inside of ``{…}`` (empty for no keys): keys in schema order, optional
    ones skippable, so the first key present is any key up to and including the first required."""
    properties = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    missing = required - set(properties)
    if missing:
        raise _fail(where, f"required keys {sorted(missing)} are not in properties",
                    "declare every required key under properties")
    pairs = []
    items = list(properties.items())
    if writer.options.key_order == "sorted":
        items.sort(key=lambda item: item[0].lower())  # Jinja dictsort: case-insensitive, stable
    for key, sub in items:
        if not markup.NAME_PATTERN.fullmatch(key):
            raise _fail(f"{where}/{key}", "key is not a bare identifier",
                        "use letters, digits and underscores, starting with a letter")
        value = _value(writer, sub, f"{where}/{key}")
        pairs.append((writer.rule(f"{_literal(key + ':')} {value}"), key in required))
    if not pairs:
        return ""
    alternatives = []
    for first, (pair, _) in enumerate(pairs):
        tail = " ".join(f'("," {p})' + ("" if req else "?") for p, req in pairs[first + 1:])
        alternatives.append(f"{pair} {tail}".strip())
        if pairs[first][1]:
            return "(" + " | ".join(alternatives) + ")"
    return "(" + " | ".join(alternatives) + ")?"  # every key optional: {} is allowed too


def _braced(opening: str, members: str) -> str:
    """``opening members }`` with the closing brace merged into one literal when there are none."""
    if not members:
        return _literal(opening + "}")
    return f'{_literal(opening)} {members} "}}"'


def _array(writer: _Writer, schema: Mapping[str, Any], where: str) -> str:
    items = schema.get("items")
    if not isinstance(items, Mapping):
        raise _fail(where, "array has no items schema", "add items: {type: ...}")
    low = int(schema.get("minItems", 0))
    high = int(schema.get("maxItems", max(low, writer.options.max_array_items)))
    if low > high:
        raise _fail(where, f"minItems {low} exceeds maxItems {high}", "fix the bounds")
    if high == 0:
        return '"[]"'
    item = writer.rule(_value(writer, items, f"{where}/items"))
    more = f'("," {item}){{{max(low - 1, 0)},{high - 1}}}'
    body = f"{item} {more}" if low >= 1 else f"({item} {more})?"
    return f'"[" {body} "]"'


def _tool(writer: _Writer, name: str, schema: Mapping[str, Any]) -> str:
    if not markup.NAME_PATTERN.fullmatch(name):
        raise GrammarError(f"tool name {name!r} is not a bare identifier",
                           "name tools with letters, digits and underscores")
    return writer.rule(_braced(f"{markup.CALL_PREFIX}{name}{{", _members(writer, schema, name)))


def build_grammar(tools: ToolSchemas, options: Optional[GrammarOptions] = None) -> str:
    """The Lark grammar (llguidance dialect) for one model turn with these tools.

    ``tools`` are (name, JSON Schema of the arguments) pairs, in the order the prompt declares
    them. Raises :class:`GrammarError` for schemas the grammar cannot express.
    """
    options = options or GrammarOptions()
    names = [name for name, _ in tools]
    if len(set(names)) != len(names):
        raise GrammarError(f"tool names repeat: {names}", "give each tool a unique name")
    if options.mode != "text" and not tools:
        raise GrammarError(f"mode {options.mode!r} needs at least one tool",
                           "declare tools or use mode 'text'")
    for token in options.text_end_tokens + options.call_end_tokens:
        if not _CONTROL_TOKEN.fullmatch(token):
            raise GrammarError(f"end token {token!r} is not a control token",
                               "name special tokens such as <turn|> or <|tool_response>")
    writer = _Writer(options)
    text = writer.text_terminal("TEXT", 1, options.max_text_chars)
    text_answer = f"{text} {_choice(options.text_end_tokens)}"
    if options.mode == "text":
        answer = text_answer
    else:
        calls = [_tool(writer, name, schema) for name, schema in tools]
        call = writer.rule(f"{tokens.TOOL_CALL_START} {_choice(calls)} {tokens.TOOL_CALL_END}")
        with_calls = f"{call}{{1,{options.max_calls}}} {_choice(options.call_end_tokens)}"
        answer = with_calls if options.mode == "required" else f"{text_answer} | {text}? {with_calls}"
    start = f"({answer})"
    if options.thinking != "off":
        thought = f"{writer.text_terminal('THOUGHT', 0, options.max_thought_chars)} {tokens.CHANNEL_END}"
        if options.thinking == "on":
            header = _literal(markup.THOUGHT_HEADER)
            thought = writer.rule(f"{tokens.CHANNEL_START} {header} {thought}") + "?"
        start = f"{thought} {start}"
    return f"%llguidance {{}}\nstart: {start}\n{writer.render()}\n"


def _choice(expressions: Sequence[str]) -> str:
    return expressions[0] if len(expressions) == 1 else "(" + " | ".join(expressions) + ")"
