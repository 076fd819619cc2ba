"""One stored activity as a GPX 1.1 track, written with the standard library.

``<trk>`` with the activity's name and its sport as ``<type>``, one ``<trkseg>`` of
``<trkpt lat lon>`` with ``<ele>`` and ``<time>`` (UTC), and heart rate, cadence and
temperature in Garmin's TrackPointExtension v1 (``gpxtpx:hr``, ``gpxtpx:cad``,
``gpxtpx:atemp``) and power as ``<power>`` in the point's extensions, as Strava and
Garmin Connect write them. A track point needs a position: samples without one are
left out, and the track's ``<desc>`` says how many.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from typing import Any

import polars as pl

GPX_NS = "http://www.topografix.com/GPX/1/1"
TPX_NS = "http://www.garmin.com/xmlschemas/TrackPointExtension/v1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = (f"{GPX_NS} http://www.topografix.com/GPX/1/1/gpx.xsd "
                   f"{TPX_NS} http://www8.garmin.com/xmlschemas/TrackPointExtensionv1.xsd")
#: Characters XML 1.0 does not allow in a document (a name from a file may hold them): left out.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def gpx_time(when: dt.datetime) -> str:
    """An aware instant as GPX writes it: ISO 8601 in UTC with a ``Z`` (``2026-03-13T12:42:00Z``)."""
    text = when.astimezone(dt.UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


def encode_gpx(activity: dict[str, Any], samples: pl.DataFrame, creator: str) -> tuple[bytes, int]:
    """The GPX bytes of one activity and how many of its samples were left out for want of a position.

    ``activity``: a row of :func:`trainlog.analysis.stored.activity_table`; ``samples``: its stored
    samples in record order (:data:`trainlog.store.schema.SAMPLES`); ``creator``: the ``creator`` attribute.
    """
    placed = samples.filter(pl.col("lat_deg").is_not_null() & pl.col("lon_deg").is_not_null()
                            & pl.col("timestamp").is_not_null())
    left_out = samples.height - placed.height
    # the namespaces declared on the root as attributes, the names written as they are read (prefix and all):
    # ElementTree's own namespace handling cannot leave GPX's the default one with unqualified attributes
    root = ET.Element("gpx", {"version": "1.1", "creator": NOT_XML.sub("", creator), "xmlns": GPX_NS,
                              "xmlns:gpxtpx": TPX_NS, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": SCHEMA_LOCATION})
    metadata = ET.SubElement(root, "metadata")
    _text(metadata, "time", gpx_time(activity["start_utc"]))
    trk = ET.SubElement(root, "trk")
    name = activity.get("name") or f"{activity['sport'] or 'activity'} {activity['start_local']:%Y-%m-%d %H:%M}"
    _text(trk, "name", name)
    if left_out:
        _text(trk, "desc", f"{left_out} of {samples.height} samples without a position are left out "
                                 "(a GPX track point needs one)")
    if activity["sport"]:
        _text(trk, "type", activity["sport"])
    segment = ET.SubElement(trk, "trkseg")
    for p in placed.iter_rows(named=True):
        point = ET.SubElement(segment, "trkpt", {"lat": _num(p["lat_deg"], 7), "lon": _num(p["lon_deg"], 7)})
        if p["altitude_m"] is not None:
            _text(point, "ele", _num(p["altitude_m"], 1))
        _text(point, "time", gpx_time(p["timestamp"]))
        _extensions(point, p)
    ET.indent(root, space=" ")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n", left_out


def _extensions(point: ET.Element, sample: dict[str, Any]) -> None:
    """Power, and the TrackPointExtension's temperature, heart rate and cadence (in the schema's order), when recorded."""
    tpx = [(tag, value) for tag, value in (("atemp", sample["temperature_c"]), ("hr", sample["hr_bpm"]),
                                           ("cad", sample["cadence_rpm"])) if value is not None]
    if sample["power_w"] is None and not tpx:
        return
    extensions = ET.SubElement(point, "extensions")
    if sample["power_w"] is not None:
        _text(extensions, "power", _num(sample["power_w"], 0))
    if tpx:
        track = ET.SubElement(extensions, "gpxtpx:TrackPointExtension")
        for tag, value in tpx:
            _text(track, f"gpxtpx:{tag}", _num(value, 1 if tag == "atemp" else 0))


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = NOT_XML.sub("", text)
    return element


def _num(value: float, digits: int) -> str:
    """A number with at most ``digits`` decimals, dot decimal, no trailing zeros (``46.5``, ``152``)."""
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
