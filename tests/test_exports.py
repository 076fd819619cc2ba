"""Reading an export's metadata files (trainlog/ingest/exports.py): Strava's activities.csv, Garmin's summaries."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from trainlog.ingest.exports import MetadataError, MetaRow, file_key, read_metadata


def test_strava_csv_with_its_repeated_headers_and_flags():
    text = ("\ufeffActivity ID,Activity Date,Activity Name,Activity Type,Elapsed Time,Commute,Filename,Elapsed Time,"
            "Perceived Exertion,Activity Gear,Activity Visibility\n"
            '1,"Mar 19, 2017, 4:49:30 PM",Lunch run,Run,1958,false,activities/906581465.gpx,1958.0,6,Kinvara,only_me\n'
            '2,"2017-03-20 06:00:00","=cmd()",Ride,3600,1.0,,3600,11,,everyone\n'
            ",,,,,,,,,,\n")
    first, second = read_metadata(text.encode(), "strava_csv", "activities.csv")
    assert first == MetaRow(file_key="906581465", start_utc=dt.datetime(2017, 3, 19, 16, 49, 30, tzinfo=dt.UTC),
                            name="Lunch run", sport_type="Run", gear="Kinvara", rpe=6.0, commute=False, private=True)
    assert first.sport == "running" and second.sport == "cycling"
    assert second.file_key is None and second.start_utc == dt.datetime(2017, 3, 20, 6, tzinfo=dt.UTC)
    assert second.rpe is None  # 11 is off the CR-10 scale: dropped, not clipped
    assert second.commute is True and second.private is False and second.name == "=cmd()"  # stored as text, never run


def test_a_csv_that_is_not_stravas_fails_in_one_line():
    with pytest.raises(MetadataError, match=r"^activities\.csv: not a Strava activities\.csv"):
        read_metadata(b"date,km\n2020-01-01,5\n", "strava_csv", "activities.csv")
    assert read_metadata(b"", "strava_csv", "activities.csv") == []


def test_garmin_summaries_rpe_on_garmins_scale_and_odd_entries():
    doc = [{"summarizedActivitiesExport": [
        {"activityId": 1, "name": "Trail", "activityType": {"typeKey": "trail_running"}, "workoutRpe": 70,
         "startTimeGmt": 1_700_000_000_000, "description": "x" * 3000},
        {"activityId": 2, "name": None, "sportType": "CYCLING", "workoutRpe": 5, "startTimeGmt": "not a number"},
        "junk",
    ]}]
    a, b = read_metadata(json.dumps(doc).encode(), "garmin_json", "x_summarizedActivities.json")
    assert a.start_utc == dt.datetime.fromtimestamp(1_700_000_000, dt.UTC) and a.rpe == 7.0 and a.sport == "running"
    assert len(a.description) == 2000
    assert b.start_utc is None and b.rpe == 5.0 and b.sport == "cycling" and b.name is None
    with pytest.raises(MetadataError, match="not JSON"):
        read_metadata(b"\xff\xfe", "garmin_json", "x_summarizedActivities.json")


@pytest.mark.parametrize(("name", "key"), [("activities/123.fit.gz", "123"), ("C:\\exp\\ABC.GPX", "abc"),
                                           ("export.zip!/activities/9.tcx.gz", "9"), ("run.fit", "run")])
def test_file_keys(name, key):
    assert file_key(name) == key
