"""Sessions entered by hand (trainlog.ingest.manual): one activities row without samples, its ledger line and
rating in one commit, placed in the athlete's time zone; refusals in one line; counted in the daily and weekly
series on its local day (hand-worked loads); never a duplicate of a recorded file; and ``trainlog activity add``."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl
import pytest
from builders import SAMPLE_FIT, activities, check_dataset, concat, utc
from click.testing import CliRunner

from trainlog import Store, import_paths
from trainlog.analysis import pipeline
from trainlog.analysis.stored import metrics_of, save_settings_of
from trainlog.cli import cli
from trainlog.days import local_offset_s
from trainlog.errors import InvalidValue, TrainlogError
from trainlog.ingest import manual
from trainlog.ingest.manual import ManualActivity, add_activity
from trainlog.settings import AthleteSettings
from trainlog.store import entries
from trainlog.words import MANUAL_SOURCE

PARIS = AthleteSettings(timezone="Europe/Paris")
NOW = utc(2026, 3, 10, 12)  # "now" for the library calls: every start below is before it
#: Mara's easy run of 2026-03-03: 10:46:00 UTC, 05:46 in New York (EST, -5 h), 3249 s elapsed
RUN = SAMPLE_FIT / "mara" / "2026-03-03_0546_running.fit"


def added(store: Store, entry: ManualActivity, settings: AthleteSettings = PARIS, athlete: str = "mara") -> str:
    return add_activity(store, athlete, entry, settings, now=NOW)


def row_of(store: Store, activity_id: str, table: str = "activities") -> dict:
    rows = store.read(table, "mara").filter(pl.col("activity_id") == activity_id)
    assert rows.height == 1
    return rows.row(0, named=True)


# ---- what is stored


def test_one_activities_row_a_ledger_line_and_a_rating(store):
    # Paris in summer is UTC+2: 2025-07-14 10:00 local is 08:00 UTC
    entry = ManualActivity("hiking", dt.datetime(2025, 7, 14, 10, 0), 3 * 3600.0, distance_m=14_500.0,
                           ascent_m=1_200.0, rpe=5, note="Aiguillette des Houches, no watch")
    aid = added(store, entry)
    act = row_of(store, aid)
    assert act["start_utc"] == utc(2025, 7, 14, 8, 0) and act["utc_offset_s"] == 7200
    assert act["sport"] == "hiking" and act["sub_sport"] is None
    assert act["elapsed_s"] == act["timer_s"] == 10800.0
    assert act["distance_m"] == 14_500.0 and act["ascent_device_m"] == 1_200.0
    assert act["n_records"] == 0 and act["source_file"] == MANUAL_SOURCE and act["import_note"] == "entered by hand"
    assert (act["leg"], act["n_legs"], act["partial"], act["athlete"]) == (0, 1, False, "mara")
    assert act["imported_at"] == NOW
    assert aid == f"{act['file_sha256'][:16]}-0" and len(act["file_sha256"]) == 64
    t = store.read_all("mara")
    assert t["samples"].is_empty() and t["laps"].is_empty()
    ledger = t["files"].row(0, named=True)
    assert t["files"].height == 1
    assert (ledger["file_sha256"], ledger["source_file"], ledger["outcome"]) == (act["file_sha256"], MANUAL_SOURCE,
                                                                                  "imported")
    rating = entries.ratings(store, "mara").row(0, named=True)
    assert (rating["activity_id"], rating["rpe"], rating["feel"], rating["note"]) == (
        aid, 5.0, None, "Aiguillette des Houches, no watch")
    # one commit for the three tables
    assert store.generation("mara") == 1
    assert store.check("mara") == []
    check_dataset(store, "mara")


def test_winter_and_other_zones_give_their_offset(store):
    # Paris in winter is UTC+1; New York in March before DST is UTC-5; Kathmandu is UTC+5:45 all year
    winter = added(store, ManualActivity("running", dt.datetime(2026, 1, 10, 9, 0), 1800.0))
    assert row_of(store, winter)["utc_offset_s"] == 3600 and row_of(store, winter)["start_utc"] == utc(2026, 1, 10, 8)
    ny = added(store, ManualActivity("running", dt.datetime(2026, 3, 3, 5, 46), 1800.0),
               AthleteSettings(timezone="America/New_York"))
    assert row_of(store, ny)["utc_offset_s"] == -18000 and row_of(store, ny)["start_utc"] == utc(2026, 3, 3, 10, 46)
    ktm = added(store, ManualActivity("running", dt.datetime(2026, 1, 10, 6, 0), 1800.0),
                AthleteSettings(timezone="Asia/Kathmandu"))
    # 06:00 - 5:45 = 00:15 UTC
    assert row_of(store, ktm)["utc_offset_s"] == 20700 and row_of(store, ktm)["start_utc"] == utc(2026, 1, 10, 0, 15)
    assert local_offset_s(dt.datetime(2025, 7, 14, 10), "Europe/Paris") == 7200
    assert local_offset_s(dt.datetime(2025, 12, 14, 10), "Europe/Paris") == 3600


def test_the_time_zone_comes_from_the_saved_settings_when_none_are_given(store):
    save_settings_of(store, "mara", AthleteSettings(timezone="Europe/Paris"))
    aid = add_activity(store, "mara", ManualActivity("yoga", dt.datetime(2025, 7, 14, 7, 0), 3600.0), now=NOW)
    assert row_of(store, aid)["utc_offset_s"] == 7200 and row_of(store, aid)["start_utc"] == utc(2025, 7, 14, 5)


def test_no_rating_row_without_rpe_or_note(store):
    aid = added(store, ManualActivity("strength_training", dt.datetime(2026, 3, 2, 18, 0), 2700.0))
    assert store.read("ratings", "mara").is_empty()
    note_only = added(store, ManualActivity("strength_training", dt.datetime(2026, 3, 3, 18, 0), 2700.0, note="core"))
    rating = row_of(store, note_only, "ratings")
    assert rating["rpe"] is None and rating["note"] == "core"
    assert aid != note_only and store.check("mara") == []


def test_the_same_session_twice_is_refused_in_one_line(store):
    entry = ManualActivity("strength_training", dt.datetime(2026, 3, 2, 18, 0), 2700.0, rpe=6)
    aid = added(store, entry)
    generation = store.generation("mara")
    for again in (entry, ManualActivity("strength_training", dt.datetime(2026, 3, 2, 18, 0), 2700.0, rpe=8,
                                        note="another rating is the same session")):
        with pytest.raises(InvalidValue) as err:
            added(store, again)
        assert str(err.value) == (f"this session (strength_training, 2026-03-02 18:00) was entered before: "
                                  f"activity {aid}")
    assert store.generation("mara") == generation and store.read("activities", "mara").height == 1
    # a session that differs in anything it is made of is another session
    other = added(store, ManualActivity("strength_training", dt.datetime(2026, 3, 2, 18, 0), 2760.0))
    assert other != aid and store.read("activities", "mara").height == 2
    # ... and so is the same session of another athlete
    assert added(store, entry, athlete="tom") != aid


def test_the_same_session_with_whole_numbers_is_the_same_session(store):
    aid = added(store, ManualActivity("hiking", dt.datetime(2026, 3, 2, 18, 0), 2700.0, distance_m=12_000.0,
                                      ascent_m=800.0))
    with pytest.raises(InvalidValue, match=f"was entered before: activity {aid}"):
        added(store, ManualActivity("hiking", dt.datetime(2026, 3, 2, 18, 0), 2700, distance_m=12_000, ascent_m=800))
    assert store.read("activities", "mara").height == 1


def test_a_start_more_than_a_day_ahead_is_refused(store):
    # NOW is 2026-03-10 12:00 UTC; in UTC a start at 2026-03-11 12:00 is exactly a day ahead (kept),
    # one a minute later is refused
    utc_zone = AthleteSettings(timezone="UTC")
    with pytest.raises(InvalidValue) as err:
        added(store, ManualActivity("running", dt.datetime(2026, 3, 11, 12, 1), 1800.0), utc_zone)
    assert "start 2026-03-11 12:01 is in the future" in str(err.value) and "\n" not in str(err.value)
    assert not (store.data_dir / "athletes" / "mara").exists()
    added(store, ManualActivity("running", dt.datetime(2026, 3, 11, 12, 0), 1800.0), utc_zone)
    # the zone decides: 2026-03-11 13:30 in Paris (UTC+1) is 12:30 UTC, ahead by 24.5 h
    with pytest.raises(InvalidValue, match="is in the future"):
        added(store, ManualActivity("running", dt.datetime(2026, 3, 11, 13, 30), 1800.0))


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        (dict(sport="Running"), "sport 'Running' is not a sport name"),
        (dict(sport=""), "is not a sport name"),
        (dict(sport="trail running"), "is not a sport name"),
        (dict(sport=None), "is not a sport name"),
        (dict(start=dt.datetime(2026, 3, 2, 18, tzinfo=dt.UTC)), "is not a local date and time"),
        (dict(start=dt.date(2026, 3, 2)), "is not a local date and time"),
        (dict(start="2026-03-02 18:00"), "is not a local date and time"),
        (dict(start=dt.datetime(1969, 12, 31, 18)), "start 1969-12-31 is before 1970-01-01"),
        (dict(duration_s=0.0), "duration 0 s is out of range 1..604800 s"),
        (dict(duration_s=-60.0), "duration -60 s is out of range"),
        (dict(duration_s=7 * 24 * 3600.0 + 1), "duration 604801 s is out of range 1..604800 s"),
        (dict(duration_s=float("nan")), "duration nan is not a number"),
        (dict(duration_s=True), "duration True is not a number"),
        (dict(duration_s="0:45"), "duration '0:45' is not a number"),
        (dict(distance_m=-1.0), "distance -1 m is out of range 0..2e+06 m"),
        (dict(distance_m=2_000_001.0), "distance 2e+06 m is out of range"),
        (dict(distance_m=float("inf")), "distance inf is not a number"),
        (dict(ascent_m=50_001.0), "ascent 50001 m is out of range 0..50000 m"),
        (dict(ascent_m=-5.0), "ascent -5 m is out of range"),
        (dict(rpe=11), "rpe 11 is out of range 0..10"),
        (dict(rpe=True), "is not a number"),
        (dict(note="bell \x07"), "contains control characters"),
        (dict(note=""), "note is empty"),
    ],
)
def test_bad_values_are_refused_in_one_line_and_nothing_is_written(store, entry, message):
    given = {"sport": "strength_training", "start": dt.datetime(2026, 3, 2, 18, 0), "duration_s": 2700.0, **entry}
    with pytest.raises(InvalidValue) as err:
        added(store, ManualActivity(**given))
    assert message in str(err.value) and "\n" not in str(err.value), str(err.value)
    assert not (store.data_dir / "athletes" / "mara").exists()


def test_the_edges_are_accepted(store):
    week = added(store, ManualActivity("running", dt.datetime(2026, 3, 2, 6), 7 * 24 * 3600.0, distance_m=2e6,
                                       ascent_m=5e4, rpe=0))
    second = added(store, ManualActivity("running", dt.datetime(1970, 1, 2), 1.0, distance_m=0.0, ascent_m=0.0,
                                         rpe=10))
    assert row_of(store, week)["elapsed_s"] == 604800.0 and row_of(store, second)["elapsed_s"] == 1.0
    assert store.check("mara") == []


def test_a_bad_athlete_name_is_refused(store):
    with pytest.raises(TrainlogError, match="invalid athlete name"):
        added(store, ManualActivity("running", dt.datetime(2026, 3, 2, 6), 600.0), athlete="../x")
    assert not store.data_dir.exists()


# ---- in the series


def analysed(store: Store, today: dt.date | None = None):
    t = store.read_all("mara")
    return pipeline.analyse(t["activities"], t["samples"], PARIS, today, t["choices"], t["ratings"])


def test_a_manual_activity_counts_on_its_local_day(store):
    # a: Monday 2026-03-02 18:00 Paris, 45 min strength at RPE 6: 6 x 45 x 100 / (7 x 60) = 64.2857...
    # b: Wednesday 2026-03-04 23:30 Paris (22:30 UTC), a 3 h hike unrated: 3 h x 50 = 150
    # c: Sunday 2026-03-08 00:30 Paris (23:30 UTC the day before), 1 h 30 run at RPE 4: 4 x 90 x 100 / 420 = 85.714
    a = added(store, ManualActivity("strength_training", dt.datetime(2026, 3, 2, 18, 0), 2700.0, rpe=6))
    b = added(store, ManualActivity("hiking", dt.datetime(2026, 3, 4, 23, 30), 3 * 3600.0, distance_m=12_000.0,
                                    ascent_m=900.0))
    c = added(store, ManualActivity("running", dt.datetime(2026, 3, 8, 0, 30), 5400.0, distance_m=15_000.0, rpe=4))
    assert row_of(store, c)["start_utc"] == utc(2026, 3, 7, 23, 30)
    result = analysed(store, dt.date(2026, 3, 9))
    per = {r["activity_id"]: r for r in result.per_activity.iter_rows(named=True)}
    assert (per[a]["load_source"], per[b]["load_source"], per[c]["load_source"]) == ("rpe", "duration", "rpe")
    assert per[a]["load"] == pytest.approx(6 * 45 * 100 / 420, rel=1e-12)
    assert per[a]["load"] == per[a]["load_rpe"]
    assert per[b]["load"] == pytest.approx(150.0, rel=1e-12) and per[b]["load_rpe"] is None
    assert per[b]["moving_s"] == 10800.0 and per[b]["distance_m"] == 12_000.0 and per[b]["ascent_m"] == 900.0
    assert per[c]["load"] == pytest.approx(4 * 90 * 100 / 420, rel=1e-12)
    assert (per[a]["start_date"], per[b]["start_date"], per[c]["start_date"]) == (
        dt.date(2026, 3, 2), dt.date(2026, 3, 4), dt.date(2026, 3, 8))
    daily = {r["date"]: r for r in result.daily.iter_rows(named=True)}
    assert list(daily) == [dt.date(2026, 3, 2) + dt.timedelta(days=k) for k in range(8)]  # to "today", zero-filled
    assert daily[dt.date(2026, 3, 2)]["load"] == pytest.approx(64.28571428571429, rel=1e-12)
    assert daily[dt.date(2026, 3, 2)]["moving_s"] == 2700.0 and daily[dt.date(2026, 3, 2)]["n_activities"] == 1
    # the hike runs 23:30-02:30: split at midnight by its hours, 0.5 h (1/6) on the 4th and 2.5 h on the 5th
    assert daily[dt.date(2026, 3, 4)]["load"] == pytest.approx(25.0, rel=1e-12)
    assert daily[dt.date(2026, 3, 4)]["moving_s"] == pytest.approx(1800.0)
    assert daily[dt.date(2026, 3, 4)]["ascent_m"] == pytest.approx(150.0)
    assert daily[dt.date(2026, 3, 5)]["distance_m"] == pytest.approx(10_000.0)
    assert daily[dt.date(2026, 3, 5)]["load"] == pytest.approx(125.0) and daily[dt.date(2026, 3, 7)]["load"] == 0.0
    assert daily[dt.date(2026, 3, 8)]["load"] == pytest.approx(4 * 90 * 100 / 420, rel=1e-12)
    # the ISO week of Monday 2 March holds all three: 64.2857 + 150 + 85.7143 = 300.0
    week = result.weekly.filter((pl.col("week_start") == dt.date(2026, 3, 2)) & (pl.col("sport") == "all"))
    assert week["load"].to_list() == pytest.approx([300.0], rel=1e-12)
    assert week["n_activities"].to_list() == [3]
    assert week["moving_s"].to_list() == [2700.0 + 10800.0 + 5400.0]
    hikes = result.weekly.filter((pl.col("week_start") == dt.date(2026, 3, 2)) & (pl.col("sport") == "hiking"))
    assert hikes["load"].to_list() == pytest.approx([150.0]) and hikes["longest_s"].to_list() == [10800.0]


def test_the_stored_analysis_counts_manual_activities(store):
    aid = added(store, ManualActivity("strength_training", dt.datetime(2026, 3, 2, 18, 0), 2700.0, rpe=6))
    row = metrics_of(store, "mara").row(0, named=True)
    assert row["activity_id"] == aid and row["load_source"] == "rpe"
    # re-rated later: the load follows the rating (7 x 45 x 100 / 420 = 75)
    entries.rate(store, "mara", aid, rpe=7)
    assert metrics_of(store, "mara")["load"].to_list() == pytest.approx([75.0], rel=1e-12)
    # the rating cleared: the duration load, 0.75 h x 50 = 37.5
    entries.rate(store, "mara", aid, rpe=None, note=None)
    assert metrics_of(store, "mara").select("load_source", "load").row(0) == ("duration", pytest.approx(37.5))


def test_analyse_of_a_manual_row_without_the_store():
    # the row add_activity writes, analysed from frames: a 3 h hike unrated is 150 on its local day
    acts = activities({"activity_id": "m-0", "start_utc": utc(2025, 7, 14, 8), "utc_offset_s": 7200,
                       "sport": "hiking", "elapsed_s": 10800.0, "timer_s": 10800.0, "n_records": 0,
                       "source_file": MANUAL_SOURCE})
    result = pipeline.analyse(acts, concat(), PARIS)
    assert result.daily.select("date", "load", "moving_s").rows() == [(dt.date(2025, 7, 14), 150.0, 10800.0)]


# ---- never a duplicate of a recorded file


def test_a_recorded_file_at_the_same_time_is_not_a_duplicate_of_a_manual_entry(store):
    new_york = AthleteSettings(timezone="America/New_York")
    # the same start (05:46 local = 10:46 UTC) and the same elapsed time as the file
    aid = added(store, ManualActivity("running", dt.datetime(2026, 3, 3, 5, 46), 3249.0, rpe=3), new_york)
    assert row_of(store, aid)["start_utc"] == utc(2026, 3, 3, 10, 46)
    report = import_paths(store, [RUN], "mara", workers=1)
    assert [r.outcome for r in report.results] == ["imported"], report.results
    acts = store.read("activities", "mara").sort("source_file")
    assert acts.height == 2 and acts["start_utc"].to_list() == [utc(2026, 3, 3, 10, 46)] * 2
    assert store.check("mara") == []
    check_dataset(store, "mara")
    # a manual entry is not a recorded file: entering a session where a file is stored is accepted too
    added(store, ManualActivity("running", dt.datetime(2026, 3, 3, 5, 46), 3250.0), new_york)
    # and the file itself is still a duplicate of itself
    assert [r.outcome for r in import_paths(store, [RUN], "mara", workers=1).results] == ["duplicate"]


# ---- trainlog activity add


def cli_run(store: Store, *args):
    return CliRunner().invoke(cli, [*map(str, args), "--data-dir", str(store.data_dir)])


def test_activity_add_on_the_command_line(store):
    save_settings_of(store, "mara", PARIS)
    res = cli_run(store, "activity", "add", "-a", "mara", "--sport", "strength_training", "--start",
                  "2026-03-02 18:00", "--duration", "0:45", "--rpe", "6")
    assert res.exit_code == 0, res.output
    aid = store.read("activities", "mara")["activity_id"][0]
    assert res.output.strip() == f"mara: added strength_training on 2026-03-02 18:00, 0:45:00: activity {aid} " \
                                 f"(load from the RPE)"
    res = cli_run(store, "activity", "add", "-a", "mara", "--sport", "Hiking", "--start", "2026-03-04T08:00",
                  "--duration", "3:00:00", "--distance-km", "12.5", "--ascent-m", "900", "--note", "no watch",
                  "--json")
    assert res.exit_code == 0, res.output
    hike = json.loads(res.output)["activity_id"]
    rows = {r["activity_id"]: r for r in json.loads(cli_run(store, "activities", "-a", "mara", "--json").output)}
    strength = rows[aid]
    assert strength["load_source"] == "rpe" and strength["rpe"] == 6.0
    # 6 x 45 x 100 / 420 = 64.2857
    assert strength["load"] == pytest.approx(64.28571428571429, rel=1e-12) and strength["load_rpe"] == strength["load"]
    assert strength["start_local"] == "2026-03-02T18:00:00" and strength["date_local"] == "2026-03-02"
    assert strength["source_file"] == MANUAL_SOURCE and strength["moving_s"] == 2700.0
    walk = rows[hike]
    assert walk["sport"] == "hiking" and walk["load_source"] == "duration" and walk["load_rpe"] is None
    assert walk["load"] == pytest.approx(150.0) and walk["distance_m"] == pytest.approx(12_500.0)
    assert walk["ascent_m"] == 900.0 and walk["note"] == "no watch"
    assert cli_run(store, "check", "-a", "mara").exit_code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--duration", "1:75"], "Error: --duration '1:75': minutes and seconds run from 00 to 59"),
        (["--duration", "45"], "is not a duration: give H:MM or H:MM:SS"),
        (["--start", "2026-13-01 10:00"], "Error: --start '2026-13-01 10:00' is not a local date and time"),
        (["--start", "2026-03-02"], "is not a local date and time"),
        (["--start", "2099-03-02 10:00"], "is in the future"),
        (["--rpe", "12"], "Error: rpe 12.0 is out of range 0..10"),
        (["--sport", "trail running"], "is not a sport name"),
        (["--distance-km", "-3"], "Error: distance -3000 m is out of range"),
        (["--ascent-m", "60000"], "ascent 60000 m is out of range"),
        (["--note", "esc \x1b[2J"], "contains control characters"),
        (["-a", "../x"], "invalid athlete name"),
    ],
)
def test_activity_add_says_what_is_wrong_in_one_line(store, args, message):
    good = {"-a": "mara", "--sport": "strength_training", "--start": "2026-03-02 18:00", "--duration": "0:45"}
    given = dict(good)
    for k in range(0, len(args), 2):
        given[args[k]] = args[k + 1]
    res = cli_run(store, "activity", "add", *[x for kv in given.items() for x in kv])
    assert res.exit_code in (1, 2) and message in res.output, res.output
    assert "Traceback" not in res.output
    if res.exit_code == 1:
        assert len(res.output.strip().splitlines()) == 1 and res.output.startswith("Error: ")
    assert not (store.data_dir / "athletes").exists()


def test_activity_add_twice_is_one_line(store):
    args = ["activity", "add", "-a", "mara", "--sport", "strength_training", "--start", "2026-03-02 18:00",
            "--duration", "0:45"]
    assert cli_run(store, *args).exit_code == 0
    res = cli_run(store, *args)
    assert res.exit_code == 1 and "was entered before: activity" in res.output
    assert len(res.output.strip().splitlines()) == 1 and store.read("activities", "mara").height == 1


@pytest.mark.parametrize(("given", "sport", "sub_sport"), [
    ("strength_training", "training", "strength_training"),  # FIT: sport training, sub-sport strength_training
    ("trail_running", "running", "trail"),
    ("hiking", "hiking", None),
])
def test_a_sub_sport_is_stored_as_fit_stores_it(store, given, sport, sub_sport):
    aid = added(store, ManualActivity(given, dt.datetime(2026, 3, 2, 18, 0), 2700.0))
    row = store.read("activities", "mara").filter(pl.col("activity_id") == aid).row(0, named=True)
    assert (row["sport"], row["sub_sport"]) == (sport, sub_sport)


def test_two_names_of_one_sport_are_one_session(store):
    aid = added(store, ManualActivity("strength_training", dt.datetime(2026, 3, 2, 18, 0), 2700.0))
    with pytest.raises(InvalidValue, match=f"was entered before: activity {aid}"):
        added(store, ManualActivity("strength", dt.datetime(2026, 3, 2, 18, 0), 2700.0))


def test_a_multi_day_session_by_hand_is_booked_over_its_days(store):
    # 08:00 on 5 Mar for 60 h, Paris (UTC+1 in March): 16 h on the 5th, 24 h on the 6th, 20 h on the 7th
    added(store, ManualActivity("running", dt.datetime(2026, 3, 5, 8, 0), 60 * 3600.0, ascent_m=18_000.0, rpe=8.0))
    t = store.read_all("mara")
    daily = pipeline.analyse(t["activities"], t["samples"], PARIS, ratings=t["ratings"]).daily
    days = daily.filter(pl.col("moving_s") > 0).select("date", "moving_s", "ascent_m", "load").rows()
    total_load = 8.0 * 3600 * 100 / 420  # 60 h at RPE 8: 8 x 3600 min x 100 / (7 x 60)
    assert [(d, m) for d, m, _, _ in days] == [(dt.date(2026, 3, 5), 16 * 3600.0), (dt.date(2026, 3, 6), 24 * 3600.0),
                                               (dt.date(2026, 3, 7), 20 * 3600.0)]
    assert [a for _, _, a, _ in days] == pytest.approx([4_800.0, 7_200.0, 6_000.0])  # 18,000 m by the hours
    assert [x for _, _, _, x in days] == pytest.approx([total_load * h / 60 for h in (16, 24, 20)])


def test_a_session_by_hand_is_removed_and_entered_again(store):
    wrong = added(store, ManualActivity("hiking", dt.datetime(2026, 3, 2, 8, 0), 10 * 3600.0, rpe=5))  # 10 h, not 1 h
    kept = added(store, ManualActivity("running", dt.datetime(2026, 3, 3, 8, 0), 3600.0))
    generation = store.generation("mara")
    assert manual.remove_activity(store, "mara", wrong) == "hiking of 2026-03-02 08:00, 10.00 h"
    assert store.generation("mara") == generation + 1  # one commit
    assert store.read("activities", "mara")["activity_id"].to_list() == [kept]
    assert store.read("files", "mara").height == 1 and store.check("mara") == []
    right = added(store, ManualActivity("hiking", dt.datetime(2026, 3, 2, 8, 0), 3600.0, rpe=5))
    assert {r["activity_id"] for r in metrics_of(store, "mara").iter_rows(named=True)} == {kept, right}
    # a second store reads the same (the parts replaced are retired, not read)
    assert Store(store.data_dir).read("activities", "mara").height == 2


def test_only_a_session_by_hand_is_removed(store):
    report = import_paths(store, [RUN], "mara", workers=1)
    recorded = report.results[0].activity_ids[0]
    generation = store.generation("mara")
    with pytest.raises(InvalidValue, match="was recorded .* not entered by hand: only those are removed"):
        manual.remove_activity(store, "mara", recorded)
    with pytest.raises(InvalidValue, match="no activity 'nope-0' for athlete mara"):
        manual.remove_activity(store, "mara", "nope-0")
    assert store.generation("mara") == generation


def test_activity_remove_command(store):
    aid = added(store, ManualActivity("hiking", dt.datetime(2026, 3, 2, 8, 0), 3600.0))
    res = CliRunner().invoke(cli, ["activity", "remove", aid, "-a", "mara", "--data-dir", str(store.data_dir)])
    assert res.exit_code == 0 and res.output == f"mara: removed activity {aid} (hiking of 2026-03-02 08:00, 1.00 h), " \
                                                "entered by hand\n"
    res = CliRunner().invoke(cli, ["activity", "remove", aid, "-a", "mara", "--data-dir", str(store.data_dir)])
    assert res.exit_code == 1 and res.output.startswith(f"Error: no activity '{aid}' for athlete mara")
