"""Export metadata joined to activities (trainlog/ingest/metajoin.py), end to end through ``import_paths``.

A Strava-style bulk export is built here: ``activities/`` holding a FIT
(.fit.gz), the same run as GPX (as Strava writes a phone-recorded copy) and
another run as .tcx.gz, beside an ``activities.csv`` naming them.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import subprocess
import sys

import polars as pl
import pytest
from builders import SAMPLE_FIT, gpx_of, tcx_of, zip_bytes

from trainlog import Store, import_paths
from trainlog.analysis.stored import activity_table
from trainlog.ingest.decode import decode
from trainlog.store import choices

RUN = SAMPLE_FIT / "mara" / "2025-09-16_0551_running.fit"  # 2025-09-16 09:51 UTC, 59 min
OTHER = SAMPLE_FIT / "mara" / "2025-09-17_0542_running.fit"
THIRD = SAMPLE_FIT / "mara" / "2025-09-18_0559_running.fit"

HEADER = ("Activity ID,Activity Date,Activity Name,Activity Type,Activity Description,Elapsed Time,Distance,"
          "Max Heart Rate,Relative Effort,Commute,Activity Private Note,Activity Gear,Filename,Athlete Weight,"
          "Bike Weight,Elapsed Time,Moving Time,Distance,Perceived Exertion,Activity Visibility")


def strava_csv(*rows: tuple) -> bytes:
    lines = [HEADER]
    for aid, date, name, kind, desc, commute, gear, filename, rpe, vis in rows:
        lines.append(f'{aid},"{date}","{name}",{kind},"{desc}",3552,9.48,160,50,{commute},,"{gear}",{filename},'
                     f",,3552,3500,9480.0,{rpe},{vis}")
    return ("\n".join(lines) + "\n").encode()


def export_zip(tmp_path) -> tuple:
    run = decode(RUN.read_bytes(), "run.fit")
    other = decode(OTHER.read_bytes(), "other.fit")
    blob = zip_bytes({
        "activities/1001.fit.gz": gzip.compress(RUN.read_bytes()),
        "activities/1002.gpx": gpx_of(run.records, sport=None, name="Afternoon Run"),  # the same run, no type
        "activities/1003.tcx.gz": gzip.compress(tcx_of(other.records, sport="Other")),
        "activities.csv": strava_csv(
            (1001, "Sep 16, 2025, 9:51:00 AM", "Barkley recce, loop 1", "Trail Run", "Rat Jaw twice", "false",
             "Speedgoat 5", "activities/1001.fit.gz", 7, "everyone"),
            (1002, "Sep 16, 2025, 9:51:00 AM", "Barkley recce (phone)", "Run", "", "false", "", "activities/1002.gpx",
             "", "only_me"),
            (1003, "Sep 17, 2025, 9:42:00 AM", "Hill repeats", "Hike", "10 x 200 m", "true", "Poles",
             "activities/1003.tcx.gz", 8, "followers_only"),
            (1004, "Jan 1, 2020, 8:00:00 AM", "Not in this export", "Run", "", "false", "", "", 5, "everyone"),
        ),
    })
    path = tmp_path / "export_12345.zip"
    path.write_bytes(blob)
    return path, run, other


def test_a_strava_export_imports_with_names_types_and_rpe(tmp_path):
    path, run, _other = export_zip(tmp_path)
    store = Store(tmp_path / "data")
    report = import_paths(store, [path], "mara", workers=1)
    got = {r.name.split("!/")[1]: r for r in report.results}
    assert got["activities/1001.fit.gz"].outcome == "imported"
    assert got["activities/1002.gpx"].outcome == "duplicate"  # the same run as FIT and as GPX is stored once
    assert "same activity as" in got["activities/1002.gpx"].detail
    assert got["activities/1003.tcx.gz"].outcome == "imported"
    meta = got["activities.csv"]
    assert (meta.outcome, meta.detail) == ("skipped", "Strava activities.csv, not an activity: 3 of 4 activities found "
                                                      "and described")
    table = activity_table(store, "mara").sort("start_utc")
    assert table.height == 2
    fit, tcx = table.row(0, named=True), table.row(1, named=True)
    # the FIT: named by its own row; the GPX copy's row only fills what that one left empty
    assert fit["name"] == "Barkley recce, loop 1" and fit["description"] == "Rat Jaw twice"
    assert fit["gear"] == "Speedgoat 5" and fit["private"] is False and fit["export_type"] == "Trail Run"
    assert fit["sport"] == "running"  # the FIT's own sport stays
    # the TCX says Sport="Other": the sport comes from the export's type
    assert (tcx["sport"], tcx["name"], tcx["commute"], tcx["private"]) == ("hiking", "Hill repeats", True, False)
    assert "sport from the export's metadata (Hike)" in tcx["import_note"]
    rated = choices.current(store, "mara").sort("activity_id")
    assert dict(zip(rated["activity_id"], rated["rpe"])) == {fit["activity_id"]: 7.0, tcx["activity_id"]: 8.0}
    assert tcx["rpe"] == 8.0 and fit["rpe"] == 7.0  # what the rpe load source reads


def test_importing_the_export_again_writes_nothing_and_the_athletes_rating_wins(tmp_path):
    path, *_ = export_zip(tmp_path)
    store = Store(tmp_path / "data")
    import_paths(store, [path], "mara", workers=1)
    fit_id = activity_table(store, "mara").sort("start_utc")["activity_id"][0]
    choices.set_rpe(store, "mara", fit_id, 4.0)
    before = store.manifest("mara").generation
    report = import_paths(store, [path], "mara", workers=1)
    assert {r.outcome for r in report.results} == {"duplicate", "skipped"}
    assert store.read("activity_meta", "mara").height == 2  # nothing new to say
    assert choices.current(store, "mara").filter(pl.col("activity_id") == fit_id)["rpe"][0] == 4.0
    assert store.manifest("mara").generation >= before


def test_metadata_imported_after_the_activities_joins_by_file_name_and_start_time(tmp_path):
    (tmp_path / "activities").mkdir()
    (tmp_path / "activities" / "1001.fit").write_bytes(RUN.read_bytes())
    store = Store(tmp_path / "data")
    import_paths(store, [tmp_path / "activities"], "mara", workers=1)
    (tmp_path / "activities.csv").write_bytes(strava_csv(
        (1001, "Sep 16, 2025, 9:51:00 AM", "By file name", "Run", "", "false", "", "activities/1001.fit", "", "everyone")))
    import_paths(store, [tmp_path / "activities.csv"], "mara", workers=1)
    assert activity_table(store, "mara")["name"].to_list() == ["By file name"]
    garmin = [{"summarizedActivitiesExport": [
        {"activityId": 1, "name": "By start time", "activityType": "trail_running", "workoutRpe": 60,
         "startTimeGmt": dt.datetime(2025, 9, 16, 9, 51, 20, tzinfo=dt.UTC).timestamp() * 1000},
        {"activityId": 2, "name": "Nothing then", "startTimeGmt": 0}]}]
    summaries = tmp_path / "DI_CONNECT" / "DI-Connect-Fitness" / "mara_0_summarizedActivities.json"
    summaries.parent.mkdir(parents=True)
    summaries.write_text(json.dumps(garmin))
    report = import_paths(store, [tmp_path / "DI_CONNECT"], "mara", workers=1)
    (result,) = report.results
    assert result.detail == "Garmin Connect activity summaries, not an activity: 1 of 2 activities found and described"
    row = activity_table(store, "mara").row(0, named=True)
    assert row["name"] == "By start time" and row["export_type"] == "trail_running" and row["rpe"] == 6.0


def test_a_bad_metadata_file_fails_alone(tmp_path):
    (tmp_path / "x_summarizedActivities.json").write_text("{not json")
    (tmp_path / "run.fit").write_bytes(RUN.read_bytes())
    report = import_paths(Store(tmp_path / "data"), [tmp_path], "mara", workers=1)
    got = {r.name.rsplit("/", 1)[1]: r for r in report.results}
    assert got["run.fit"].outcome == "imported"
    assert got["x_summarizedActivities.json"].outcome == "failed"
    assert got["x_summarizedActivities.json"].detail.startswith("not JSON (")


def test_gpx_without_a_sport_takes_the_athletes_default_sport(tmp_path):
    run = decode(THIRD.read_bytes(), "third.fit")
    (tmp_path / "walk.gpx").write_bytes(gpx_of(run.records, sport=None))
    data = tmp_path / "data"
    set_cmd = [sys.executable, "-m", "trainlog", "athlete", "set", "-a", "mara", "--data-dir", str(data),
               "--default-sport", "hiking"]
    assert subprocess.run(set_cmd, capture_output=True, text=True).returncode == 0
    report = import_paths(Store(data), [tmp_path / "walk.gpx"], "mara", workers=1)
    assert report.results[0].detail.startswith("hiking, ")
    acts = Store(data).read("activities", "mara")
    assert "the file names no sport: hiking (the athlete's default_sport)" in acts["import_note"][0]
    bad = subprocess.run([*set_cmd[:-1], "Hiking Boots!"], capture_output=True, text=True)
    assert bad.returncode != 0 and "is not a sport name" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("name", ["activities.csv", "x/activities.csv", "me_0_summarizedActivities.json"])
def test_metadata_names_are_recognised(name):
    from trainlog.ingest.sources import metadata_kind

    assert metadata_kind(name) in ("strava_csv", "garmin_json")
