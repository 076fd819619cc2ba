"""What the GPX and TCX decoders share: a streaming XML parse, times, distances and the samples frame.

Both formats are parsed by the standard library's expat with handlers
(:func:`parse`): no element tree is built, each point goes straight into
column lists, and elements are matched by their local name so that any
namespace, prefix or version (GPX 1.0, 1.1, none) reads the same. Memory
follows the columns, not the document. benchmarks/README.md has the figures
against gpxpy and tcxreader.

Hostile XML: a document declaring entities is refused (expat 2.4.1 and later
also refuses the "billion laughs" expansion; external entities are never
fetched), and so is one nested deeper than :data:`MAX_DEPTH`.

The repairs a track file gets (README, "GPX and TCX"): points without a time
count in the distance but are left out of the samples; points written out of
time order by at most :data:`OUT_OF_ORDER_MAX_S` are put in time order; a
larger step back is a clock jump, repaired by the analysis as for FIT
(shared/METRICS.md, "Samples that need repair before any metric").
"""

from __future__ import annotations

import datetime as dt
import math
import xml.parsers.expat as expat
from typing import Any, Protocol

import numpy as np
import polars as pl

from trainlog.days import MAX_DAY, MIN_DAY
from trainlog.errors import InvalidFitFile
from trainlog.ingest.decoded import RECORD_COLUMNS

#: The mean Earth radius (IUGG R1, m), the haversine's R (shared/track_corpus uses the same).
EARTH_RADIUS_M = 6_371_008.8
#: Points a writer put out of time order by at most this much are sorted back into order;
#: a larger step back is a clock jump (METRICS.md's repair, at analysis time).
OUT_OF_ORDER_MAX_S = 300.0

_FIRST_OK = dt.datetime.combine(MIN_DAY, dt.time(), dt.UTC)
_LAST_OK = dt.datetime.combine(MAX_DAY, dt.time(23, 59, 59), dt.UTC)


class InvalidTrackFile(InvalidFitFile):
    """A GPX or TCX file that cannot be read (not XML, not the format, no usable content)."""


class Handler(Protocol):
    """What a decoder gives :func:`parse`: called with each element's local name (no namespace)."""

    def start(self, name: str, attrs: dict[str, str]) -> None:
        """An element opens (its attributes by name)."""

    def end(self, name: str, text: str | None) -> None:
        """An element closes; ``text`` is a leaf's character data (None when it has none)."""


#: GPX and TCX nest about ten levels deep; a document nested deeper than this is refused.
MAX_DEPTH = 64


class _Refused(Exception):
    """Raised inside a handler to stop expat: the document is refused (the message says why)."""


def parse(data: bytes, name: str, fmt: str, handler: Handler, root: str) -> str | None:
    """Feed a document's elements to ``handler`` (expat, no tree); None, or a note when it broke part-way.

    The first element must be ``root`` (else :class:`InvalidTrackFile`: not a ``fmt``
    file). A document that does not parse at all, declares entities (an XML bomb
    or an external-entity trick; no GPX or TCX has them), names an unknown
    encoding or nests deeper than :data:`MAX_DEPTH` is :class:`InvalidTrackFile`;
    one that breaks part-way (a file cut while being written) returns the note
    ``"damaged XML (...): what came before it is kept"`` after every element
    before the damage was handled.
    """
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    names: dict[str, str] = {}  # "uri}local" -> "local", once per distinct name
    text: list[str] = []
    depth = 0

    def start(tag: str, attrs: dict[str, str]) -> None:
        nonlocal depth
        local = names.get(tag)
        if local is None:
            local = names[tag] = tag.rpartition("}")[2]
        if depth == 0 and local != root:
            raise _Refused(f"not a {fmt} file (its root element is <{local[:40]}>)")
        depth += 1
        if depth > MAX_DEPTH:
            raise _Refused(f"refused: elements nested deeper than {MAX_DEPTH} levels (no {fmt} file has them)")
        text.clear()
        handler.start(local, attrs)

    def end(tag: str) -> None:
        nonlocal depth
        depth -= 1
        handler.end(names[tag], "".join(text) if text else None)
        text.clear()

    def entity(*_args: object) -> None:
        raise _Refused("refused: the document declares XML entities (no GPX or TCX file does)")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text.append
    parser.EntityDeclHandler = entity
    try:
        parser.Parse(data, True)
    except _Refused as exc:
        raise InvalidTrackFile(name, str(exc)) from None
    except expat.ExpatError as exc:
        if not names:
            raise InvalidTrackFile(name, f"not a {fmt} file (the XML does not parse: {exc})") from None
        return f"damaged XML ({exc}): what came before it is kept"
    except (LookupError, ValueError) as exc:  # an encoding declaration naming no encoding Python knows
        raise InvalidTrackFile(name, f"not a {fmt} file ({str(exc)[:80]})") from None
    return None


def number(text: str | None) -> float | None:
    """A finite float from an element's text, else None."""
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_time(text: str | None) -> dt.datetime | None:
    """An ISO 8601 time as aware UTC (no zone: UTC); None when absent, unreadable or outside 1970-2100."""
    if not text:
        return None
    text = text.strip()
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    when = when.replace(tzinfo=dt.UTC) if when.tzinfo is None else when.astimezone(dt.UTC)
    return when if _FIRST_OK <= when <= _LAST_OK else None


def haversine_m(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Distances (m) between consecutive positions (degrees); NaN where either end has none.

    ``2R asin(sqrt(sin^2(dphi/2) + cos phi1 cos phi2 sin^2(dlambda/2)))``, R = :data:`EARTH_RADIUS_M`;
    elevation ignored (the convention of Strava, Garmin Connect and GPSBabel).
    """
    phi, lam = np.radians(lat), np.radians(lon)
    dphi, dlam = np.diff(phi), np.diff(lam)
    a = np.sin(dphi / 2) ** 2 + np.cos(phi[:-1]) * np.cos(phi[1:]) * np.sin(dlam / 2) ** 2
    return 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def path_length_m(lat: list[float | None], lon: list[float | None], segment: list[int]) -> float:
    """Length of a track: haversine between consecutive points with a position, inside one segment only."""
    if len(lat) < 2:
        return 0.0
    la = np.array([np.nan if v is None else v for v in lat], dtype=float)
    lo = np.array([np.nan if v is None else v for v in lon], dtype=float)
    seg = np.asarray(segment)
    has = ~(np.isnan(la) | np.isnan(lo))
    la, lo, seg = la[has], lo[has], seg[has]
    if la.size < 2:
        return 0.0
    steps = haversine_m(la, lo)
    return float(steps[seg[1:] == seg[:-1]].sum())


class Points:
    """Column lists of track points as a decoder reads them, in document order."""

    def __init__(self) -> None:
        self.cols: dict[str, list[Any]] = {c: [] for c in RECORD_COLUMNS}
        self.segment: list[int] = []  # which track segment each point belongs to (no distance across them)
        self.n_segments = 0

    def new_segment(self) -> None:
        self.n_segments += 1

    def add(self, values: dict[str, Any]) -> None:
        cols = self.cols
        for key in RECORD_COLUMNS:
            cols[key].append(values.get(key))
        self.segment.append(self.n_segments)

    def __len__(self) -> int:
        return len(self.segment)

    def times(self) -> list[dt.datetime | None]:
        return self.cols["timestamp"]

    def length_m(self) -> float:
        """The track's haversine length over every point with a position (timed or not)."""
        return path_length_m(self.cols["lat_deg"], self.cols["lon_deg"], self.segment)

    def samples(self, notes: list[str], cumulative_distance: bool) -> pl.DataFrame | None:
        """The timed points as a RECORD_COLUMNS frame, in time order when the file's disorder is small.

        ``cumulative_distance``: fill ``distance_m`` with the haversine along the
        timed points (GPX; a TCX gives its own). Notes what was left out or reordered.
        """
        n = len(self)
        times = self.times()
        keep = [i for i in range(n) if times[i] is not None]
        if len(keep) < n:
            notes.append(f"{n - len(keep)} of {n} points have no time: left out of the samples, counted in the distance")
        if not keep:
            return None
        frame = pl.DataFrame(
            {c: [self.cols[c][i] for i in keep] for c in RECORD_COLUMNS},
            schema={c: (pl.Datetime("us", "UTC") if c == "timestamp" else pl.Float64) for c in RECORD_COLUMNS},
            strict=False,
        ).with_columns(pl.Series("_seg", [self.segment[i] for i in keep], pl.Int32))
        steps = frame["timestamp"].diff().dt.total_microseconds().drop_nulls() / 1e6
        back = steps.filter(steps < 0)
        if back.len() and -back.min() <= OUT_OF_ORDER_MAX_S:
            notes.append(f"{back.len()} points were written out of time order (at most {-back.min():g} s back): "
                         "put in time order")
            frame = frame.sort("timestamp", maintain_order=True)
        if cumulative_distance:
            la = frame["lat_deg"].to_numpy().astype(float)
            lo = frame["lon_deg"].to_numpy().astype(float)
            seg = frame["_seg"].to_numpy()
            dist = np.zeros(frame.height)
            if frame.height > 1:
                # carry the last known position over points without one, so a gap costs nothing twice
                la_f = pl.Series(la).fill_nan(None).forward_fill().to_numpy().astype(float)
                lo_f = pl.Series(lo).fill_nan(None).forward_fill().to_numpy().astype(float)
                step = np.nan_to_num(haversine_m(la_f, lo_f), nan=0.0)
                step[seg[1:] != seg[:-1]] = 0.0
                dist[1:] = np.cumsum(step)
            has_pos = ~np.isnan(la)
            if has_pos.any():
                frame = frame.with_columns(pl.Series("distance_m", dist, pl.Float64))
        return frame.drop("_seg")


def first_last(times: list[dt.datetime | None]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The first and the last time in document order (the file's own start and end)."""
    timed = [t for t in times if t is not None]
    return (timed[0], timed[-1]) if timed else (None, None)
