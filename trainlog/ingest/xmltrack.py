"""What the GPX and TCX decoders share: a streaming XML parse, times, distances and the samples frame.

Both formats are parsed with the standard library's expat-based
``xml.etree.ElementTree.iterparse``, one point at a time straight into column
lists (each point's element is dropped once read), matching elements by their
local name so that any namespace, prefix or version (GPX 1.0, 1.1, none) reads
the same. benchmarks/README.md has the figures against gpxpy and tcxreader.

Hostile XML: expat 2.4.1 and later (Python 3.11 ships 2.5) refuses the
"billion laughs" entity expansion; external entities are never fetched; a
document type declaration with entities is refused before parsing
(:func:`check_prolog`).

The repairs a track file gets (README, "GPX and TCX"): points without a time
count in the distance but are left out of the samples; points written out of
time order by at most :data:`OUT_OF_ORDER_MAX_S` are put in time order; a
larger step back is a clock jump, repaired by the analysis as for FIT
(shared/METRICS.md, "Samples that need repair before any metric").
"""

from __future__ import annotations

import datetime as dt
import io
import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

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
#: Bytes of the document searched for an entity declaration before parsing.
PROLOG_BYTES = 64 << 10

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_FIRST_OK = dt.datetime.combine(MIN_DAY, dt.time(), dt.UTC)
_LAST_OK = dt.datetime.combine(MAX_DAY, dt.time(23, 59, 59), dt.UTC)


class InvalidTrackFile(InvalidFitFile):
    """A GPX or TCX file that cannot be read (not XML, not the format, no usable content)."""


def local(tag: str) -> str:
    """An element's name without its namespace: ``{http://...}trkpt`` -> ``trkpt``."""
    return tag.rpartition("}")[2]


def check_prolog(data: bytes, name: str) -> None:
    """Refuse a document declaring entities (an XML bomb or an external-entity trick; no GPX or TCX has them)."""
    if b"<!ENTITY" in data[:PROLOG_BYTES]:
        raise InvalidTrackFile(name, "refused: the document declares XML entities (no GPX or TCX file does)")


#: Elements whose children are read when the element ends (a point, a lap): kept until then; every other
#: element is dropped from its parent once read, so memory follows the columns, not the document.
KEEPERS = frozenset({"trkpt", "Trackpoint", "Lap"})
#: A kept element with more children than this is hostile (a real point or lap has a few dozen).
MAX_KEPT_CHILDREN = 10_000
#: GPX and TCX nest about ten levels deep; a document nested deeper than this is refused (each open level is held).
MAX_DEPTH = 64


def events(data: bytes, name: str, fmt: str) -> Iterator[tuple[str, ET.Element]]:
    """``(event, element)`` pairs ("start", "end") of a document; a parse error ends them.

    Once the caller has handled an element's "end", the element is dropped from
    its parent unless the parent is (inside) a point or a lap, whose children
    are read when it ends. A document that does not parse at all is
    :class:`InvalidTrackFile`; one that breaks part-way raises :class:`Truncated`
    carrying the reason, after every element read before the damage was given
    (a file cut while being written).
    """
    check_prolog(data, name)
    parser = ET.iterparse(io.BytesIO(data), events=("start", "end"))
    stack: list[tuple[ET.Element, bool]] = []  # open elements, and whether each keeps its children
    started = False
    try:
        for event, elem in parser:
            started = True
            if event == "start":
                if len(stack) >= MAX_DEPTH:
                    raise InvalidTrackFile(name, f"refused: elements nested deeper than {MAX_DEPTH} levels "
                                                 f"(no {fmt} file has them)")
                keep = local(elem.tag) in KEEPERS or (bool(stack) and stack[-1][1] and local(elem.tag) != "Track")
                stack.append((elem, keep))
                yield event, elem
                continue
            yield event, elem
            stack.pop()
            if stack:
                parent, keep = stack[-1]
                if not keep:
                    parent.remove(elem)
                elif len(parent) > MAX_KEPT_CHILDREN:
                    raise InvalidTrackFile(name, f"refused: a <{local(parent.tag)}> with more than "
                                                 f"{MAX_KEPT_CHILDREN} elements (no {fmt} file has them)")
    except ET.ParseError as exc:
        if not started:
            raise InvalidTrackFile(name, f"not a {fmt} file (the XML does not parse: {exc})") from None
        raise Truncated(f"damaged XML ({exc}): what came before it is kept") from None
    except LookupError as exc:  # an encoding declaration naming no encoding Python knows
        raise InvalidTrackFile(name, f"not a {fmt} file ({str(exc)[:80]})") from None


class Truncated(Exception):
    """The document broke part-way; the message says where (a note for the import)."""


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


def micros(when: dt.datetime) -> int:
    """Microseconds since 1970 (UTC) of an aware datetime, exactly."""
    delta = when - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


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


def span_s(samples: pl.DataFrame | None) -> float | None:
    """Seconds from the first to the last sample's time, None without samples."""
    if samples is None or samples.is_empty():
        return None
    ts = samples["timestamp"]
    return (ts.max() - ts.min()).total_seconds()


def first_last(times: list[dt.datetime | None]) -> tuple[dt.datetime | None, dt.datetime | None]:
    """The first and the last time in document order (the file's own start and end)."""
    timed = [t for t in times if t is not None]
    return (timed[0], timed[-1]) if timed else (None, None)
