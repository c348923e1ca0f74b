"""What an instruction says, for the grounding check: the quantities in it (said or implied), the
clause each sits in, the direction words of each clause, and whether it names a place.

Deterministic and pure: the same text always reads the same, so a verdict can be replayed from
the audit log. Clauses are split at punctuation and at joining words ("then", "and"), because a
direction word belongs to the quantity next to it: in "move forward a meter, then turn left 90
degrees" the "left" turns the 90 degrees and says nothing about the metre. Turns said without a
number imply one ("turn left" is 90 degrees, "turn around" 180), but only in a clause that gives
no angle of its own.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

from gemma4_ros.safety.spoken import BREAK, Quantity, read
from gemma4_ros.tools.grounding import ArgumentGrounding
from gemma4_ros.tools.units import Dimension, dimension, to_unit

JOINS = frozenset(("then", "and", "after", "afterwards", "next", "finally", "before", "also",
                   "plus"))
TURN_VERBS = frozenset(("turn", "rotate", "spin", "pivot", "face", "swivel"))
SIDES = frozenset(("left", "right"))
AROUND = frozenset(("around", "round"))
# Implied angles (degrees), longest phrase first; only where the clause says no angle itself.
IMPLIED_ANGLES = (
    (("spin", "around"), 360.0), (("spin", "round"), 360.0),
    (("turn", "around"), 180.0), (("turn", "round"), 180.0), (("about", "face"), 180.0),
    (("about", "turn"), 180.0), (("u", "turn"), 180.0), (("other", "way"), 180.0),
    (("opposite", "way"), 180.0), (("opposite", "direction"), 180.0),
)
# Phrases whose side word gives no direction ("rotate 90 degrees right now").
NEUTRAL = (("right", "now"), ("right", "away"), ("right", "there"), ("right", "here"),
           ("all", "right"), ("right", "after"), ("right", "before"))


@dataclass(frozen=True)
class Mention:
    """A quantity the instruction states or implies, in the clause it belongs to."""

    value: float
    dimension: Dimension | None
    clause: int
    words: str


@dataclass(frozen=True)
class Instruction:
    """An instruction read once: its words, its clauses' words, and every quantity in it."""

    text: str
    words: tuple[str, ...]
    clauses: tuple[tuple[str, ...], ...]
    mentions: tuple[Mention, ...]
    # Answers already worked out (the instruction is shared by every step of a plan).
    _directions: dict[tuple[int, tuple[str, ...], tuple[str, ...]], tuple[bool, bool]] = field(
        default_factory=dict, compare=False, repr=False)
    _names: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    def has_units(self, dimension: Dimension) -> bool:
        """Whether a quantity of ``dimension`` is said with its unit (then bare numbers do not
        stand for it: in "go 10 meters and wait 5", the 5 is no distance)."""
        return any(m.dimension == dimension for m in self.mentions)

    def names(self, phrase: str) -> bool:
        """Whether ``phrase`` occurs as whole words, allowing a plural and, in words of five
        letters or more, one dropped or two swapped letters ("kitchn", "hallwya")."""
        named = self._names.get(phrase)
        if named is None:
            named = self._names[phrase] = _names(self.words, phrase)
        return named

    def direction(self, clause: int, positive: tuple[str, ...],
                  negative: tuple[str, ...]) -> tuple[bool, bool]:
        """Whether the clause says a positive and whether it says a negative direction word."""
        key = (clause, positive, negative)
        said = self._directions.get(key)
        if said is None:
            said = self._directions[key] = _direction(self.clauses[clause], positive, negative)
        return said


@dataclass(frozen=True)
class Reading:
    """A mention that can stand for a numeric argument, and the signed values it stands for in
    the argument's unit ("1 m" after "back up" is -1 for a distance)."""

    index: int
    mention: Mention
    values: tuple[float, ...]


def readings(instruction: Instruction, grounding: ArgumentGrounding) -> tuple[Reading, ...]:
    """Every mention that can ground an argument declared by ``grounding``: quantities of its
    dimension, and bare numbers when the instruction says none of that dimension with a unit (in
    "go 10 meters and wait 5" the 5 is no distance). The gate matches a call's numbers to these;
    the planner's grammar lets a written command's numbers be only these."""
    unit = grounding.unit
    wanted = dimension(unit)
    bare = not instruction.has_units(wanted)
    found = []
    for index, mention in enumerate(instruction.mentions):
        if mention.dimension == wanted:
            said = to_unit(mention.value, unit)
        elif mention.dimension is None and bare:
            said = mention.value
        else:
            continue
        found.append(Reading(index, mention, _signed(said, mention.clause, grounding,
                                                      instruction)))
    return tuple(found)


def _signed(said: float, clause: int, grounding: ArgumentGrounding,
            instruction: Instruction) -> tuple[float, ...]:
    """The values a said magnitude stands for, by the direction words of its clause."""
    if said < 0 or not (grounding.positive or grounding.negative):
        return (said,)  # written with a minus, or an argument without a sign convention
    positive, negative = instruction.direction(clause, grounding.positive, grounding.negative)
    if positive != negative:
        return (said,) if positive else (-said,)
    if positive or grounding.unsigned == "either":
        return (said, -said)
    return (said,)


def _names(words: tuple[str, ...], phrase: str) -> bool:
    if f" {phrase} " in f" {' '.join(words)} ":
        return True
    wanted = phrase.split()
    size = len(wanted)
    return any(all(_same(w, words[i + k]) for k, w in enumerate(wanted))
               for i in range(len(words) - size + 1))


def _direction(words: tuple[str, ...], positive: tuple[str, ...],
               negative: tuple[str, ...]) -> tuple[bool, bool]:
    """(positive said, negative said): sign phrases longest first, neutral phrases skipped."""
    signs = [(tuple(p.split()), True) for p in positive]
    signs += [(tuple(n.split()), False) for n in negative]
    signs.sort(key=lambda sign: -len(sign[0]))
    said = [False, False]
    i = 0
    while i < len(words):
        neutral = next((p for p in NEUTRAL if _starts(words, i, p)), None)
        if neutral is not None:
            i += len(neutral)
            continue
        match = next(((p, s) for p, s in signs if _starts(words, i, p)), None)
        if match is None:
            i += 1
            continue
        said[0 if match[1] else 1] = True
        i += len(match[0])
    return said[0], said[1]


@functools.lru_cache(maxsize=256)
def understand(text: str) -> Instruction:
    """Read ``text`` (cached: every step of a plan asks about the same instruction)."""
    clauses: list[list[str]] = [[]]
    quantities: list[list[Quantity]] = [[]]
    words: list[str] = []
    for item in read(text):
        if isinstance(item, Quantity):
            if math.isfinite(item.value):  # 10**400 digits said are no value a call can match
                quantities[-1].append(item)
            words.extend(item.words.split())
        elif item == BREAK or item in JOINS:
            if item != BREAK:
                words.append(item)
            if clauses[-1] or quantities[-1]:
                clauses.append([])
                quantities.append([])
        else:
            clauses[-1].append(item)
            words.append(item)
    mentions: list[Mention] = []
    for index, (said, found) in enumerate(zip(clauses, quantities)):
        mentions += [Mention(q.value, q.dimension, index, q.words) for q in found]
        if not any(q.dimension == "angle" for q in found):
            mentions += _implied_angles(said, index)
    return Instruction(text, tuple(words), tuple(tuple(c) for c in clauses), tuple(mentions))


def _implied_angles(words: list[str], clause: int) -> list[Mention]:
    """Every turn the clause's phrases imply ("spin round to face the other way": 360 or 180,
    either may be meant); else half a turn for a turn verb with "around" apart from it ("turn
    yourself around"; a whole one for "spin"), or a quarter turn for a turn verb with a side."""
    found = {degrees: phrase for phrase, degrees in reversed(IMPLIED_ANGLES)
             if any(_starts(words, i, phrase) for i in range(len(words)))}
    if found:
        return [Mention(degrees, "angle", clause, " ".join(phrase))
                for degrees, phrase in sorted(found.items(), reverse=True)]
    verbs = TURN_VERBS.intersection(words)
    if verbs and AROUND.intersection(words):  # "turn yourself around", "spin the robot round"
        degrees = 360.0 if "spin" in verbs else 180.0
        return [Mention(degrees, "angle", clause, f"{min(verbs)} ... around")]
    if verbs:
        side = next((w for w in words if w in SIDES), None)
        if side is not None:
            return [Mention(90.0, "angle", clause, f"turn {side}")]
    return []


def _starts(words: tuple[str, ...] | list[str], i: int, phrase: tuple[str, ...]) -> bool:
    return tuple(words[i:i + len(phrase)]) == phrase


def _same(wanted: str, said: str) -> bool:
    if said == wanted or said in (wanted + "s", wanted + "es"):
        return True
    if len(wanted) < 5 or not 0 <= len(wanted) - len(said) <= 1:
        return False
    if len(said) == len(wanted):  # two neighbours swapped
        diff = [i for i in range(len(said)) if said[i] != wanted[i]]
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and said[diff[0]] == wanted[diff[1]] and said[diff[1]] == wanted[diff[0]])
    return any(wanted[:i] + wanted[i + 1:] == said for i in range(len(wanted)))  # one dropped
