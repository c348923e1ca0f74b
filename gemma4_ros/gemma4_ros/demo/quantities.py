"""Quantities as operators say them, with the value each means in its tool's unit.

The demo model has to turn "3 feet" into ``distance:0.914``, "a quarter turn" into ``angle:90``,
"750 ms" into ``seconds:0.75`` and "two minute" into ``seconds:120``: it cannot do arithmetic, so
the corpus shows it every spoken form it should know, each with its converted value. A sampler
draws a value and a way of saying it; the step makers decide what the value means for the call
(in the tool's schema range: the call; beyond it: a refusal, since no call can say it).

Numbers said in digits in the tool's own unit are *copied* (``Spoken.copied``): the held-out split
may hold such a number out of training, since copying digits generalises. A converted value is a
fact to learn, never held out. Values are rounded to what a call writes (3 decimals; degrees to
1 decimal), well inside the 1 % the hand-written scoring and the 3 % the grounding check allow.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

FOOT = 0.3048
INCH = 0.0254
YARD = 0.9144
RADIAN = 180 / math.pi

ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
        "eighteen", "nineteen")
TENS = {20: "twenty", 30: "thirty", 40: "forty", 50: "fifty", 60: "sixty", 70: "seventy",
        80: "eighty", 90: "ninety"}

METRES = ("m", "meters", "metres", "meter", "metre", "meters", "meters")
METRE = ("meter", "metre", "m", "meter")
CENTIMETRES = ("cm", "centimeters", "centimetres", "cm")
MILLIMETRES = ("mm", "millimeters", "millimetres", "mm")
FEET = ("feet", "ft", "feet", "foot")  # "2 foot" is said too
INCHES = ("inches", "inches", "inch")  # not "in": "wait 5 in the hall"
YARDS = ("yards", "yd", "yards")
DEGREES = ("degrees", "degrees", "deg", "degs", "degree", "°")
RADIANS = ("radians", "rad", "radians", "rads")
SECONDS = ("seconds", "seconds", "secs", "sec", "s", "second")
MINUTES = ("minutes", "minutes", "mins", "min", "minute")
MILLISECONDS = ("ms", "milliseconds", "millisecond", "ms")
SPEED_UNITS = ("m/s", "meters per second", "metres per second", "meters a second", "mps")

SINGULAR = {"meters": "meter", "metres": "metre", "centimeters": "centimeter",
            "centimetres": "centimetre", "millimeters": "millimeter", "millimetres": "millimetre",
            "feet": "foot", "inches": "inch", "yards": "yard", "degrees": "degree",
            "radians": "radian", "seconds": "second", "minutes": "minute", "secs": "sec",
            "mins": "min", "degs": "deg", "rads": "rad", "milliseconds": "millisecond"}

SLOW_WORDS = ("slowly", "carefully", "gently", "slow", "nice and slow", "at a slow speed",
              "at low speed", "cautiously")
FAST_WORDS = ("fast", "quickly", "quick", "at speed", "briskly", "at a fast pace",
              "at high speed", "speedily")
TOP_SPEED_WORDS = ("at full speed", "at top speed", "at maximum speed", "as fast as you can")
SLOW, FAST, TOP = 0.2, 0.5, 1.0  # m/s: fast is the gate's limit, never a plan it rejects


@dataclass(frozen=True)
class Spoken:
    """A value in the tool's unit, the words that say it, and whether its digits are copied."""

    value: float
    words: str
    copied: bool = False


def rounded(value: float, places: int = 3) -> float:
    """The value as a call writes it."""
    return round(value + 0.0, places)


def number_words(n: int, rng: random.Random) -> str:
    """A whole number from 0 to 9999 in words: "forty five", "one hundred and eighty"."""
    if n < 20:
        return ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        if not ones:
            return TENS[n]
        return TENS[tens * 10] + rng.choice((" ", " ", "-")) + ONES[ones]
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = rng.choice(("one hundred", "a hundred", "one hundred")) if hundreds == 1 \
            else f"{ONES[hundreds]} hundred"
        if not rest:
            return head
        return head + rng.choice((" and ", " ")) + number_words(rest, rng)
    thousands, rest = divmod(n, 1000)
    head = f"{number_words(thousands, rng)} thousand"
    return head if not rest else head + rng.choice((" and ", " ")) + number_words(rest, rng)


def digits(value: float) -> str:
    """Digits as an operator types them: 2, 1.5, 0.25."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def said(value: float, rng: random.Random, words_below: int = 21) -> tuple[str, bool]:
    """A number in digits or, below ``words_below``, now and then in words ("one point five");
    True when it is digits."""
    if value < words_below and rng.random() < 0.3:
        whole, tenths = divmod(round(value * 10), 10)
        if not tenths:
            return number_words(whole, rng), False
        if round(value * 10) == value * 10:
            return f"{number_words(whole, rng)} point {ONES[tenths]}", False
    return digits(value), True


def with_unit(number: str, units: tuple[str, ...], rng: random.Random, one: bool = False) -> str:
    """"3 feet", "2.5m" (digits glued to a short unit now and then), "1 meter"."""
    unit = rng.choice(units)
    if one and rng.random() < 0.8:
        unit = SINGULAR.get(unit, unit)  # "1 meter", "one second"; sometimes "1 meters", as typed
    glue = unit in ("m", "cm", "mm", "ft", "s", "ms", "min") and number[-1].isdigit() \
        and rng.random() < 0.3
    return number + ("" if glue else " ") + unit


def _whole_or_tenth(rng: random.Random, low: float, high: float) -> float:
    if rng.random() < 0.5:
        return float(rng.randint(math.ceil(low), math.floor(high)))
    return rng.randint(math.ceil(low * 10), math.floor(high * 10)) / 10


# Fractions of one unit that operators say in words: (value, phrasings with {u} a singular unit,
# {us} a plural one).
FRACTIONS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (0.5, ("half a {u}", "a half {u}", "half of a {u}", "1/2 {u}", "0.5 {us}", "a half of a {u}")),
    (0.25, ("a quarter of a {u}", "a quarter {u}", "quarter of a {u}", "1/4 {u}",
            "one quarter of a {u}")),
    (0.75, ("three quarters of a {u}", "three quarter of a {u}", "3/4 {u}")),
    (1.5, ("one and a half {us}", "a {u} and a half", "1 1/2 {us}", "one {u} and a half",
           "1.5 {us}")),
    (2.5, ("two and a half {us}", "2 1/2 {us}", "two {us} and a half")),
    (3.5, ("three and a half {us}", "3 1/2 {us}")),
    (1.0, ("a {u}", "one {u}", "exactly one {u}")),
    (2.0, ("a couple of {us}", "a couple {us}", "two {us}")),
)


def fraction(rng: random.Random, singular: tuple[str, ...], plural: tuple[str, ...],
             largest: float = 99.0) -> tuple[float, str]:
    """A fraction said in words, in units: (how many units, words)."""
    value, forms = rng.choice([f for f in FRACTIONS if f[0] <= largest])
    form = rng.choice(forms)
    return value, form.format(u=rng.choice(singular), us=rng.choice(plural))


def distance(rng: random.Random) -> Spoken:
    """A distance within 5 m, in metres, said in one of many ways."""
    roll = rng.random()
    if roll < 0.3:
        value = _whole_or_tenth(rng, 0.1, 5) if rng.random() < 0.85 \
            else rng.randint(1, 499) / 100
        number, copied = said(value, rng, 6)
        return Spoken(value, with_unit(number, METRES, rng, value == 1), copied)
    if roll < 0.42:
        count, words = fraction(rng, METRE, ("meters", "metres"), 3.5)
        return Spoken(count, words)
    if roll < 0.54:
        cm = rng.choice((rng.randrange(5, 501, 5), rng.randint(1, 100)))
        number, _ = said(cm, rng, 100)
        return Spoken(rounded(cm / 100), with_unit(number, CENTIMETRES, rng, cm == 1))
    if roll < 0.6:
        mm = rng.randrange(10, 5001, 10)
        return Spoken(rounded(mm / 1000), with_unit(digits(mm), MILLIMETRES, rng))
    if roll < 0.74:
        return _imperial(rng, FOOT, ("foot",), FEET, 16)
    if roll < 0.88:
        return _imperial(rng, INCH, ("inch",), INCHES, 99, dozen=True)
    return _imperial(rng, YARD, ("yard",), YARDS, 5)


def _imperial(rng: random.Random, size: float, singular: tuple[str, ...],
              plural: tuple[str, ...], most: int, dozen: bool = False) -> Spoken:
    roll = rng.random()
    if roll < 0.25 and size >= FOOT:  # no fractions of an inch: too small to matter
        count, words = fraction(rng, singular, plural, min(most, 3.5))
        return Spoken(rounded(count * size), words)
    if dozen and roll < 0.3:
        return Spoken(rounded(12 * size), rng.choice(("a dozen inches", "twelve inches")))
    count = rng.randint(1, most) if rng.random() < 0.85 or most < 2 \
        else rng.randint(2, 2 * most - 1) / 2
    number, _ = said(count, rng, 21)
    return Spoken(rounded(count * size), with_unit(number, plural, rng, count == 1))


def far_distance(rng: random.Random) -> Spoken:
    """A distance beyond 5 m (a call cannot say it: the command is refused)."""
    roll = rng.random()
    if roll < 0.4:
        value = float(rng.choice((rng.randint(6, 100), rng.randint(6, 20), rng.randint(51, 99) / 10)))
        number, copied = said(value, rng, 21)
        return Spoken(value, with_unit(number, METRES, rng), copied)
    if roll < 0.55:
        feet = rng.randint(17, 200)
        return Spoken(rounded(feet * FOOT), with_unit(said(feet, rng, 21)[0], FEET, rng))
    if roll < 0.65:
        yards = rng.randint(6, 100)
        return Spoken(rounded(yards * YARD), with_unit(said(yards, rng)[0], YARDS, rng))
    if roll < 0.75:
        cm = rng.randrange(600, 5001, 50)
        return Spoken(cm / 100, with_unit(digits(cm), CENTIMETRES, rng))
    words = rng.choice(("a kilometer", "a kilometre", "1 km", "2 km", "half a kilometer",
                        "a mile", "two miles", "a hundred meters", "100 m", "fifty meters",
                        "a block", "10 km", "a thousand meters", "the length of the building"))
    return Spoken(1000.0, words)


# Angles said without degrees: (degrees, phrasings).
TURNS: tuple[tuple[float, tuple[str, ...]], ...] = (
    (90, ("a quarter turn", "a quarter of a turn", "quarter turn", "a quarter rotation",
          "one quarter turn", "a 1/4 turn", "a quarter circle")),
    (180, ("half a turn", "a half turn", "half turn", "half a rotation", "a half rotation",
           "half a circle", "a half circle")),
    (270, ("three quarters of a turn", "a three quarter turn", "three quarter turn")),
    (360, ("a full turn", "one full turn", "a full circle", "a whole turn", "one turn",
           "a complete turn", "a full rotation", "one full rotation", "a full revolution",
           "one revolution", "a complete circle", "360")),
    (120, ("a third of a turn", "one third of a turn")),
)
RADIAN_VALUES = (0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.2, 1.5, 1.57, 2, 2.5, 3, 3.14, 4, 5, 6, 6.28)
PI_FORMS = ((180, ("pi radians", "pi rad", "pi")), (90, ("pi/2 radians", "pi over 2 radians",
            "half pi radians", "pi/2 rad")), (45, ("pi/4 radians", "pi over 4 radians")),
            (360, ("2 pi radians", "two pi radians")))


def angle(rng: random.Random) -> Spoken:
    """An angle up to 360 degrees (its size; the frame gives the side), said in one of many ways."""
    roll = rng.random()
    if roll < 0.5:
        value = float(rng.choice((rng.randrange(5, 361, 5), rng.randint(1, 360),
                                  rng.choice((15, 30, 45, 60, 90, 120, 135, 180, 270)))))
        if rng.random() < 0.3:
            return Spoken(value, with_unit(number_words(int(value), rng), DEGREES, rng))
        return Spoken(value, with_unit(digits(value), DEGREES, rng, value == 1), True)
    if roll < 0.7:
        value, forms = rng.choice(TURNS)
        return Spoken(float(value), rng.choice(forms))
    if roll < 0.9:
        value = rng.choice(RADIAN_VALUES)
        number, _ = said(value, rng, 7)
        return Spoken(rounded(value * RADIAN, 1), with_unit(number, RADIANS, rng, value == 1))
    value, forms = rng.choice(PI_FORMS)
    return Spoken(float(value), rng.choice(forms))


def wide_angle(rng: random.Random) -> Spoken:
    """An angle beyond 360 degrees (refused)."""
    roll = rng.random()
    if roll < 0.5:
        value = float(rng.choice((rng.randint(361, 1440), rng.choice((450, 540, 720, 1080)))))
        number = number_words(int(value), rng) if rng.random() < 0.3 else digits(value)
        return Spoken(value, with_unit(number, DEGREES, rng))
    if roll < 0.85:
        turns = rng.choice((2, 3, 4, 5, 10))
        words = rng.choice(("{n} full turns", "{n} turns", "{n} full circles", "{n} rotations",
                            "{n} full rotations", "{n} revolutions", "{n} times around"))
        return Spoken(360.0 * turns, words.format(n=said(turns, rng)[0]))
    value = rng.choice((7, 8, 10, 12, 20))
    return Spoken(rounded(value * RADIAN, 1), with_unit(said(value, rng)[0], RADIANS, rng))


def duration(rng: random.Random) -> Spoken:
    """A wait up to 600 seconds, in seconds, said in one of many ways."""
    roll = rng.random()
    if roll < 0.38:
        value = float(rng.choice((rng.randint(1, 60), rng.randint(1, 600), rng.randint(1, 30))))
        if rng.random() < 0.15:
            value = rng.randint(1, 99) / 10
        number, copied = said(value, rng, 61)
        return Spoken(value, with_unit(number, SECONDS, rng, value == 1), copied)
    if roll < 0.46:
        count, words = fraction(rng, ("second",), ("seconds", "secs"), 3.5)
        if rng.random() < 0.2:
            count, words = 12.0, rng.choice(("a dozen seconds", "twelve seconds"))
        return Spoken(count, words)
    if roll < 0.56:
        ms = rng.choice((rng.randrange(50, 5001, 50), rng.randrange(100, 1001, 100)))
        return Spoken(rounded(ms / 1000), with_unit(digits(ms), MILLISECONDS, rng))
    if roll < 0.8:
        minutes = float(rng.randint(1, 10))
        number, _ = said(minutes, rng, 11)
        return Spoken(60 * minutes, with_unit(number, MINUTES, rng, minutes == 1))
    count, words = fraction(rng, ("minute",), ("minutes", "mins"), 3.5)
    return Spoken(60 * count, words)


def long_duration(rng: random.Random) -> Spoken:
    """A wait beyond 600 seconds (refused)."""
    roll = rng.random()
    if roll < 0.35:
        minutes = rng.randint(11, 120)
        return Spoken(60.0 * minutes, with_unit(said(minutes, rng, 21)[0], MINUTES, rng))
    if roll < 0.6:
        seconds = rng.randint(601, 7200)
        return Spoken(float(seconds), with_unit(digits(seconds), SECONDS, rng))
    words = rng.choice(("an hour", "one hour", "two hours", "half an hour", "an hour and a half",
                        "3 hours", "1 hour", "1 h", "2 hrs", "a day", "all day", "the whole day",
                        "a week", "forever", "the rest of the day", "an entire hour"))
    return Spoken(3600.0, words)


def speed(rng: random.Random) -> Spoken:
    """A speed up to 1 m/s: a word ("slowly" 0.2, "fast" 0.5) or a number with its unit."""
    roll = rng.random()
    if roll < 0.3:
        return Spoken(SLOW, rng.choice(SLOW_WORDS))
    if roll < 0.55:
        return Spoken(FAST, rng.choice(FAST_WORDS))
    if roll < 0.6:
        return Spoken(TOP, rng.choice(TOP_SPEED_WORDS))
    if roll < 0.85:
        value = rng.randint(1, 10) / 10
        return Spoken(value, "at " + with_unit(digits(value), SPEED_UNITS, rng), True)
    if roll < 0.95:
        cm = rng.randrange(10, 101, 5)
        unit = rng.choice(("cm/s", "centimeters per second", "cm per second"))
        return Spoken(rounded(cm / 100), f"at {cm} {unit}")
    return Spoken(0.5, rng.choice(("at half a meter per second", "at half a metre a second",
                                   "at 0.5 meters per second")))


def too_fast(rng: random.Random) -> Spoken:
    """A speed beyond 1 m/s (refused)."""
    value = rng.choice((1.5, 2, 2.5, 3, 4, 5, 10))
    return Spoken(float(value), "at " + with_unit(digits(value), SPEED_UNITS, rng))

