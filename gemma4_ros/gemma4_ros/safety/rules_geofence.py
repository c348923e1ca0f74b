"""Geofence: targets and simulated paths must stay inside the keep-in area and out of keep-out
zones, with the robot's radius (``margin_m``) as clearance.

Navigation goals are checked at the target (the navigation stack plans the path and keeps its own
costmap keep-out); relative moves are checked along their straight segment from the pose the plan
simulation says the robot will be at, so ``rotate 90, move 4, rotate -90, move 6`` cannot walk out
of the fence one harmless-looking step at a time. A robot already closer to a boundary than the
margin may move, but never closer.

It fails closed: without a ``geofence`` in safety.yaml every motion is refused (``geofence.unset``)
unless the file says ``geofence: none``; a named place outside the keep-in area or inside a
keep-out zone is a start-up error; and a motion tool whose pose effect is unknown is refused
rather than judged where it starts.
"""

from __future__ import annotations

from gemma4_ros.errors import ConfigError
from gemma4_ros.safety.config import GeofenceConfig, SafetyConfig, config_source
from gemma4_ros.safety.geometry import Polygon
from gemma4_ros.safety.rule import Pose, StepContext, rule_type
from gemma4_ros.tools import ToolRegistry, ToolSpec


class GeofenceRule:
    """Keep-in and keep-out polygons, compiled once."""

    def __init__(self, fence: GeofenceConfig, source: str) -> None:
        self.frame = fence.frame
        self.margin = fence.margin_m
        self.keep_in = _polygon(fence.keep_in, source, "geofence.keep_in")
        self.keep_out = [(zone.name, _polygon(zone.polygon, source, f"geofence.keep_out.{i}.polygon"))
                         for i, zone in enumerate(fence.keep_out)]

    def applies(self, spec: ToolSpec) -> bool:
        return spec.motion

    def check_step(self, ctx: StepContext) -> None:
        spec = ctx.spec
        if spec is None or not spec.motion or ctx.problems:
            return
        kind = spec.effect.kind
        if kind == "none":  # tools.yaml refuses this at load; a tool built in code may not
            ctx.fire("geofence.unknown_pose", f"{spec.name} moves the robot but declares no pose "
                     "effect, so where it ends cannot be checked against the fence")
            return
        if kind == "goto_place":
            if ctx.end is not None:
                self._check_target(ctx, ctx.end)
            return
        if ctx.start is None:
            ctx.fire("geofence.unknown_pose", "the robot's position before this step is unknown "
                     f"(robot pose not finite or not in frame {self.frame!r}, or an earlier step "
                     "was invalid), so the move cannot be checked")
            return
        end = ctx.end if ctx.end is not None else ctx.start
        self._check_path(ctx, ctx.start, end)

    def _check_target(self, ctx: StepContext, end: Pose) -> None:
        x, y = end[0], end[1]
        inside, clearance = self._inside(x, y)
        if not inside:
            ctx.fire("geofence.keep_in", f"target ({x:.2f}, {y:.2f}) is outside the keep-in area")
        elif clearance < self.margin:
            ctx.fire("geofence.keep_in", f"target ({x:.2f}, {y:.2f}) is closer than "
                     f"{self.margin:g} m to the keep-in boundary")
        for name, zone in self.keep_out:
            if zone.near_bbox(x, y, x, y, self.margin) and (
                    zone.contains(x, y) or zone.clearance(x, y) < self.margin):
                ctx.fire("geofence.keep_out", f"target ({x:.2f}, {y:.2f}) is in or within "
                         f"{self.margin:g} m of keep-out zone {name!r}")

    def _check_path(self, ctx: StepContext, start: Pose, end: Pose) -> None:
        x0, y0, x1, y1 = start[0], start[1], end[0], end[1]
        inside, start_clearance = self._inside(x0, y0)
        if not inside:
            ctx.fire("geofence.keep_in", f"the robot at ({x0:.2f}, {y0:.2f}) is outside the keep-in "
                     "area; move it back by hand")
        elif self._path_clearance(x0, y0, x1, y1, start_clearance) < min(self.margin, start_clearance):
            ctx.fire("geofence.keep_in", f"path {_path(start, end)} leaves the keep-in area or "
                     f"comes closer than {self.margin:g} m to its boundary")
        for name, zone in self.keep_out:
            if not zone.near_bbox(x0, y0, x1, y1, self.margin):
                continue
            if zone.contains(x0, y0) or zone.contains(x1, y1):
                ctx.fire("geofence.keep_out", f"path {_path(start, end)} is inside keep-out zone "
                         f"{name!r}")
                continue
            need = min(self.margin, zone.clearance(x0, y0))
            if need == 0.0 or zone.segment_clearance(x0, y0, x1, y1) < need:
                ctx.fire("geofence.keep_out", f"path {_path(start, end)} enters or comes within "
                         f"{self.margin:g} m of keep-out zone {name!r}")

    def _inside(self, x: float, y: float) -> tuple[bool, float]:
        """Whether a point is in the keep-in area, and its clearance to the boundary."""
        area = self.keep_in
        if area.convex:
            signed = area.signed_clearance(x, y)
            return signed >= 0.0, signed
        return area.contains(x, y), area.clearance(x, y)

    def _path_clearance(self, x0: float, y0: float, x1: float, y1: float,
                        start_clearance: float) -> float:
        """Smallest clearance to the keep-in boundary along the segment; negative (or zero) when
        the segment leaves the area."""
        area = self.keep_in
        if area.convex:
            # Clearance inside a convex area is concave along a segment: smallest at an end.
            return min(start_clearance, area.signed_clearance(x1, y1))
        if not area.contains(x1, y1):
            return -1.0
        return area.segment_clearance(x0, y0, x1, y1)


def _path(start: Pose, end: Pose) -> str:
    return f"({start[0]:.2f}, {start[1]:.2f}) -> ({end[0]:.2f}, {end[1]:.2f})"


class UnsetGeofenceRule:
    """No ``geofence`` in safety.yaml: every motion is refused, because a forgotten (or
    commented-out) fence must never mean "anywhere"."""

    def __init__(self, source: str) -> None:
        self.reason = (f"{source} declares no geofence, so motion is refused; add `geofence:` "
                       "with keep_in, or write `geofence: none` to run without one")

    def applies(self, spec: ToolSpec) -> bool:
        return spec.motion

    def check_step(self, ctx: StepContext) -> None:
        if ctx.spec is not None and ctx.spec.motion:
            ctx.fire("geofence.unset", self.reason)


def _polygon(corners: list[tuple[float, float]], source: str, key: str) -> Polygon:
    try:
        return Polygon(corners)
    except ValueError as error:
        raise ConfigError(source, key, str(error),
                          "list at least three corners in order around a real area") from None


def _check_places(rule: GeofenceRule, registry: ToolRegistry, safety: str) -> None:
    """Every named place lies in the keep-in area and outside every keep-out zone; otherwise the
    two files disagree about where the robot may go, which is an error at start-up."""
    for name, place in registry.places.items():
        x, y = place.x, place.y
        if not rule.keep_in.contains(x, y):
            raise ConfigError(registry.source, f"places.{name}",
                              f"place {name!r} at ({x:g}, {y:g}) is outside the keep-in area "
                              f"(geofence.keep_in of {safety})",
                              "move the place inside the fence, or widen geofence.keep_in")
        for zone, polygon in rule.keep_out:
            if polygon.contains(x, y):
                raise ConfigError(registry.source, f"places.{name}",
                                  f"place {name!r} at ({x:g}, {y:g}) is inside keep-out zone "
                                  f"{zone!r} (geofence.keep_out of {safety})",
                                  "move the place out of the zone, or change the zone")


@rule_type("geofence")
def _geofence(config: SafetyConfig,
              registry: ToolRegistry) -> GeofenceRule | UnsetGeofenceRule | None:
    fence = config.geofence
    if fence is None:
        return None if config.geofence_off else UnsetGeofenceRule(config_source(config))
    if fence.frame != registry.frame:
        raise ConfigError(config_source(config), "geofence.frame",
                          f"geofence frame {fence.frame!r} differs from the places' frame "
                          f"{registry.frame!r} in {registry.source}",
                          "declare places and geofence in the same frame")
    rule = GeofenceRule(fence, config_source(config))
    _check_places(rule, registry, config_source(config))
    return rule

