"""GPX decoding (trainlog/ingest/gpx.py), on small documents written here: every rule by hand."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from trainlog.ingest.decode import decode
from trainlog.ingest.gpx import decode_gpx, sport_of
from trainlog.ingest.xmltrack import EARTH_RADIUS_M, InvalidTrackFile

#: one hundredth of a degree of latitude along a meridian, by hand: R * pi / 180 / 100
CENTI_DEGREE_M = EARTH_RADIUS_M * math.pi / 180 / 100

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<gpx version="1.1" creator="test" '
        'xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">')


def pt(lat: float, t: str | None, ele: float | None = None, hr: int | None = None, extra: str = "") -> str:
    time = f"<time>{t}</time>" if t else ""
    el = f"<ele>{ele}</ele>" if ele is not None else ""
    ext = (f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr><gpxtpx:cad>88</gpxtpx:cad>"
           f"<gpxtpx:atemp>12.5</gpxtpx:atemp></gpxtpx:TrackPointExtension>{extra}</extensions>") if hr else ""
    return f'<trkpt lat="{lat}" lon="7.0">{el}{time}{ext}</trkpt>'


def gpx(*segments: list[str], kind: str | None = "running", head: str = HEAD, tail: str = "</gpx>") -> bytes:
    typ = f"<type>{kind}</type>" if kind else ""
    segs = "".join(f"<trkseg>{''.join(points)}</trkseg>" for points in segments)
    return f"{head}<trk><name>Morning Run</name>{typ}{segs}</trk>{tail}".encode()


def test_points_extensions_and_totals():
    doc = gpx([pt(45.00, "2026-03-01T08:00:00Z", 500, 120), pt(45.01, "2026-03-01T08:05:00Z", 520, 130),
               pt(45.02, "2026-03-01T08:10:00Z", 540, 140)])
    d = decode_gpx(doc, "run.gpx")
    assert d.is_activity and not d.partial and d.notes == []
    (s,) = d.sessions
    assert s["start_utc"] == dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
    assert s["elapsed_s"] == 600 and s["sport"] == "running" and s["name"] == "Morning Run"
    assert s["distance_m"] == pytest.approx(2 * CENTI_DEGREE_M, rel=1e-6)  # 2,223.9 m
    r = d.records
    assert r["hr_bpm"].to_list() == [120, 130, 140] and r["cadence_rpm"].to_list() == [88] * 3
    assert r["altitude_m"].to_list() == [500, 520, 540] and r["temperature_c"].to_list() == [12.5] * 3
    assert r["distance_m"].to_list() == pytest.approx([0, CENTI_DEGREE_M, 2 * CENTI_DEGREE_M], rel=1e-6)
    assert d.device["product"] == "test"


def test_no_distance_across_segments():
    doc = gpx([pt(45.00, "2026-03-01T08:00:00Z"), pt(45.01, "2026-03-01T08:05:00Z")],
              [pt(46.00, "2026-03-01T09:00:00Z"), pt(46.01, "2026-03-01T09:05:00Z")])
    d = decode_gpx(doc, "two.gpx")
    assert d.sessions[0]["distance_m"] == pytest.approx(2 * CENTI_DEGREE_M, rel=1e-6)  # not the 110 km between
    assert d.records["distance_m"].to_list()[-1] == pytest.approx(2 * CENTI_DEGREE_M, rel=1e-6)
    assert "1 tracks, 2 segments" in d.notes[0]


def test_gpx_1_0_without_a_namespace_and_other_extensions():
    head = '<?xml version="1.0"?><gpx>'
    doc = gpx([pt(45.0, "2026-03-01T08:00:00", extra=""), '<trkpt lat="45.01" lon="7.0"><time>2026-03-01T09:10:00+01:00'
               '</time><speed>3.5</speed><extensions><heartrate>150</heartrate><power>210</power></extensions></trkpt>'],
              head=head, kind=None)
    d = decode_gpx(doc, "old.gpx")
    ts = d.records["timestamp"].to_list()
    assert ts == [dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, 8, 10, tzinfo=dt.UTC)]  # no zone: UTC
    assert d.records["speed_mps"].to_list() == [None, 3.5] and d.records["power_w"].to_list() == [None, 210]
    assert d.records["hr_bpm"].to_list() == [None, 150]
    assert d.sessions[0]["sport"] is None  # left to the export's metadata or default_sport


@pytest.mark.parametrize(("text", "sport"), [("running", ("running", None)), ("9", ("running", None)),
                                            ("road_biking", ("cycling", "road")), ("17", ("cycling", "virtual_activity")),
                                            ("jkljkl", (None, None)), (None, (None, None))])
def test_sport_from_garmin_and_strava_types(text, sport):
    assert sport_of(text) == sport


def test_points_without_time_count_in_distance_only():
    doc = gpx([pt(45.00, "2026-03-01T08:00:00Z"), pt(45.01, None), pt(45.02, "2026-03-01T08:10:00Z")])
    d = decode_gpx(doc, "gaps.gpx")
    assert d.records.height == 2 and d.sessions[0]["elapsed_s"] == 600
    assert d.sessions[0]["distance_m"] == pytest.approx(2 * CENTI_DEGREE_M, rel=1e-6)
    assert "1 of 3 points have no time" in d.notes[0]


def test_small_disorder_is_sorted_a_big_step_back_is_left_for_the_clock_jump_repair():
    jitter = gpx([pt(45.00, "2026-03-01T08:00:00Z", hr=100), pt(45.01, "2026-03-01T08:00:05Z"),
                  pt(45.01, "2026-03-01T08:00:03Z", hr=110), pt(45.02, "2026-03-01T08:00:10Z")])
    d = decode_gpx(jitter, "jitter.gpx")
    assert d.records["timestamp"].is_sorted() and d.records["hr_bpm"].to_list() == [100, 110, None, None]
    assert "1 points were written out of time order (at most 2 s back)" in d.notes[0]
    jump = gpx([pt(45.00, "2026-03-01T08:00:00Z"), pt(45.01, "2026-03-01T09:00:00Z"), pt(45.02, "2026-03-01T08:00:10Z")])
    d = decode_gpx(jump, "jump.gpx")
    assert not d.records["timestamp"].is_sorted() and d.notes == []  # the analysis repairs it, as for FIT


@pytest.mark.parametrize(("body", "what"), [
    ("", "GPX file of no tracks, routes or waypoints"),
    ('<wpt lat="45" lon="7"><name>hut</name></wpt>', "GPX file of 1 waypoint"),
    ('<rte><rtept lat="45" lon="7"/></rte><rte/>', "GPX file of 2 routes"),
    ('<trk><trkseg></trkseg></trk>', "GPX file of 1 empty track"),
    ('<trk><trkseg><trkpt lat="45" lon="7"/><trkpt lat="45.1" lon="7"/></trkseg></trk>',
     "GPX track without times (a planned route)"),
    ('<trk><trkseg><trkpt lat="45" lon="7"><time>1901-12-13T20:45:52Z</time></trkpt></trkseg></trk>',
     "GPX track whose times are unreadable or outside 1970-2100 ('1901-12-13T20:45:52Z': placeholders)"),
])
def test_files_that_are_not_activities(body, what):
    d = decode_gpx(f"{HEAD}{body}</gpx>".encode(), "x.gpx")
    assert not d.is_activity and d.file_type == what


def test_all_points_at_one_time_is_not_an_activity():
    d = decode_gpx(gpx([pt(45.0, "2020-01-01T00:00:00Z"), pt(45.1, "2020-01-01T00:00:00Z")]), "same.gpx")
    assert not d.is_activity and "all have one time" in d.file_type


def test_not_xml_not_gpx_and_entities_fail_in_one_line():
    with pytest.raises(InvalidTrackFile, match=r"^a\.gpx: not a GPX file \(the XML does not parse: syntax error"):
        decode_gpx(b"Error: nothing to do\n", "a.gpx")
    with pytest.raises(InvalidTrackFile, match=r"^b\.gpx: not a GPX file \(its root element is <kml>\)$"):
        decode_gpx(b"<kml><Document/></kml>", "b.gpx")
    bomb = b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><gpx>&b;</gpx>'
    with pytest.raises(InvalidTrackFile, match="declares XML entities"):
        decode_gpx(bomb, "c.gpx")


def test_a_file_cut_while_written_keeps_what_came_before():
    whole = gpx([pt(45.00, "2026-03-01T08:00:00Z"), pt(45.01, "2026-03-01T08:05:00Z"), pt(45.02, "2026-03-01T08:10:00Z")])
    cut = whole[: whole.index(b"<trkpt", whole.index(b"08:05:00")) + 20]
    d = decode_gpx(cut, "cut.gpx")
    assert d.partial and d.records.height == 2 and "damaged XML" in d.notes[0]


def test_bom_latin1_and_gzip_names_go_to_the_gpx_decoder():
    doc = ('\ufeff<?xml version="1.0" encoding="ISO-8859-1"?><gpx><trk><name>Col de l\'Iséran</name><trkseg>'
           + pt(45.0, "2026-03-01T08:00:00Z") + pt(45.01, "2026-03-01T08:01:00Z") + "</trkseg></trk></gpx>")
    d = decode(doc.encode("utf-8")[3:].replace(b"\xc3\xa9", b"\xe9"), "export.zip!/activities/1.gpx.gz")
    assert d.sessions[0]["name"] == "Col de l'Iséran" and d.n_records == 2


def test_hostile_shapes_are_refused_in_one_line():
    deep = HEAD + "<x>" * 100 + "</x>" * 100 + "</gpx>"
    with pytest.raises(InvalidTrackFile, match=r"^d\.gpx: refused: elements nested deeper than 64 levels"):
        decode_gpx(deep.encode(), "d.gpx")
    with pytest.raises(InvalidTrackFile, match=r"^e\.gpx: not a GPX file \(unknown encoding: TF-8\)"):
        decode_gpx(b'<?xml version="1.0" encoding="TF-8"?><gpx/>', "e.gpx")
    # no tree is built: a fat point or a document of junk holds no more than its columns
    fat = gpx([pt(45.0, "2026-03-01T08:00:00Z").replace("</trkpt>", "<x/>" * 5000 + "</trkpt>"),
               pt(45.01, "2026-03-01T08:01:00Z")])
    assert decode_gpx(fat, "f.gpx").n_records == 2
    junk = (HEAD + "<x><y/></x>" * 1000 + "<trk><trkseg>" + pt(45.0, "2026-03-01T08:00:00Z") + pt(45.01, "2026-03-01T08:01:00Z")
            + "</trkseg></trk></gpx>")
    assert decode_gpx(junk.encode(), "j.gpx").n_records == 2
