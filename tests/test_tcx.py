"""TCX decoding (trainlog/ingest/tcx.py), on small documents written here: laps, legs, extensions, courses."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from trainlog.ingest.tcx import decode_tcx
from trainlog.ingest.xmltrack import EARTH_RADIUS_M, InvalidTrackFile

CENTI_DEGREE_M = EARTH_RADIUS_M * math.pi / 180 / 100
HEAD = ('<?xml version="1.0" encoding="UTF-8"?><TrainingCenterDatabase '
        'xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2" '
        'xmlns:ns3="http://www.garmin.com/xmlschemas/ActivityExtension/v2">')


def tp(t: str, lat: float | None = 45.0, dist: float | None = None, hr: int | None = None, ext: str = "") -> str:
    pos = (f"<Position><LatitudeDegrees>{lat}</LatitudeDegrees><LongitudeDegrees>7.0</LongitudeDegrees></Position>"
           if lat is not None else "")
    d = f"<DistanceMeters>{dist}</DistanceMeters>" if dist is not None else ""
    h = f"<HeartRateBpm><Value>{hr}</Value></HeartRateBpm>" if hr else ""
    e = f"<Extensions><ns3:TPX>{ext}</ns3:TPX></Extensions>" if ext else ""
    return f"<Trackpoint><Time>{t}</Time>{pos}<AltitudeMeters>300</AltitudeMeters>{d}{h}{e}</Trackpoint>"


def lap(start: str, seconds: float, metres: float | None, *points: str, hr: tuple[int, int] | None = None) -> str:
    dist = f"<DistanceMeters>{metres}</DistanceMeters>" if metres is not None else ""
    heart = (f"<AverageHeartRateBpm><Value>{hr[0]}</Value></AverageHeartRateBpm>"
             f"<MaximumHeartRateBpm><Value>{hr[1]}</Value></MaximumHeartRateBpm>") if hr else ""
    return (f'<Lap StartTime="{start}"><TotalTimeSeconds>{seconds}</TotalTimeSeconds>{dist}<Calories>50</Calories>'
            f"{heart}<Track>{''.join(points)}</Track></Lap>")


def activity(sport: str, start: str, *laps: str) -> str:
    return (f'<Activity Sport="{sport}"><Id>{start}</Id>{"".join(laps)}'
            "<Creator><Name>Forerunner 955</Name></Creator></Activity>")


def tcx(*activities: str, wrap: str | None = None) -> bytes:
    body = "".join(activities)
    if wrap:
        body = f"<{wrap}>{body}</{wrap}>"
    return f"{HEAD}<Activities>{body}</Activities></TrainingCenterDatabase>".encode()


def test_laps_their_totals_and_the_trackpoints():
    doc = tcx(activity("Running", "2026-03-01T08:00:00Z",
                       lap("2026-03-01T08:00:00Z", 300, 1000, tp("2026-03-01T08:00:00Z", 45.00, 0, 120),
                           tp("2026-03-01T08:05:00Z", 45.01, 1000, 140, "<ns3:Speed>3.3</ns3:Speed>"), hr=(130, 140)),
                       lap("2026-03-01T08:05:00Z", 900, 2500.5, tp("2026-03-01T08:20:00Z", 45.02, 3500.5, 150,
                                                                     "<ns3:RunCadence>90</ns3:RunCadence><ns3:Watts>250</ns3:Watts>"),
                           hr=(150, 170))))
    d = decode_tcx(doc, "run.tcx")
    (s,) = d.sessions
    assert s["sport"] == "running" and s["start_utc"] == dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
    assert s["distance_m"] == 3500.5  # the laps' own distances, summed
    assert s["elapsed_s"] == 1200 and s["timer_s"] == 1200
    assert s["avg_hr_bpm"] == pytest.approx((130 * 300 + 150 * 900) / 1200) and s["max_hr_bpm"] == 170
    assert s["calories_kcal"] == 100
    assert [lap_["distance_m"] for lap_ in d.laps] == [1000, 2500.5]
    r = d.records
    assert r["distance_m"].to_list() == [0, 1000, 3500.5] and r["hr_bpm"].to_list() == [120, 140, 150]
    assert r["speed_mps"].to_list() == [None, 3.3, None] and r["cadence_rpm"].to_list() == [None, None, 90]
    assert r["power_w"].to_list() == [None, None, 250] and d.device["product"] == "Forerunner 955"


def test_without_lap_distances_the_trackpoints_then_the_positions():
    points = (tp("2026-03-01T08:00:00Z", 45.00, 0), tp("2026-03-01T08:10:00Z", 45.01, 1234.0))
    d = decode_tcx(tcx(activity("Running", "2026-03-01T08:00:00Z", lap("2026-03-01T08:00:00Z", 600, None, *points))), "a.tcx")
    assert d.sessions[0]["distance_m"] == 1234.0
    points = (tp("2026-03-01T08:00:00Z", 45.00), tp("2026-03-01T08:10:00Z", 45.01))
    d = decode_tcx(tcx(activity("Running", "2026-03-01T08:00:00Z", lap("2026-03-01T08:00:00Z", 600, None, *points))), "b.tcx")
    assert d.sessions[0]["distance_m"] == pytest.approx(CENTI_DEGREE_M, rel=1e-6)
    assert d.records["distance_m"].to_list() == pytest.approx([0, CENTI_DEGREE_M], rel=1e-6)


def test_laps_longer_than_the_track_keep_the_track():
    points = (tp("2026-03-01T08:00:00Z"), tp("2026-03-01T08:00:04Z"))
    d = decode_tcx(tcx(activity("Biking", "2026-03-01T08:00:00Z", lap("2026-03-01T08:00:00Z", 18930, 180219.9, *points))),
                   "kona.tcx")
    s = d.sessions[0]
    assert (s["sport"], s["elapsed_s"], s["timer_s"], s["distance_m"]) == ("cycling", 4, 4, 180219.9)
    assert "the laps' time (18930 s) is more than the track's (4 s)" in d.notes[0]


def test_a_multisport_session_is_one_leg_per_activity():
    run = activity("Running", "2026-03-01T08:00:00Z", lap("2026-03-01T08:00:00Z", 600, 2000, tp("2026-03-01T08:00:00Z", dist=0),
                                                          tp("2026-03-01T08:10:00Z", dist=2000)))
    ride = activity("Biking", "2026-03-01T08:15:00Z", lap("2026-03-01T08:15:00Z", 600, 5000, tp("2026-03-01T08:15:00Z", dist=0),
                                                          tp("2026-03-01T08:25:00Z", dist=5000)))
    d = decode_tcx(tcx(f"<FirstSport>{run}</FirstSport><NextSport>{ride}</NextSport>", wrap="MultiSportSession"), "tri.tcx")
    assert [(s["sport"], s["distance_m"], s["elapsed_s"]) for s in d.sessions] == [("running", 2000, 600), ("cycling", 5000, 600)]
    assert d.records.height == 4


def test_other_sport_no_positions_and_a_course():
    swim = activity("Other", "2026-03-01T08:00:00Z", lap("2026-03-01T08:00:00Z", 60, 50,
                                                         tp("2026-03-01T08:00:00Z", None, 0, 110),
                                                         tp("2026-03-01T08:01:00Z", None, 50, 120)))
    d = decode_tcx(tcx(swim), "swim.tcx")
    assert d.sessions[0]["sport"] is None and d.sessions[0]["distance_m"] == 50  # the sport: export or default_sport
    assert d.records["lat_deg"].is_null().all() and d.records["hr_bpm"].to_list() == [110, 120]
    course = f"{HEAD}<Courses><Course><Name>loop</Name><Track>{tp('2026-03-01T08:00:00Z')}</Track></Course></Courses>"
    d = decode_tcx((course + "</TrainingCenterDatabase>").encode(), "course.tcx")
    assert not d.is_activity and d.file_type == "TCX file of 1 course (planned routes)"


def test_unreadable_tcx_fails_in_one_line_and_a_cut_one_is_partial():
    with pytest.raises(InvalidTrackFile, match=r"^x\.tcx: not a TCX file \(its root element is <gpx>\)$"):
        decode_tcx(b"<gpx/>", "x.tcx")
    whole = tcx(activity("Running", "2026-03-01T08:00:00Z", lap("2026-03-01T08:00:00Z", 600, 100,
                                                                tp("2026-03-01T08:00:00Z"), tp("2026-03-01T08:05:00Z"),
                                                                tp("2026-03-01T08:10:00Z"))))
    cut = whole[: whole.index(b"08:10:00")]
    d = decode_tcx(cut, "cut.tcx")
    assert d.partial and d.n_records == 2 and d.sessions[0]["elapsed_s"] == 300
