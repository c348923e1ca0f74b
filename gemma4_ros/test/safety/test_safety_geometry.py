"""Polygon containment and clearances against brute-force sampling."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gemma4_ros.safety.geometry import Polygon, polygon_problem

SQUARE = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)])
SQUARE_CW = Polygon([(0, 0), (0, 4), (4, 4), (4, 0)])
L_SHAPE = Polygon([(0, 0), (4, 0), (4, 1), (1, 1), (1, 4), (0, 4)])
coordinate = st.floats(-2.0, 6.0, allow_nan=False)


def _sampled_clearance(polygon: Polygon, x0: float, y0: float, x1: float, y1: float) -> float:
    return min(polygon.clearance(x0 + (x1 - x0) * t / 400, y0 + (y1 - y0) * t / 400)
               for t in range(401))


def test_convexity() -> None:
    assert SQUARE.convex and SQUARE_CW.convex and not L_SHAPE.convex


@pytest.mark.parametrize("polygon, x, y, inside", [
    (SQUARE, 2, 2, True), (SQUARE, 5, 2, False), (SQUARE, -0.1, 2, False), (SQUARE, 4, 2, True),
    (L_SHAPE, 0.5, 3, True), (L_SHAPE, 3, 3, False), (L_SHAPE, 3, 0.5, True),
])
def test_contains(polygon: Polygon, x: float, y: float, inside: bool) -> None:
    assert polygon.contains(x, y) is inside


@pytest.mark.parametrize("polygon", [SQUARE, SQUARE_CW, L_SHAPE])
def test_every_point_of_the_boundary_is_inside(polygon: Polygon) -> None:
    """Corners and points along every edge, the top and bottom ones a ray runs along included
    (hypothesis found (0, 4) of the square counted outside)."""
    for (ax, ay), (bx, by) in zip(polygon.points, polygon.points[1:] + polygon.points[:1]):
        for t in (0.0, 0.25, 0.5, 1.0):
            point = (ax + (bx - ax) * t, ay + (by - ay) * t)
            assert polygon.contains(*point), point


@pytest.mark.parametrize("polygon", [SQUARE, SQUARE_CW])
@given(x=coordinate, y=coordinate)
@settings(max_examples=150, deadline=None)
def test_signed_clearance_matches_clearance(polygon: Polygon, x: float, y: float) -> None:
    signed = polygon.signed_clearance(x, y)
    if polygon.contains(x, y) and min(x, y, 4 - x, 4 - y) > 1e-9:
        assert signed == pytest.approx(polygon.clearance(x, y), abs=1e-9)
    elif not polygon.contains(x, y):
        assert signed < 0.0


@given(x0=coordinate, y0=coordinate, x1=coordinate, y1=coordinate)
@settings(max_examples=150, deadline=None)
def test_segment_clearance_against_sampling(x0: float, y0: float, x1: float, y1: float) -> None:
    exact = L_SHAPE.segment_clearance(x0, y0, x1, y1)
    sampled = _sampled_clearance(L_SHAPE, x0, y0, x1, y1)
    step = math.hypot(x1 - x0, y1 - y0) / 400
    assert exact <= sampled + 1e-9
    assert sampled <= exact + step + 1e-9  # sampling can only miss the minimum by one step


def test_crossing_is_zero_clearance() -> None:
    assert L_SHAPE.segment_clearance(3, 3, 3, -1) == 0.0
    assert L_SHAPE.segment_clearance(2, 2, 3, 3) == pytest.approx(1.0)


def test_bad_polygons() -> None:
    with pytest.raises(ValueError, match="three corners"):
        Polygon([(0, 0), (1, 1)])
    with pytest.raises(ValueError, match="equal consecutive"):
        Polygon([(0, 0), (0, 0), (1, 1)])


@pytest.mark.parametrize("corners, fragment", [
    ([(0, 0), (4, 0), (4, 4), (0, 4)], ""),
    ([(0, 0), (4, 0), (4, 1), (1, 1), (1, 4), (0, 4)], ""),  # non-convex but simple
    ([(0, 0), (4, 0), (4, 4), (0, 4), (0, 2)], ""),  # a corner on a straight edge is harmless
    ([(0, 0), (2, 2), (5, 5)], "zero area"),  # collinear
    ([(0, 0), (4, 0), (2, 0)], "zero area"),  # collinear, folding back
    ([(0, 0), (1e-4, 0), (0, 1e-4)], "area is below"),  # 5e-9 m²: a point, not an area
    ([(0, 0), (4, 4), (4, 0), (0, 4)], "crosses or touches itself"),  # a bow-tie
    ([(0, 0), (4, 0), (4, 4), (2, 4), (2, 6), (2, 4), (0, 4)],  # a spike
     "crosses or touches itself"),
    ([(0, 0), (4, 0), (2, 2), (4, 4), (0, 4), (2, 2)], "crosses or touches itself"),  # figure eight
    ([(0, 0), (1, 1)], "three corners"),
    ([(0, 0), (0, 0), (1, 1)], "equal consecutive"),
])
def test_polygon_problem(corners: list[tuple[float, float]], fragment: str) -> None:
    problem = polygon_problem(corners)
    assert (fragment in problem) if fragment else problem == ""
    if fragment:
        with pytest.raises(ValueError, match=fragment):
            Polygon(corners)


@given(st.lists(st.floats(0.0, 2 * math.pi, exclude_max=True), min_size=3, max_size=12,
                unique=True),
       st.floats(0.5, 50.0))
@settings(max_examples=200, deadline=None)
def test_corners_in_order_around_a_circle_are_accepted(angles: list[float], radius: float) -> None:
    corners = [(radius * math.cos(a), radius * math.sin(a)) for a in sorted(angles)]
    area = abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1)
                   in zip(corners, corners[1:] + corners[:1]))) / 2
    problem = polygon_problem(corners)
    assert problem == "" or (area < 1e-3 and "area" in problem) or "equal" in problem, problem
