"""Regexes that hold a JSON Schema's numeric range, so a random model cannot leave it.

A number the grammar lets through is always inside ``minimum``/``maximum`` (and the exclusive
bounds): the ranges are *under*-approximated at a fixed decimal resolution, never widened. The
only values lost are those with more decimals than the resolution, which the grammar cannot
express anyway. ``multipleOf`` and bounds past the magnitude limit are left to the validator.

A range becomes a :class:`NumericPattern`: alternatives, each an intersection of regexes. The
intersection is needed when both bounds share their integer part (``0.05 ≤ speed ≤ 0.5``) and is
written with llguidance's ``&`` terminal operator; Python's ``re`` checks the same pattern in tests.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Optional

_INT_PART = "(?:0|[1-9][0-9]*)"


@dataclass(frozen=True)
class NumericPattern:
    """A union of intersections of regexes (each alternative: every regex must match in full)."""

    alternatives: tuple[tuple[str, ...], ...]

    def to_lark(self) -> str:
        """Terminal expression for llguidance (``&`` binds tighter than ``|``)."""
        return " | ".join(" & ".join(f"/{regex}/" for regex in alt) for alt in self.alternatives)

    def matches(self, text: str) -> bool:
        """Whether ``text`` is in the pattern's language (the reference semantics for tests)."""
        return any(all(re.fullmatch(regex, text) for regex in alt) for alt in self.alternatives)


class EmptyRangeError(ValueError):
    """The bounds leave no value the grammar can express; the caller turns it into a GrammarError."""


def _digit_class(low: str, high: str) -> str:
    return low if low == high else f"[{low}-{high}]"


def _same_length_range(low: str, high: str) -> str:
    """Regex for the digit strings of one length between ``low`` and ``high`` (inclusive)."""
    width = len(low)
    if width == 0:
        return ""
    if low == "0" * width and high == "9" * width:
        return _repeat_digits(width, width)
    if low[0] == high[0]:
        return low[0] + _same_length_range(low[1:], high[1:])
    rest = width - 1
    if low[1:] == "0" * rest and high[1:] == "9" * rest:
        return _digit_class(low[0], high[0]) + _repeat_digits(rest, rest)
    parts = [low[0] + _same_length_range(low[1:], "9" * rest)]
    if int(high[0]) - int(low[0]) >= 2:
        middle = _digit_class(str(int(low[0]) + 1), str(int(high[0]) - 1))
        parts.append(middle + _repeat_digits(rest, rest))
    parts.append(high[0] + _same_length_range("0" * rest, high[1:]))
    return "(?:" + "|".join(parts) + ")"


def _repeat_digits(low: int, high: int) -> str:
    """``[0-9]{low,high}``, written shortest (empty when it matches only the empty string)."""
    if high == 0:
        return ""
    return f"[0-9]{{{low}}}" if low == high else f"[0-9]{{{low},{high}}}"


def natural_range(low: int, high: int) -> str:
    """Regex for the decimal integers ``low..high`` (``0 <= low <= high``), no leading zeros."""
    parts, full_widths = [], []
    for width in range(len(str(low)), len(str(high)) + 1):
        first = 0 if width == 1 else 10 ** (width - 1)
        part_low, part_high = max(low, first), min(high, 10**width - 1)
        if width > 1 and (part_low, part_high) == (first, 10**width - 1):
            full_widths.append(width)  # every number of this width: merged below
        elif part_low <= part_high:
            parts.append(_same_length_range(str(part_low), str(part_high)))
    if full_widths:
        parts.append("[1-9]" + _repeat_digits(full_widths[0] - 1, full_widths[-1] - 1))
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def integer_pattern(
    minimum: Optional[Decimal], maximum: Optional[Decimal], max_digits: int
) -> NumericPattern:
    """Integers in the inclusive range; an open side stops at ``max_digits`` digits."""
    limit = 10**max_digits - 1
    low = -limit if minimum is None else int(minimum.to_integral_value(ROUND_CEILING))
    high = limit if maximum is None else int(maximum.to_integral_value(ROUND_FLOOR))
    low, high = max(low, -limit), min(high, limit)
    if low > high:
        raise EmptyRangeError(f"no integer between {minimum} and {maximum}")
    alternatives = []
    if low < 0:
        alternatives.append(("-" + natural_range(max(1, -high), -low),))
    if high >= 0:
        alternatives.append((natural_range(max(0, low), high),))
    return NumericPattern(tuple(alternatives))


def _fraction_at_most(digits: str, decimals: int) -> str:
    """Optional fraction (``.ddd``) whose value is at most ``0.digits``."""
    if not digits:
        return rf"(?:\.0{{1,{decimals}}})?"
    parts = []
    for i, digit in enumerate(digits):
        if digit != "0":
            tail = _repeat_digits(0, decimals - i - 1)
            parts.append(digits[:i] + _digit_class("0", str(int(digit) - 1)) + tail)
        parts.append(digits[: i + 1])
    if len(digits) < decimals:
        parts.append(digits + f"0{{1,{decimals - len(digits)}}}")
    return r"(?:\.(?:" + "|".join(parts) + "))?"


def _fraction_at_least(digits: str, decimals: int) -> str:
    """Optional fraction whose value is at least ``0.digits`` (required unless digits is empty)."""
    if not digits:
        return rf"(?:\.[0-9]{{1,{decimals}}})?"
    parts = []
    for i, digit in enumerate(digits):
        if digit != "9":
            tail = _repeat_digits(0, decimals - i - 1)
            parts.append(digits[:i] + _digit_class(str(int(digit) + 1), "9") + tail)
    parts.append(digits + _repeat_digits(0, decimals - len(digits)))
    return r"\.(?:" + "|".join(parts) + ")"


def _split(value: Decimal) -> tuple[int, str]:
    """Integer part and fraction digits (no trailing zeros) of a non-negative decimal."""
    integer = int(value)
    fraction = format(value - integer, "f").partition(".")[2].rstrip("0")
    return integer, fraction


def _nonnegative_number(low: Decimal, high: Decimal, decimals: int) -> list[tuple[str, ...]]:
    """Alternatives for the numbers ``low..high`` with ``0 <= low <= high``."""
    low_int, low_frac = _split(low)
    high_int, high_frac = _split(high)
    any_fraction = rf"(?:\.[0-9]{{1,{decimals}}})?"
    if low_int == high_int:
        at_most = f"{high_int}{_fraction_at_most(high_frac, decimals)}"
        if not low_frac:
            return [(at_most,)]
        return [(f"{low_int}{_fraction_at_least(low_frac, decimals)}", at_most)]
    # Integer parts whose every fraction is in range; the bounds' own parts get partial fractions.
    first = low_int if not low_frac else low_int + 1
    last = high_int if high_frac == "9" * decimals else high_int - 1
    parts = [] if first == low_int else [f"{low_int}{_fraction_at_least(low_frac, decimals)}"]
    if first <= last:
        parts.append(natural_range(first, last) + any_fraction)
    if last < high_int:
        parts.append(f"{high_int}{_fraction_at_most(high_frac, decimals)}")
    return [(parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")",)]


def number_pattern(
    minimum: Optional[Decimal], maximum: Optional[Decimal], max_digits: int, max_decimals: int
) -> NumericPattern:
    """Decimal numbers (no exponent) in the inclusive range, at ``max_decimals`` resolution."""
    step = Decimal(1).scaleb(-max_decimals)
    limit = Decimal(10**max_digits) - step
    low = -limit if minimum is None else max(-limit, minimum.quantize(step, ROUND_CEILING))
    high = limit if maximum is None else min(limit, maximum.quantize(step, ROUND_FLOOR))
    if low > high:
        raise EmptyRangeError(f"no number with {max_decimals} decimals between {minimum} and {maximum}")
    alternatives: list[tuple[str, ...]] = []
    if low < 0:
        negative = _nonnegative_number(max(Decimal(0), -high), -low, max_decimals)
        alternatives += [tuple("-" + regex for regex in alt) for alt in negative]
    if high >= 0:
        alternatives += _nonnegative_number(max(Decimal(0), low), high, max_decimals)
    return NumericPattern(tuple(alternatives))
