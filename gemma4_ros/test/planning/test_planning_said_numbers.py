"""A written command's numbers narrow the grammar: a grounded argument may only be a value the
command says, read as the gate reads it; nothing said of its kind, voice, or a doubtful reading
leave it free."""

from __future__ import annotations

from typing import Any

import pytest

from gemma4_ros.decoding.grammar import SAID_KEY
from gemma4_ros.planning import constraints
from gemma4_ros.planning.config import GrammarLimits
from gemma4_ros.planning.constraints import ConstraintFactory
from gemma4_ros.planning.said_numbers import said_schemas, written


def marks(registry, instruction: str) -> dict[str, dict[str, list[str]]]:
    schemas = [(spec.name, spec.json_schema()) for spec in registry.tools]
    grounded = {spec.name: dict(spec.grounding) for spec in registry.tools if spec.grounding}
    found: dict[str, dict[str, list[str]]] = {}
    for name, schema in said_schemas(schemas, grounded, instruction, 4):
        for argument, sub in schema["properties"].items():
            if SAID_KEY in sub:
                found.setdefault(name, {})[argument] = sub[SAID_KEY]
    return found


@pytest.mark.parametrize("instruction, expected", [
    # the sign from the clause's direction words, the unit converted
    ("give me a forty-five degree turn to the right", {"rotate": {"angle": ["-45"]}}),
    ("move forward seven tenths of a meter", {"move": {"distance": ["0.7"]}}),
    ("back up 1 m at a slow 0.1 m/s", {"move": {"distance": ["-1"], "speed": ["0.1"]}}),
    ("face left", {"rotate": {"angle": ["90"]}}),  # an implied turn
    # both signs said in the plan: which goes where is still the model's choice
    ("turn left 90 degrees, move forward 2 meters, then turn right 90 degrees",
     {"move": {"distance": ["2"]}, "rotate": {"angle": ["-90", "90"]}}),
    # no direction word: either sign (the reader knows "back", not "backwrds")
    ("go 3 feet", {"move": {"distance": ["-0.9144", "-0.914", "-0.91", "0.91", "0.914",
                                         "0.9144"]}}),  # and shorter writings
    ("move backwrds 1 meter", {"move": {"distance": ["-1", "1"]}}),
    ("wait 5", {"move": {"distance": ["-5", "5"]}, "rotate": {"angle": ["-5", "5"]},
                "wait": {"seconds": ["5"]}}),  # bare numbers may be any kind
    ("spin round to face the other way", {"rotate": {"angle": ["-360", "-180", "180", "360"]}}),
    ("go to the kitchen", {}),  # nothing said: free
    ("go 1 meter 20", {"rotate": {"angle": ["-20", "20"]}, "wait": {"seconds": ["20"]}}),
])
def test_said_values_by_argument(registry, instruction: str, expected: dict[str, Any]) -> None:
    """"go 1 meter 20": a bare number beside a distance may be part of it, so the distance is
    left to the model (and the gate asks about what it writes)."""
    assert marks(registry, instruction) == expected


def test_unmarked_schemas_are_shared_not_copied(registry) -> None:
    schemas = [(spec.name, spec.json_schema()) for spec in registry.tools]
    grounded = {spec.name: dict(spec.grounding) for spec in registry.tools if spec.grounding}
    out = said_schemas(schemas, grounded, "rotate 90 degrees", 4)
    by_name = dict(out)
    assert by_name["navigate_to"] is dict(schemas)["navigate_to"]
    assert by_name["rotate"] is not dict(schemas)["rotate"]
    assert SAID_KEY not in dict(schemas)["rotate"]["properties"]["angle"]  # the original kept


@pytest.mark.parametrize("values, schema, expected", [
    ([57.29578], {"type": "number"}, ["57", "57.2958", "57.296", "57.3"]),
    ([2.0], {"type": "number"}, ["2"]),  # whole: no point, as the chat format writes it
    ([0.5, -0.5], {"type": "number", "minimum": 0}, ["0.5"]),  # the schema's range holds
    ([10.0], {"type": "number", "exclusiveMaximum": 10}, []),
    ([2.5, 3.0], {"type": "integer"}, ["3"]),  # an integer only when whole
    ([0.9144], {"type": "number"}, ["0.91", "0.914", "0.9144"]),  # 0.9 is 1.6 % off
])
def test_written_forms(values: list[float], schema: dict[str, Any], expected: list[str]) -> None:
    assert written(values, schema, 4) == expected


def test_voice_and_a_switched_off_limit_leave_numbers_free(tokenizer, registry,
                                                            monkeypatch) -> None:
    seen: list[list[tuple[str, Any]]] = []
    build = constraints.build_grammar
    monkeypatch.setattr(constraints, "build_grammar",
                        lambda schemas, options: seen.append(list(schemas))
                        or build(schemas, options))

    def said(schemas: list[tuple[str, Any]]) -> bool:
        return any(SAID_KEY in sub for _, schema in schemas
                   for sub in schema["properties"].values())

    on = ConstraintFactory(tokenizer, registry, tokenizer.vocab_size, GrammarLimits())
    on.new("required", "off", 4, "rotate 90 degrees")
    on.new("required", "off", 4, "")  # voice: no words
    off = ConstraintFactory(tokenizer, registry, tokenizer.vocab_size,
                            GrammarLimits(said_numbers=False))
    off.new("required", "off", 4, "rotate 90 degrees")
    assert [said(schemas) for schemas in seen] == [True, False, False]
