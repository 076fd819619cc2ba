"""Synthetic course geometry for the sample-data generator (private).

A :class:`Route` is a polyline of stations about 10 m apart in a local plane
around an origin (x east, y north, metres) with a noise-free altitude (m) at
each station. Distances are horizontal, as a GPS watch measures them; ascent
and descent are the sums of the positive and negative altitude steps between
stations, so they are exact for the piecewise-linear profile.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

STATION_SPACING_M = 10.0
EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
SEMICIRCLES_PER_DEG = 2**31 / 180.0  # FIT position unit
_PIECE_M = 120.0  # length over which the grade of a climb is held before it changes
UNDULATION_M = (5.0, 12.0)  # amplitude of the rolling on "flat" segments: swings of 10 m and more, as valley trails roll


@dataclass(frozen=True, eq=False)
class Route:
    """Stations of a route: positions (m, local plane) and true altitude (m)."""

    x_m: np.ndarray
    y_m: np.ndarray
    altitude_m: np.ndarray

    @cached_property
    def distance_m(self) -> np.ndarray:
        """Cumulative horizontal distance from the first station (m)."""
        step_m = np.hypot(np.diff(self.x_m), np.diff(self.y_m))
        return np.concatenate(([0.0], np.cumsum(step_m)))

    @property
    def length_m(self) -> float:
        return float(self.distance_m[-1])

    @property
    def ascent_m(self) -> float:
        """Sum of the positive altitude steps (m)."""
        step_m = np.diff(self.altitude_m)
        return float(step_m[step_m > 0].sum())

    @property
    def descent_m(self) -> float:
        """Sum of the negative altitude steps, as a positive number (m)."""
        step_m = np.diff(self.altitude_m)
        return float(-step_m[step_m < 0].sum())

    @cached_property
    def grade(self) -> np.ndarray:
        """Grade (rise / run, a fraction) of the step after each station; last repeats."""
        run_m = np.maximum(np.diff(self.distance_m), 1e-6)
        step = np.diff(self.altitude_m) / run_m
        return np.append(step, step[-1] if len(step) else 0.0)

    def at(self, distance_m: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Interpolated x (m), y (m) and true altitude (m) at the given distances."""
        d = self.distance_m
        return (
            np.interp(distance_m, d, self.x_m),
            np.interp(distance_m, d, self.y_m),
            np.interp(distance_m, d, self.altitude_m),
        )

    def piece(self, start_m: float, end_m: float) -> Route:
        """The stretch from ``start_m`` to ``end_m``; walked backwards if end < start."""
        lo, hi = sorted((start_m, end_m))
        d = self.distance_m
        inside = (d > lo) & (d < hi)
        dist = np.concatenate(([lo], d[inside], [hi]))
        x, y, alt = self.at(dist)
        part = Route(x, y, alt)
        return part.reversed() if end_m < start_m else part

    def reversed(self) -> Route:
        return Route(self.x_m[::-1].copy(), self.y_m[::-1].copy(), self.altitude_m[::-1].copy())

    @staticmethod
    def join(parts: list[Route]) -> Route:
        """Concatenate routes that meet end to start (the shared station is kept once)."""
        xs, ys, alts = [parts[0].x_m], [parts[0].y_m], [parts[0].altitude_m]
        for part in parts[1:]:
            xs.append(part.x_m[1:])
            ys.append(part.y_m[1:])
            alts.append(part.altitude_m[1:])
        return Route(np.concatenate(xs), np.concatenate(ys), np.concatenate(alts))


def flat_line(length_m: float) -> Route:
    """A straight, level route along x (used where position and altitude are unknown)."""
    n = max(2, int(math.ceil(length_m / STATION_SPACING_M)) + 1)
    x = np.linspace(0.0, length_m, n)
    return Route(x, np.zeros(n), np.zeros(n))


def _resample(x: np.ndarray, y: np.ndarray, length_m: float) -> tuple[np.ndarray, np.ndarray]:
    """Scale a dense polyline to ``length_m`` and resample it every STATION_SPACING_M."""
    arc = np.concatenate(([0.0], np.cumsum(np.hypot(np.diff(x), np.diff(y)))))
    scale = length_m / arc[-1]
    x, y, arc = (x - x[0]) * scale, (y - y[0]) * scale, arc * scale
    n = max(2, int(round(length_m / STATION_SPACING_M)) + 1)
    at = np.linspace(0.0, length_m, n)
    return np.interp(at, arc, x), np.interp(at, arc, y)


def loop_shape(length_m: float, rng: np.random.Generator, *, wiggle: float = 0.08) -> tuple[np.ndarray, np.ndarray]:
    """A closed, trail-like horizontal loop of the given length (x, y in m)."""
    theta = np.linspace(0.0, 2 * math.pi, 20_001)
    radius = np.ones_like(theta)
    for k in range(2, 14):
        amplitude = wiggle * rng.uniform(0.3, 1.0) / math.sqrt(k - 1)
        radius += amplitude * np.cos(k * theta + rng.uniform(0, 2 * math.pi))
    aspect = rng.uniform(1.1, 1.6)
    x, y = radius * np.cos(theta) * aspect, radius * np.sin(theta)
    x, y = _resample(x, y, length_m)
    x[-1], y[-1] = x[0], y[0]
    return x, y


def line_shape(
    length_m: float, heading_deg: float, rng: np.random.Generator, *, wiggle_m: float = 150.0
) -> tuple[np.ndarray, np.ndarray]:
    """A meandering point-to-point line heading roughly ``heading_deg`` (0 = north)."""
    s = np.linspace(0.0, 1.0, 5_001)
    lateral = np.zeros_like(s)
    for k in range(1, 9):
        lateral += wiggle_m * rng.uniform(0.2, 1.0) / k * np.sin(k * math.pi * s + rng.uniform(0, 2 * math.pi))
    lateral -= lateral[0]
    along = s * length_m
    heading = math.radians(heading_deg)
    x = along * math.sin(heading) + lateral * math.cos(heading)
    y = along * math.cos(heading) - lateral * math.sin(heading)
    return _resample(x, y, length_m)


def profile(
    segments: list[tuple[float, float]], n_stations: int, start_altitude_m: float, rng: np.random.Generator
) -> np.ndarray:
    """Altitude (m) per station from segments of (horizontal length m, altitude change m).

    Each segment is cut into pieces of about 120 m whose grades vary randomly
    around the segment's mean while the segment's total change stays exact.
    Segments with no net change undulate gently. The segment lengths are
    scaled to cover the stations.
    """
    lengths = np.array([s[0] for s in segments], dtype=float)
    lengths *= (n_stations - 1) * STATION_SPACING_M / lengths.sum()
    knots_m, knots_alt = [0.0], [start_altitude_m]
    for length_m, (_, change_m) in zip(lengths, segments):
        n_pieces = max(1, int(round(length_m / _PIECE_M)))
        if change_m == 0.0:
            amplitude_m = rng.uniform(UNDULATION_M[0], UNDULATION_M[1])
            phase = np.linspace(0.0, math.pi * rng.integers(1, 4), n_pieces + 1)[1:]
            steps = amplitude_m * np.diff(np.concatenate(([0.0], np.sin(phase))))
            steps[-1] -= steps.sum()
        else:
            weights = np.clip(1.0 + 0.3 * rng.standard_normal(n_pieces), 0.4, 1.6)
            steps = change_m * weights / weights.sum()
        for step in steps:
            knots_m.append(knots_m[-1] + length_m / n_pieces)
            knots_alt.append(knots_alt[-1] + step)
    station_m = np.linspace(0.0, knots_m[-1], n_stations)
    return np.interp(station_m, knots_m, knots_alt)


def climbing_segments(
    rng: np.random.Generator,
    *,
    n_climbs: int,
    climb_m: tuple[float, float],
    grade: tuple[float, float],
    traverse_m: tuple[float, float],
) -> list[tuple[float, float]]:
    """Segments for a closed loop: traverse, climb, traverse, descend, ... back to the start.

    Climb heights (m) and mean grades (fractions) are drawn from the given
    ranges; each descent returns to the valley level, so the loop closes.
    """
    segments: list[tuple[float, float]] = []
    for _ in range(n_climbs):
        height_m = rng.uniform(*climb_m)
        up_grade, down_grade = rng.uniform(*grade), rng.uniform(*grade)
        segments.append((rng.uniform(*traverse_m), 0.0))
        segments.append((height_m / up_grade, height_m))
        segments.append((rng.uniform(*traverse_m), 0.0))
        segments.append((height_m / down_grade, -height_m))
    return segments


def scale_relief(route: Route, ascent_m: float) -> Route:
    """The same route with its relief stretched so its total ascent is ``ascent_m``."""
    base_m = route.altitude_m[0]
    factor = ascent_m / route.ascent_m
    return Route(route.x_m, route.y_m, base_m + (route.altitude_m - base_m) * factor)


def to_semicircles(
    x_m: np.ndarray, y_m: np.ndarray, origin_lat_deg: float, origin_lon_deg: float
) -> tuple[np.ndarray, np.ndarray]:
    """Local-plane metres to FIT latitude and longitude (semicircles, int)."""
    lat_deg = origin_lat_deg + np.degrees(y_m / EARTH_RADIUS_M)
    lon_deg = origin_lon_deg + np.degrees(x_m / (EARTH_RADIUS_M * math.cos(math.radians(origin_lat_deg))))
    return (
        np.round(lat_deg * SEMICIRCLES_PER_DEG).astype(np.int64),
        np.round(lon_deg * SEMICIRCLES_PER_DEG).astype(np.int64),
    )
