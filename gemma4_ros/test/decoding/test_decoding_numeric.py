"""The range regexes admit exactly the in-range numbers (at the grammar's decimal resolution)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from gemma4_ros.decoding.numeric import (
    EmptyRangeError,
    integer_pattern,
    natural_range,
    number_pattern,
)
from hypothesis import given, settings
from hypothesis import strategies as st

DECIMALS = 3
DIGITS = 4


def _canonical(value: Decimal) -> str:
    """How a model would write the value: no exponent, no trailing zeros beyond one decimal."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


bounds = st.one_of(st.none(), st.decimals(-2000, 2000, places=2, allow_nan=False))
values = st.decimals(-9999, 9999, places=DECIMALS, allow_nan=False)


@given(st.integers(0, 50_000), st.integers(0, 50_000), st.integers(0, 60_000))
def test_natural_range_is_exact(a: int, b: int, probe: int) -> None:
    low, high = min(a, b), max(a, b)
    assert bool(re.fullmatch(natural_range(low, high), str(probe))) == (low <= probe <= high)


@given(bounds, bounds, st.integers(-9999, 9999))
def test_integer_pattern_matches_exactly_the_range(low, high, probe: int) -> None:
    try:
        pattern = integer_pattern(low, high, DIGITS)
    except EmptyRangeError:
        assert low is not None and high is not None and int(low.__ceil__()) > int(high.__floor__())
        return
    inside = (low is None or probe >= low) and (high is None or probe <= high)
    assert pattern.matches(str(probe)) == inside


@settings(max_examples=300)
@given(bounds, bounds, values)
def test_number_pattern_matches_exactly_the_range(low, high, probe: Decimal) -> None:
    try:
        pattern = number_pattern(low, high, DIGITS, DECIMALS)
    except EmptyRangeError:
        assert low is not None and high is not None and low > high
        return
    inside = (low is None or probe >= low) and (high is None or probe <= high)
    assert pattern.matches(_canonical(probe)) == inside


@pytest.mark.parametrize("text", ["1e3", "01", "+1", "1.", ".5", "1.23456", "--1", ""])
def test_number_pattern_refuses_non_canonical_forms(text: str) -> None:
    assert not number_pattern(None, None, DIGITS, 4).matches(text)


def test_zero_fraction_at_the_upper_bound_is_allowed_and_more_is_not() -> None:
    pattern = number_pattern(Decimal("0.05"), Decimal("0.5"), DIGITS, DECIMALS)
    assert [pattern.matches(t) for t in ("0.5", "0.500", "0.501", "0.05", "0.049", "0")] == [
        True, True, False, True, False, False]
