"""Spoken quantities: every way the corpus says a number means the value its call writes.

The check is independent of the corpus code: the safety gate's own reader of operator words
(:mod:`gemma4_ros.safety.spoken`, written for the grounding rule) must read each phrasing back to
the value the corpus puts in the call, in the call's unit, within the grounding rule's 3 %."""

from __future__ import annotations

import random
import re

import pytest

from gemma4_ros.demo import quantities
from gemma4_ros.safety.spoken import Quantity, read
from gemma4_ros.tools import ToolRegistry

SAMPLERS = {
    "distance": (quantities.distance, "length"),
    "angle": (quantities.angle, "angle"),
    "duration": (quantities.duration, "duration"),
}


def read_back(words: str, dimension: str) -> list[float]:
    return [q.value for q in read(words) if isinstance(q, Quantity) and q.dimension == dimension]


@pytest.mark.parametrize("kind", sorted(SAMPLERS))
def test_every_phrasing_reads_back_to_its_value(kind: str) -> None:
    sampler, dimension = SAMPLERS[kind]
    rng = random.Random(7)
    for _ in range(3000):
        spoken = sampler(rng)
        if "pi" in re.findall(r"[a-z]+", spoken.words):  # the gate's reader knows no pi
            continue
        said = read_back(spoken.words, dimension)
        if kind == "angle" and not said:  # "360" alone: degrees are implied
            said = [q.value for q in read(spoken.words) if isinstance(q, Quantity)]
        assert said, spoken
        assert abs(said[0] - spoken.value) <= 0.03 * abs(said[0]) + 1e-9, spoken


def test_speeds_are_in_metres_per_second_and_words_stay_within_the_gate() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        spoken = quantities.speed(rng)
        assert 0 < spoken.value <= 1.0
        said = read_back(spoken.words, "speed")
        if said:
            assert abs(said[0] - spoken.value) <= 0.03 * said[0], spoken
    # A vague word never asks for more than the gate's speed limit (safety.yaml bounds: 0.5).
    assert max(quantities.SLOW, quantities.FAST) <= 0.5


@pytest.mark.parametrize("sampler, tool, argument", [
    (quantities.far_distance, "move", "distance"),
    (quantities.wide_angle, "rotate", "angle"),
    (quantities.long_duration, "wait", "seconds"),
    (quantities.too_fast, "move", "speed"),
])
def test_values_beyond_the_schema_are_beyond_it(sampler, tool, argument) -> None:
    """What the corpus refuses as out of range is really more than the tool's schema takes."""
    registry = ToolRegistry.load()
    rng = random.Random(5)
    for _ in range(500):
        value = sampler(rng).value
        arguments = {"distance": 1.0, argument: value} if tool == "move" else {argument: value}
        assert registry.problems(tool, arguments), (tool, arguments)


@pytest.mark.parametrize("n, said", [
    (7, "seven"), (20, "twenty"), (45, "forty five"), (100, "one hundred"),
    (180, "one hundred eighty"), (360, "three hundred sixty"), (1500, "one thousand five hundred"),
])
def test_number_words(n: int, said: str) -> None:
    rng = random.Random(0)
    found = {quantities.number_words(n, rng) for _ in range(50)}
    assert said in {w.replace("-", " ").replace(" and ", " ").replace("a hundred", "one hundred")
                    for w in found}
    assert all(read_back(f"{w} seconds", "duration") == [float(n)] for w in found)
