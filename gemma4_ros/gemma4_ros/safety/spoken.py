"""Quantities as operators say them: "10 meters", "two and a half metres", "half a turn", "30 cm",
"a couple of seconds", "0.5 m/s", "1 1/2 ft", "seven tenths of a meter", "2 feet 6 inches".

Pure text to values, no config and no tools: :func:`read` turns an instruction into a sequence of
words, clause breaks and :class:`Quantity` items, each quantity in its dimension's base unit
(metres, degrees, seconds, metres per second) or unit-less when no unit follows the number. A
small hand-written table beats a number-words library here: the phrases that matter ("half a",
"a quarter turn", "a couple of", "and a half" after a unit) are exactly the ones such libraries
leave out.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from gemma4_ros.tools.units import UNITS, Dimension

ONES = {word: value for value, word in enumerate((
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen"))}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}
FRACTIONS = {"half": 0.5, "halves": 0.5, "quarter": 0.25, "quarters": 0.25, "fourth": 0.25,
             "fourths": 0.25, "third": 1 / 3, "thirds": 1 / 3, "fifth": 0.2, "fifths": 0.2,
             "eighth": 0.125, "eighths": 0.125, "tenth": 0.1, "tenths": 0.1,
             "hundredth": 0.01, "hundredths": 0.01}
AND_FRACTIONS = {("a", "half"): 0.5, ("one", "half"): 0.5, ("a", "quarter"): 0.25,
                 ("three", "quarters"): 0.75}

# spoken unit -> symbol of tools/units.py
SPOKEN_UNITS = {
    **dict.fromkeys(("m", "meter", "meters", "metre", "metres"), "m"),
    **dict.fromkeys(("cm", "centimeter", "centimeters", "centimetre", "centimetres"), "cm"),
    **dict.fromkeys(("mm", "millimeter", "millimeters", "millimetre", "millimetres"), "mm"),
    **dict.fromkeys(("km", "kilometer", "kilometers", "kilometre", "kilometres"), "km"),
    **dict.fromkeys(("ft", "foot", "feet"), "ft"),
    **dict.fromkeys(("in", "inch", "inches"), "in"),
    **dict.fromkeys(("yd", "yard", "yards"), "yd"),
    **dict.fromkeys(("deg", "degs", "degree", "degrees", "°"), "deg"),
    **dict.fromkeys(("rad", "rads", "radian", "radians"), "rad"),
    **dict.fromkeys(("turn", "turns", "revolution", "revolutions", "rev", "revs", "rotation",
                     "rotations", "circle", "circles"), "turn"),
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), "s"),
    **dict.fromkeys(("ms", "millisecond", "milliseconds"), "ms"),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), "min"),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "h"),
}
PER = ("per", "a", "an", "/", "every")
FILLERS = ("of", "a", "an")        # "half a meter", "a couple of seconds"
WHOLE = ("full", "whole", "complete")  # "a full turn"
BREAKS = frozenset(",;:.!?()\n")
FOLLOWS_INCH = frozenset(("and", "then", "forward", "forwards", "back", "backward", "backwards",
                          "ahead", "left", "right"))

_TOKEN = re.compile(r"(?P<num>-?(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?|-?\.\d+)"
                    r"|(?P<word>[a-z]+)|(?P<sym>[°/])|(?P<brk>[,;:.!?()\n])")
_VULGAR = {"½": " 1/2 ", "¼": " 1/4 ", "¾": " 3/4 "}


@dataclass(frozen=True)
class Quantity:
    """A number the operator said: its value in the base unit of ``dimension`` (None: no unit, so
    the value is as written), and the words it was said in."""

    value: float
    dimension: Dimension | None
    words: str


BREAK = "\n"  # the item that stands for a clause break


def tokens(text: str) -> list[str]:
    """Lower-case words, numbers (a leading minus only where it is no hyphen), unit symbols and
    clause breaks (as :data:`BREAK`)."""
    for vulgar, spelled in _VULGAR.items():
        text = text.replace(vulgar, spelled)
    text = text.lower()
    found = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if match.lastgroup == "brk":
            token = BREAK
        elif match.lastgroup == "num":
            token = token.replace(",", "")
            start = match.start()
            if token.startswith("-") and start > 0 and text[start - 1].isalnum():
                token = token[1:]  # "u-2" or "x-5": a hyphen, not a minus
        found.append(token)
    return found


def read(text: str) -> list[str | Quantity]:
    """The instruction as words, :data:`BREAK` items and quantities, in order. An amount said in
    two units, the larger first ("2 feet 6 inches", "a minute and 30 seconds", "1 m 20 cm"), is
    one quantity: the operator means the sum, not two amounts."""
    words = tokens(text)
    items: list[str | Quantity] = []
    sizes: list[float] = []  # the unit size of each quantity in items (0: none), in order
    i = 0
    while i < len(words):
        # After a "/" the reader did not take in, a number is part of something it cannot read
        # ("turn pi/2"): no amount at all, rather than a wrong one.
        found = None if _at(words, i - 1) == "/" else _quantity(words, i)
        if found is None:
            items.append(words[i])
            i += 1
            continue
        quantity, size, i = found
        before = _before(items)
        if before is not None and _adds(items[before], sizes[-1], quantity, size):
            first = items[before]
            assert isinstance(first, Quantity)
            joined = " ".join(str(w) for w in items[before + 1:])
            quantity = Quantity(first.value + quantity.value, quantity.dimension,
                                " ".join(filter(None, (first.words, joined, quantity.words))))
            del items[before:]
            sizes.pop()
        items.append(quantity)
        sizes.append(size)
    return items


def _before(items: list[str | Quantity]) -> int | None:
    """The index of a quantity just before, or before an "and" just before; None if there is
    none."""
    if items and isinstance(items[-1], Quantity):
        return len(items) - 1
    if len(items) >= 2 and items[-1] == "and" and isinstance(items[-2], Quantity):
        return len(items) - 2
    return None


def _adds(first: str | Quantity, first_size: float, second: Quantity, second_size: float) -> bool:
    """Whether ``second`` continues ``first`` in a smaller unit of the same dimension."""
    return (isinstance(first, Quantity) and first.dimension is not None
            and first.dimension == second.dimension and first.dimension != "speed"
            and 0 < second_size < first_size)


def _quantity(words: list[str], i: int) -> tuple[Quantity, float, int] | None:
    """The quantity starting at ``i``, the size of its unit (0 without one), the next index."""
    number = _number(words, i)
    if number is None:
        return None
    value, j, needs_unit = number
    if needs_unit:
        j = _skip(words, j, FILLERS)
    elif _at(words, j) == "of" and _unit(words, _skip(words, j, FILLERS)) is not None:
        j = _skip(words, j, FILLERS)  # "0.7 of a meter", "3/4 of a turn"
    whole = _skip(words, j, WHOLE)
    unit = _unit(words, whole)
    if unit is not None and (whole == j or UNITS[unit[0]][0] == "angle"):
        symbol, j = unit
        if words[i] in ("a", "an") and symbol == "turn" and j - i == 2:
            return None  # "make a turn" names no angle
        extra, j = _and_fraction(words, j)
        value += extra
        dimension, size = UNITS[symbol]
        value *= size
        speed = _per_time(words, j) if dimension == "length" else None
        if speed is not None:
            per, j = speed
            dimension, value = "speed", value / per
        return Quantity(value, dimension, " ".join(words[i:j])), size, j
    if needs_unit:
        return None
    return Quantity(value, None, " ".join(words[i:j])), 0.0, j


def _number(words: list[str], i: int) -> tuple[float, int, bool] | None:
    """(value, next index, whether a unit must follow) for a number starting at ``i``."""
    word = words[i]
    needs_unit = False
    if _is_digits(word):
        value, j = _digits(words, i)
    elif word in ONES or word in TENS or (word == "point" and _at(words, i + 1) in ONES):
        value, j = _cardinal(words, i)
    elif word in ("a", "an"):
        value, j, needs_unit = 1.0, i + 1, True
    elif word in FRACTIONS or word == "couple":
        value, j, needs_unit = 1.0, i, True
    elif word == "pi":
        value, j = 1.0, i
    else:
        return None
    if _at(words, j) == "pi":  # "pi/2 rad", "2 pi radians", "pi over 4 radians": with a unit
        value, j, needs_unit = value * math.pi, j + 1, True
        if _at(words, j) in ("/", "over") and _is_digits(_at(words, j + 1)) and float(words[j + 1]):
            value, j = value / float(words[j + 1]), j + 2
    following = words[j] if j < len(words) else ""
    if following == "couple" and needs_unit:
        value, j = 2.0, j + 1
    elif following == "dozen":
        value, j, needs_unit = value * 12, j + 1, True
    elif following in ("hundred", "thousand") and word in ("a", "an"):
        return _cardinal(words, j, start=1.0) + (False,)
    elif following in FRACTIONS:
        value, j, needs_unit = value * FRACTIONS[following], j + 1, True
    extra, j = _and_fraction(words, j)
    return value + extra, j, needs_unit


def _digits(words: list[str], i: int) -> tuple[float, int]:
    """Digits, with a fraction after them: "1/2", "1 1/2"."""
    value, j = float(words[i]), i + 1
    if _at(words, j) == "/" and _is_digits(_at(words, j + 1)) and float(words[j + 1]):
        return value / float(words[j + 1]), j + 2
    if (_is_digits(_at(words, j)) and _at(words, j + 1) == "/"
            and _is_digits(_at(words, j + 2)) and float(words[j + 2])):
        return value + float(words[j]) / float(words[j + 2]), j + 3
    return value, j


def _cardinal(words: list[str], i: int, start: float = 0.0) -> tuple[float, int]:
    """Number words: "twenty five", "one hundred and eighty", "one point five"."""
    total, current, j, last = 0.0, start, i, ""
    while j < len(words):
        word = words[j]
        if word in ONES and last not in ONES and not (last in TENS and ONES[word] >= 10):
            current += ONES[word]
        elif word in TENS and last not in ONES and last not in TENS:
            current += TENS[word]
        elif word == "hundred":
            current = max(current, 1.0) * 100
        elif word == "thousand":
            total, current = total + max(current, 1.0) * 1000, 0.0
        elif word == "and" and last in ("hundred", "thousand") and (
                _at(words, j + 1) in ONES or _at(words, j + 1) in TENS):
            pass
        else:
            break
        last, j = word, j + 1
    value = total + current
    if _at(words, j) == "point" and _at(words, j + 1) in ONES and ONES[words[j + 1]] < 10:
        j += 1
        digits = ""
        while j < len(words) and words[j] in ONES and ONES[words[j]] < 10:
            digits, j = digits + str(ONES[words[j]]), j + 1
        value += float("0." + digits)
    return value, j


def _and_fraction(words: list[str], j: int) -> tuple[float, int]:
    """"and a half" (0.5) after a number or a unit; 0 and ``j`` when there is none."""
    if _at(words, j) == "and":
        extra = AND_FRACTIONS.get((_at(words, j + 1), _at(words, j + 2)))
        if extra is not None:
            return extra, j + 3
    return 0.0, j


def _unit(words: list[str], j: int) -> tuple[str, int] | None:
    symbol = SPOKEN_UNITS.get(_at(words, j))
    if symbol is None:
        return None
    after = _at(words, j + 1)
    if words[j] == "in" and after not in ("", BREAK) and after not in FOLLOWS_INCH:
        return None  # "wait 5 in the hall": a preposition, not inches
    return symbol, j + 1


def _per_time(words: list[str], j: int) -> tuple[float, int] | None:
    """The duration in "per second", "/s", "a minute" after a length: (seconds, next index)."""
    if _at(words, j) not in PER:
        return None
    symbol = SPOKEN_UNITS.get(_at(words, j + 1))
    if symbol is None or UNITS[symbol][0] != "duration":
        return None
    return UNITS[symbol][1], j + 2


def _skip(words: list[str], j: int, fillers: tuple[str, ...]) -> int:
    for _ in range(2):
        if _at(words, j) in fillers:
            j += 1
    return j


def _at(words: list[str], j: int) -> str:
    return words[j] if 0 <= j < len(words) else ""


def _is_digits(word: str) -> bool:
    return bool(word) and (word[0].isdigit() or word[0] in "-.")
