"""Planar polygon geometry for the geofence: containment and clearances, precomputed at load.

Plain Python on purpose: the polygons are a handful of corners, where numpy's per-call overhead
(~1 µs per operation) costs more than the arithmetic. Every edge is stored once with its direction
and squared length so a query does no allocation beyond its floats.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Edge = tuple[float, float, float, float, float]  # ax, ay, dx, dy, squared length

MIN_AREA_M2 = 1e-6  # below this a polygon is a line or a point (collinear corners), not an area
MIN_OFFSET_M = 1e-6  # corners closer than this to each other are equal, to one line collinear


def polygon_problem(corners: Sequence[Sequence[float]]) -> str:
    """Why ``corners`` is not a usable fence polygon ('' when it is): fewer than three corners,
    two equal consecutive corners, (nearly) zero area, or edges that cross or fold back (a
    bow-tie). Containment by ray casting means nothing for such shapes, so they would let the
    gate approve moves it cannot judge; found at load, they are start-up errors."""
    points = [(float(x), float(y)) for x, y in corners]
    if len(points) < 3:
        return "a polygon needs at least three corners"
    count = len(points)
    edges = [_edge(points[i], points[(i + 1) % count]) for i in range(count)]
    if not all(edge[4] >= MIN_OFFSET_M ** 2 for edge in edges):  # also refuses NaN
        return f"a polygon has two equal consecutive corners (closer than {MIN_OFFSET_M:g} m)"
    (x0, y0) = points[0]
    fx, fy = max(points, key=lambda p: (p[0] - x0) ** 2 + (p[1] - y0) ** 2)
    base = math.hypot(fx - x0, fy - y0)  # >= MIN_OFFSET_M: consecutive corners differ
    if all(abs(_orient(x0, y0, fx, fy, x, y)) / base < MIN_OFFSET_M for x, y in points):
        return "the polygon has zero area: all its corners lie on one line"
    for i in range(count):
        for j in range(i + 1, count):
            if _edges_clash(edges, i, j):
                return (f"the polygon crosses or touches itself: edge {i} (corners {i}-"
                        f"{(i + 1) % count}) meets edge {j} (corners {j}-{(j + 1) % count})")
    area2 = sum(ax * (ay + dy) - (ax + dx) * ay for ax, ay, dx, dy, _ in edges)
    if not abs(area2) / 2.0 >= MIN_AREA_M2:  # also refuses a NaN area
        return f"the polygon's area is below {MIN_AREA_M2:g} m²: it encloses nothing"
    return ""


def _edge(a: tuple[float, float], b: tuple[float, float]) -> Edge:
    dx, dy = b[0] - a[0], b[1] - a[1]
    return (a[0], a[1], dx, dy, dx * dx + dy * dy)


def _edges_clash(edges: Sequence[Edge], i: int, j: int) -> bool:
    """Whether edges i < j of one polygon touch anywhere but at a shared corner: non-adjacent
    edges must not meet at all; adjacent ones must not run back along each other (a spike)."""
    count = len(edges)
    dx, dy = edges[i][2], edges[i][3]
    bx, by, ex, ey, _ = edges[j]
    if j == i + 1 or (i == 0 and j == count - 1):
        return dx * ey - dy * ex == 0.0 and dx * ex + dy * ey < 0.0
    return _crosses(bx, by, bx + ex, by + ey, edges[i])


class Polygon:
    """A simple polygon (closed implicitly) with a bounding box and precomputed edges; raises
    ValueError for corners that are not one (see :func:`polygon_problem`)."""

    def __init__(self, corners: Sequence[Sequence[float]]) -> None:
        problem = polygon_problem(corners)
        if problem:
            raise ValueError(problem)
        points = [(float(x), float(y)) for x, y in corners]
        self.points = tuple(points)
        self.edges = tuple(_edge(a, b) for a, b in zip(points, points[1:] + points[:1]))
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        self.bbox = (min(xs), min(ys), max(xs), max(ys))
        self.convex = _is_convex(points)
        self.halfplanes = _halfplanes(self.edges) if self.convex else ()

    def contains(self, x: float, y: float) -> bool:
        """Even-odd ray casting; points on the boundary count as inside (the safe side for keep-out)."""
        inside = False
        for edge in self.edges:
            ax, ay, dx, dy, _ = edge
            by = ay + dy
            if (ay > y) != (by > y):
                cross_x = ax + (y - ay) * dx / dy
                if x < cross_x:
                    inside = not inside
                elif x == cross_x:
                    return True
            elif (ay == y or by == y) and _point_edge_sq(x, y, edge) == 0.0:
                return True  # on an edge the ray runs along, or on a corner it does not cross
        return inside

    def clearance(self, x: float, y: float) -> float:
        """Distance from a point to the polygon's boundary."""
        best = math.inf
        for edge in self.edges:
            distance = _point_edge_sq(x, y, edge)
            if distance < best:
                best = distance
        return math.sqrt(best)

    def signed_clearance(self, x: float, y: float) -> float:
        """Convex polygons only: distance to the boundary, positive inside and negative outside
        (a lower bound of the distance outside). One multiply-add per edge: the fast path for a
        convex keep-in area."""
        best = math.inf
        for nx, ny, offset in self.halfplanes:
            distance = nx * x + ny * y + offset
            if distance < best:
                best = distance
        return best

    def segment_clearance(self, x0: float, y0: float, x1: float, y1: float) -> float:
        """Smallest distance between the segment and the boundary (0 when they touch or cross)."""
        best = math.inf
        for edge in self.edges:
            if _crosses(x0, y0, x1, y1, edge):
                return 0.0
            ax, ay, dx, dy, _ = edge
            best = min(best, _point_edge_sq(x0, y0, edge), _point_edge_sq(x1, y1, edge),
                       _point_segment_sq(ax, ay, x0, y0, x1, y1),
                       _point_segment_sq(ax + dx, ay + dy, x0, y0, x1, y1))
        return math.sqrt(best)

    def near_bbox(self, x0: float, y0: float, x1: float, y1: float, margin: float) -> bool:
        """False when the segment's box, grown by ``margin``, misses the polygon's box: a cheap
        early out so distant zones cost four comparisons."""
        minx, miny, maxx, maxy = self.bbox
        return not (max(x0, x1) + margin < minx or min(x0, x1) - margin > maxx
                    or max(y0, y1) + margin < miny or min(y0, y1) - margin > maxy)


def _point_edge_sq(px: float, py: float, edge: Edge) -> float:
    ax, ay, dx, dy, length_sq = edge
    t = ((px - ax) * dx + (py - ay) * dy) / length_sq
    t = 0.0 if t < 0.0 else 1.0 if t > 1.0 else t
    ex, ey = ax + t * dx - px, ay + t * dy - py
    return ex * ex + ey * ey


def _point_segment_sq(px: float, py: float, x0: float, y0: float, x1: float, y1: float) -> float:
    dx, dy = x1 - x0, y1 - y0
    length_sq = dx * dx + dy * dy
    if length_sq == 0.0:
        return (px - x0) ** 2 + (py - y0) ** 2
    return _point_edge_sq(px, py, (x0, y0, dx, dy, length_sq))


def _crosses(x0: float, y0: float, x1: float, y1: float, edge: Edge) -> bool:
    """Proper or touching intersection of segment (x0,y0)-(x1,y1) with an edge."""
    ax, ay, dx, dy, _ = edge
    bx, by = ax + dx, ay + dy
    d1 = _orient(ax, ay, bx, by, x0, y0)
    d2 = _orient(ax, ay, bx, by, x1, y1)
    d3 = _orient(x0, y0, x1, y1, ax, ay)
    d4 = _orient(x0, y0, x1, y1, bx, by)
    return ((d1 > 0) != (d2 > 0) or d1 == 0 or d2 == 0) and \
        ((d3 > 0) != (d4 > 0) or d3 == 0 or d4 == 0) and \
        _boxes_overlap(x0, y0, x1, y1, ax, ay, bx, by)


def _orient(ax: float, ay: float, bx: float, by: float, cx: float, cy: float) -> float:
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


def _boxes_overlap(x0: float, y0: float, x1: float, y1: float,
                   ax: float, ay: float, bx: float, by: float) -> bool:
    # Needed for collinear segments, where every orientation is zero.
    return (min(x0, x1) <= max(ax, bx) and min(ax, bx) <= max(x0, x1)
            and min(y0, y1) <= max(ay, by) and min(ay, by) <= max(y0, y1))


def _halfplanes(edges: Sequence[Edge]) -> tuple[tuple[float, float, float], ...]:
    """Inward unit normals and offsets, so ``nx*x + ny*y + offset`` is the distance inside."""
    area2 = sum(ax * (ay + dy) - (ax + dx) * ay for ax, ay, dx, dy, _ in edges)
    turn = 1.0 if area2 > 0 else -1.0  # counter-clockwise corners: interior on the left
    planes = []
    for ax, ay, dx, dy, length_sq in edges:
        length = math.sqrt(length_sq)
        nx, ny = -dy * turn / length, dx * turn / length
        planes.append((nx, ny, -(nx * ax + ny * ay)))
    return tuple(planes)


def _is_convex(points: Sequence[tuple[float, float]]) -> bool:
    signs = set()
    count = len(points)
    for i in range(count):
        (ax, ay), (bx, by), (cx, cy) = points[i], points[(i + 1) % count], points[(i + 2) % count]
        turn = _orient(ax, ay, bx, by, cx, cy)
        if turn:
            signs.add(turn > 0)
    return len(signs) <= 1
