"""A written command's numbers for the grammar: a grounded numeric argument (tools.yaml units and
direction words) may only take a value the command says, when it says any of that kind.

The gate's grounding check finds "go forward 10 meters" planned as ``move 0.1`` and asks an
operator; a plan the operator has to correct is still a wrong plan. The model is good at choosing
the tool and poor at copying a number ("seven tenths of a meter" came out 1.71, "a forty-five
degree turn to the right" 45), so for a written command the number is not the model's to invent:
the command is read as the gate reads it (:func:`gemma4_ros.safety.grounding.readings`: units
converted, signs from each clause's direction words, implied turns) and the grammar admits only
those values, written as a call writes them. Which of them goes where is still the model's choice,
and the gate still matches the plan's numbers to what was said. A sign is narrowed only where the
clause says a direction word. A command that says nothing of an argument's kind leaves it free
(the gate then asks about any value not allowed unsaid), and voice (no words) is never narrowed.

The price: for these numbers grammar and gate share one reader, so a misreading the model would
not have made is forced on it and approved; the free cases above (no direction word, a bare
number beside an amount) are where the reader is least sure. ``grammar.said_numbers: false``
keeps the gate's check independent.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any, Mapping, Sequence

from gemma4_ros.decoding.grammar import SAID_KEY
from gemma4_ros.safety.grounding import Instruction, Reading, readings, understand
from gemma4_ros.tools.grounding import ArgumentGrounding

# A shorter writing of a said value is admitted when it is this close (relative): "1 radian" is
# 57.2958 degrees, and the model may write 57.3 as its training data does.
ROUNDING = 0.01

Schemas = Sequence[tuple[str, Mapping[str, Any]]]


def said_schemas(schemas: Schemas, grounded: Mapping[str, Mapping[str, ArgumentGrounding]],
                 instruction: str, max_decimals: int) -> list[tuple[str, Mapping[str, Any]]]:
    """``schemas`` with each grounded number the instruction says values for marked with them
    (copies where marked; the rest shared)."""
    read = understand(instruction)
    marked: list[tuple[str, Mapping[str, Any]]] = []
    for name, schema in schemas:
        marks = {}
        for argument, grounding in grounded.get(name, {}).items():
            sub = schema.get("properties", {}).get(argument)
            if not isinstance(sub, Mapping) or sub.get("type") not in ("number", "integer"):
                continue
            found = readings(read, grounding)
            if _unsure(read, found):
                continue
            literals = written(_values(read, found, grounding), sub, max_decimals)
            if literals:
                marks[argument] = literals
        if marks:
            schema = copy.deepcopy(schema)
            for argument, literals in marks.items():
                schema["properties"][argument][SAID_KEY] = literals
        marked.append((name, schema))
    return marked


def _values(read: Instruction, found: Sequence[Reading],
            grounding: ArgumentGrounding) -> list[float]:
    """The said values, with either sign where the clause says no direction word: the reader
    knows "back" and "right", not "backwrds", so a sign it did not hear is the model's to write
    (and the gate's to question), not the reader's to impose."""
    values: list[float] = []
    for reading in found:
        values += reading.values
        signed = grounding.positive or grounding.negative
        if signed and not any(read.direction(reading.mention.clause, grounding.positive,
                                             grounding.negative)):
            values += [-v for v in reading.values]
    return values


def _unsure(read: Instruction, found: Sequence[Reading]) -> bool:
    """Whether a number said without a unit shares a clause with one said in this argument's
    unit ("go 1 meter 20"): it may belong to it, the reader may have misread the amount, so the
    argument stays free and the gate asks about what the model writes."""
    clauses = {r.mention.clause for r in found if r.mention.dimension is not None}
    return any(m.dimension is None and m.clause in clauses for m in read.mentions)


def written(values: Sequence[float], schema: Mapping[str, Any], max_decimals: int) -> list[str]:
    """How a call may write each value: the value and its shorter roundings within
    :data:`ROUNDING`, whole numbers without a point (``distance:2``, as the chat format writes
    them), only those the schema's range and type admit, sorted."""
    places = 0 if schema.get("type") == "integer" else max_decimals
    texts: set[str] = set()
    for value in values:
        for decimals in range(places + 1):
            rounded = round(value, decimals)
            if abs(rounded - value) <= ROUNDING * abs(value) and _in_range(rounded, schema):
                texts.add(_text(rounded))
    return sorted(texts, key=lambda text: (Decimal(text), text))


def _text(value: float) -> str:
    if value == int(value):
        return str(int(value))
    return repr(float(value))


def _in_range(value: float, schema: Mapping[str, Any]) -> bool:
    for key, inside in (("minimum", lambda b: value >= b), ("maximum", lambda b: value <= b),
                        ("exclusiveMinimum", lambda b: value > b),
                        ("exclusiveMaximum", lambda b: value < b)):
        bound = schema.get(key)
        if isinstance(bound, (int, float)) and not isinstance(bound, bool) and not inside(bound):
            return False
    return True
