"""Reading instructions: quantities as operators say them, clauses, direction words, places."""

from __future__ import annotations

import math

import pytest

from gemma4_ros.safety.grounding import understand
from gemma4_ros.safety.spoken import Quantity, read, tokens
from gemma4_ros.tools.grounding import BACKWARD, FORWARD, LEFT, RIGHT

QUANTITIES = [
    # (text, [(value in the base unit, dimension)])
    ("go forward 10 meters", [(10.0, "length")]),
    ("go forward 10m", [(10.0, "length")]),
    ("move 2.5 metres", [(2.5, "length")]),
    ("move 30 cm", [(0.3, "length")]),
    ("move 250 mm", [(0.25, "length")]),
    ("move 3 ft", [(0.9144, "length")]),
    ("move a foot", [(0.3048, "length")]),
    ("move 6 inches", [(0.1524, "length")]),
    ("move 6 in", [(0.1524, "length")]),
    ("a yard", [(0.9144, "length")]),
    ("half a meter", [(0.5, "length")]),
    ("a half meter", [(0.5, "length")]),
    ("two and a half metres", [(2.5, "length")]),
    ("a meter and a half", [(1.5, "length")]),
    ("one point five meters", [(1.5, "length")]),
    ("point five meters", [(0.5, "length")]),
    ("zero point two five meters", [(0.25, "length")]),
    ("1 1/2 feet", [(0.4572, "length")]),
    ("½ m", [(0.5, "length")]),
    ("1,000 mm", [(1.0, "length")]),
    ("a third of a meter", [(1 / 3, "length")]),
    ("rotate 720 degrees", [(720.0, "angle")]),
    ("turn 90°", [(90.0, "angle")]),
    ("a quarter turn", [(90.0, "angle")]),
    ("a quarter of a turn", [(90.0, "angle")]),
    ("half a turn", [(180.0, "angle")]),
    ("three quarters of a turn", [(270.0, "angle")]),
    ("do a full circle", [(360.0, "angle")]),
    ("two full rotations", [(720.0, "angle")]),
    ("one radian", [(180.0 / math.pi, "angle")]),
    ("one hundred and eighty degrees", [(180.0, "angle")]),
    ("two hundred seventy degrees", [(270.0, "angle")]),
    ("wait 0.1 seconds", [(0.1, "duration")]),
    ("wait a second", [(1.0, "duration")]),
    ("wait a minute", [(60.0, "duration")]),
    ("wait half a minute", [(30.0, "duration")]),
    ("a minute and a half", [(90.0, "duration")]),
    ("one and a half minutes", [(90.0, "duration")]),
    ("a couple of seconds", [(2.0, "duration")]),
    ("couple of seconds", [(2.0, "duration")]),
    ("twenty five seconds", [(25.0, "duration")]),
    ("a dozen seconds", [(12.0, "duration")]),
    ("500 ms", [(0.5, "duration")]),
    ("an hour", [(3600.0, "duration")]),
    ("0.5 m/s", [(0.5, "speed")]),
    ("half a meter per second", [(0.5, "speed")]),
    ("30 cm a second", [(0.3, "speed")]),
    ("wait 5", [(5.0, None)]),
    ("turn -90", [(-90.0, None)]),
    ("a hundred", [(100.0, None)]),
    ("two and three", [(2.0, None), (3.0, None)]),
    ("go 2 meters and wait 3", [(2.0, "length"), (3.0, None)]),
    ("move forward a meter, then turn left 90 degrees", [(1.0, "length"), (90.0, "angle")]),
    ("move forward seven tenths of a meter", [(0.7, "length")]),
    ("a tenth of a second", [(0.1, "duration")]),
    ("three fifths of a meter", [(0.6, "length")]),
    ("go forward 0.7 of a meter", [(0.7, "length")]),
    ("3/4 of a turn", [(270.0, "angle")]),
    # an amount in two units, the larger first, is their sum
    ("go 2 feet 6 inches", [(0.762, "length")]),
    ("wait a minute and 30 seconds", [(90.0, "duration")]),
    ("go 1 m 20 cm", [(1.2, "length")]),
    ("go 1 meter and then 20 cm", [(1.0, "length"), (0.2, "length")]),
    ("rotate 90 degrees and 45 degrees", [(90.0, "angle"), (45.0, "angle")]),
    ("wait 2 seconds and 1 minute", [(2.0, "duration"), (60.0, "duration")]),
    ("turn right pi/2 rad", [(90.0, "angle")]),
    ("rotate 2 pi radians", [(360.0, "angle")]),
    ("turn pi over 4 radians", [(45.0, "angle")]),
]

NOT_QUANTITIES = ["make me a coffee", "make a turn", "wait a few seconds", "go to the kitchen",
                  "take a picture", "drive into the wall at full speed", "turn left", "a", "half",
                  "point", "say pi", "turn pi/2", "the tenth time"]


@pytest.mark.parametrize("text, expected", QUANTITIES)
def test_quantities(text: str, expected: list[tuple[float, str | None]]) -> None:
    found = [item for item in read(text) if isinstance(item, Quantity)]
    assert [q.dimension for q in found] == [dimension for _, dimension in expected], found
    assert [q.value for q in found] == pytest.approx([value for value, _ in expected])


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_no_quantity(text: str) -> None:
    assert not [item for item in read(text) if isinstance(item, Quantity)]


@pytest.mark.parametrize("text, kept", [
    ("wait 5 in the hall", (5.0, None)),          # a preposition, not inches
    ("u-turn 2", (2.0, None)),                    # a hyphen, not a minus
    ("x-5", (5.0, None)),
])
def test_ambiguous_symbols(text: str, kept: tuple[float, None]) -> None:
    found = [item for item in read(text) if isinstance(item, Quantity)]
    assert [(q.value, q.dimension) for q in found] == [kept]


def test_tokens_split_units_and_breaks() -> None:
    assert tokens("Go 10m, then TURN 90°.") == ["go", "10", "m", "\n", "then", "turn", "90", "°",
                                                "\n"]


def test_huge_and_odd_input_never_raises() -> None:
    assert [q.value for q in read("9" * 5000 + " m") if isinstance(q, Quantity)] == [math.inf]
    assert understand("move " + "9" * 5000 + " m").mentions == ()  # grounds nothing
    assert understand("go \ud800 forward 1 m").mentions[0].value == 1.0
    assert understand("").mentions == () and understand("   ").clauses == ((),)


def test_clauses_split_at_joins_and_punctuation() -> None:
    instruction = understand("move forward a meter, then turn left 90 degrees and wait")
    assert instruction.clauses == (("move", "forward"), ("turn", "left"), ("wait",))
    assert [(m.clause, m.words) for m in instruction.mentions] == [(0, "a meter"),
                                                                   (1, "90 degrees")]


@pytest.mark.parametrize("text, degrees", [
    ("turn left", 90.0), ("turn to your right", 90.0), ("turn around", 180.0),
    ("make a u-turn", 180.0), ("face the other way", 180.0), ("spin around once", 360.0),
    ("turn yourself around", 180.0), ("spin the robot round", 360.0),
])
def test_implied_angles(text: str, degrees: float) -> None:
    assert [(m.value, m.dimension) for m in understand(text).mentions] == [(degrees, "angle")]


def test_every_implied_angle_of_a_clause() -> None:
    """Phrases that imply different turns in one clause are all read: either may be meant."""
    assert [m.value for m in understand("spin round to face the other way").mentions] == [
        360.0, 180.0]


@pytest.mark.parametrize("text", ["turn left 45 degrees", "go left", "turn the valve", "left"])
def test_no_implied_angle(text: str) -> None:
    assert all(m.value != 90.0 for m in understand(text).mentions)


@pytest.mark.parametrize("text, positive, negative, said", [
    ("back up 1 m", FORWARD, BACKWARD, (False, True)),
    ("go forward 1 m", FORWARD, BACKWARD, (True, False)),
    ("move 1 m", FORWARD, BACKWARD, (False, False)),
    ("move in reverse 1 m", FORWARD, BACKWARD, (False, True)),
    ("rotate 90 degrees counter-clockwise", LEFT, RIGHT, (True, False)),
    ("rotate 90 degrees anti clockwise", LEFT, RIGHT, (True, False)),
    ("rotate 90 degrees clockwise", LEFT, RIGHT, (False, True)),
    ("rotate 90 degrees right now", LEFT, RIGHT, (False, False)),
    ("turn left or right 90 degrees", LEFT, RIGHT, (True, True)),
])
def test_direction_words(text: str, positive: tuple[str, ...], negative: tuple[str, ...],
                         said: tuple[bool, bool]) -> None:
    assert understand(text).direction(0, positive, negative) == said


@pytest.mark.parametrize("text, phrase, named", [
    ("go to the kitchen", "kitchen", True),
    ("go to the Kitchen!", "kitchen", True),
    ("go to teh kitchn", "kitchen", True),          # a dropped letter
    ("go to the kicthen", "kitchen", True),         # two letters swapped
    ("check the kitchens", "kitchen", True),        # a plural
    ("go to the loading bay", "loading bay", True),
    ("go to the loading area", "loading bay", False),
    ("go to the lab", "lab", True),
    ("go to the lb", "lab", False),                 # short names must be exact
    ("you are charged", "charger", False),          # a changed letter is another word
    ("you are charged", "charge", False),
    ("go to the kitchenette", "kitchen", False),    # whole words only
    ("go to room 5", "room 5", True),
])
def test_place_names(text: str, phrase: str, named: bool) -> None:
    assert understand(text).names(phrase) is named
