"""Wellness per day (trainlog.store.wellness): the fields declared once, add and the fold (the latest value per day
and field wins, unchanged values write nothing), one-line refusals, and CSV files (layouts, bad lines, one commit)."""

from __future__ import annotations

import datetime as dt
import errno
import math

import polars as pl
import pytest
from builders import utc

from trainlog.errors import InvalidValue, StoreError
from trainlog.store import schema
from trainlog.store import wellness as w

DAY = dt.date(2026, 3, 15)


def day_of(store, athlete: str = "mara", day: dt.date = DAY) -> dict:
    rows = w.daily(store, athlete).filter(pl.col("date") == day)
    return rows.row(0, named=True) if rows.height else {}


def given(row: dict) -> dict:
    return {k: v for k, v in row.items() if v is not None and k != "date"}


# --------------------------------------------------------------------------- the fields


def test_every_field_is_declared_once_with_its_unit_range_and_label():
    assert list(w.FIELDS) + ["source", "source_file", "file_sha256", "at"] == [c for c in schema.WELLNESS if c != "date"]
    ranges = {c: (f.low, f.high, f.unit) for c, f in w.FIELDS.items() if f.kind == "number"}
    assert ranges == {"resting_hr_bpm": (25, 120, "bpm"), "hrv_rmssd_ms": (5, 300, "ms"), "sleep_h": (0, 24, "h"),
                      "sleep_deep_h": (0, 24, "h"), "sleep_light_h": (0, 24, "h"), "sleep_rem_h": (0, 24, "h"),
                      "sleep_awake_h": (0, 24, "h"), "weight_kg": (25, 250, "kg")}
    scales = [c for c, f in w.FIELDS.items() if f.kind == "scale"]
    assert scales == ["sleep_quality", "soreness", "fatigue", "stress", "mood", "motivation"]
    for c in scales:
        f = w.FIELDS[c]
        assert (f.low, f.high, len(f.words)) == (1, 5, 5) and schema.WELLNESS[c] == pl.Int8
    assert w.FIELDS["soreness"].range_text() == "1 (none) .. 5 (extreme)"
    assert w.FIELDS["illness"].kind == "flag" and w.FIELDS["note"].kind == "text"
    assert all(f.label for f in w.FIELDS.values())


# --------------------------------------------------------------------------- add and fold


def test_add_then_the_latest_value_per_field_wins_and_the_others_stay(store):
    assert w.daily(store, "mara").is_empty() and w.daily(store, "mara").schema == pl.Schema(w.DAILY_SCHEMA)
    assert w.add(store, "mara", "2026-03-15", {"resting_hr_bpm": 48, "hrv_rmssd_ms": 62, "sleep_h": 7.5,
                                               "soreness": 2, "illness": False, "note": "easy day"})
    assert w.add(store, "mara", DAY, {"resting_hr_bpm": 51, "soreness": 4.0, "mood": None})  # None: not given
    assert w.add(store, "mara", DAY + dt.timedelta(days=1), {"weight_kg": 71.2}, source="page")
    assert given(day_of(store)) == {"resting_hr_bpm": 51.0, "hrv_rmssd_ms": 62.0, "sleep_h": 7.5, "soreness": 4,
                                    "illness": False, "note": "easy day"}
    assert given(day_of(store, day=DAY + dt.timedelta(days=1))) == {"weight_kg": 71.2}
    log = store.read("wellness", "mara")
    assert log.height == 3 and log["source"].to_list() == ["cli", "cli", "page"]
    assert log["at"].dtype == pl.Datetime("us", "UTC") and log["at"].null_count() == 0
    # the second row holds only what was given then
    assert log.row(1, named=True)["hrv_rmssd_ms"] is None and log.row(1, named=True)["resting_hr_bpm"] == 51.0


def test_values_already_in_force_write_nothing(store):
    assert w.add(store, "mara", DAY, {"resting_hr_bpm": 48, "soreness": 2, "note": "x"})
    generation = store.generation("mara")
    assert not w.add(store, "mara", DAY, {"resting_hr_bpm": 48.0})
    assert not w.add(store, "mara", DAY, {"soreness": 2, "resting_hr_bpm": 48, "note": "  x  "})  # stripped
    assert store.generation("mara") == generation and store.read("wellness", "mara").height == 1
    assert w.add(store, "mara", DAY, {"soreness": 2, "illness": True})  # one value new: one row with both
    assert store.read("wellness", "mara").height == 2


def test_an_empty_note_clears_the_note(store):
    w.add(store, "mara", DAY, {"note": "sore throat"})
    assert w.add(store, "mara", DAY, {"note": ""})
    assert day_of(store)["note"] is None
    assert not w.add(store, "mara", DAY, {"note": ""})  # already clear


def test_append_inside_a_writers_transaction_as_a_fit_import_does(store):
    w.add(store, "mara", DAY, {"resting_hr_bpm": 50, "soreness": 2})
    with store.transaction("mara") as tx:
        written = w.append(tx, {DAY: {"resting_hr_bpm": 47.0, "sleep_deep_h": 1.5},
                                "2026-03-16": {"hrv_rmssd_ms": 58.0},
                                DAY - dt.timedelta(days=1): {"resting_hr_bpm": None}}, "fit", "sleep.fit")
        assert written == 2  # the day with nothing given is left out
    assert given(day_of(store)) == {"resting_hr_bpm": 47.0, "sleep_deep_h": 1.5, "soreness": 2}
    log = store.read("wellness", "mara")
    assert log["source"].to_list() == ["cli", "fit", "fit"] and log["source_file"].to_list()[1:] == ["sleep.fit"] * 2
    with store.transaction("mara") as tx:
        assert w.append(tx, {DAY: {"resting_hr_bpm": 47.0}}, "fit", "sleep.fit") == 0
        with pytest.raises(InvalidValue, match="sleep 30 is out of range"):
            w.append(tx, {DAY: {"sleep_h": 30.0}}, "fit")


def test_fold_takes_the_latest_non_null_value_in_commit_order_not_clock_order():
    at = utc(2026, 3, 15)
    log = pl.DataFrame([
        {"date": DAY, "resting_hr_bpm": 50.0, "soreness": 3, "source": "cli", "at": at},
        {"date": DAY, "resting_hr_bpm": 47.0, "source": "fit", "at": at - dt.timedelta(days=1)},  # committed later
        {"date": DAY, "soreness": None, "note": "", "source": "cli", "at": at},
        {"date": DAY - dt.timedelta(days=1), "hrv_rmssd_ms": 70.0, "source": "csv", "at": at},
    ], schema=schema.WELLNESS)
    daily = w.fold(log)
    assert daily["date"].to_list() == [DAY - dt.timedelta(days=1), DAY]  # sorted by date
    assert given(daily.row(1, named=True)) == {"resting_hr_bpm": 47.0, "soreness": 3}
    assert w.fold(daily).equals(daily)  # a folded frame is returned as it is
    assert w.fold(schema.empty("wellness")).schema == pl.Schema(w.DAILY_SCHEMA)


@pytest.mark.parametrize(("values", "message"), [
    ({"resting_hr_bpm": 300}, "resting HR 300 is out of range 25..120 bpm"),
    ({"resting_hr_bpm": 24.9}, "resting HR 24.9 is out of range 25..120 bpm"),
    ({"hrv_rmssd_ms": math.nan}, "HRV (rMSSD) nan is out of range 5..300 ms"),
    ({"sleep_h": math.inf}, "sleep inf is out of range 0..24 h"),
    ({"weight_kg": 10**400}, "weight 1000"),
    ({"weight_kg": "72"}, "weight '72' is not a number (25..250 kg)"),
    ({"soreness": 4.5}, "soreness 4.5 is not a whole number from 1 (none) .. 5 (extreme)"),
    ({"mood": 0}, "mood 0 is out of range 1 (very poor) .. 5 (great)"),
    ({"fatigue": True}, "fatigue True is not a number"),
    ({"illness": 1}, "ill or injured 1 is not true or false"),
    ({"note": "a\x1b]0;x\x07"}, "contains control characters"),
    ({"note": "x" * 1001}, "at most 1000 are kept"),
    ({"pulse": 50}, "unknown wellness field 'pulse': the fields are resting_hr_bpm, hrv_rmssd_ms"),
    ({}, "nothing to record for 2026-03-15"),
    ({"mood": None}, "nothing to record"),
])
def test_a_bad_value_is_one_line_and_nothing_is_written(store, values, message):
    w.add(store, "mara", DAY, {"resting_hr_bpm": 50})
    generation = store.generation("mara")
    with pytest.raises(InvalidValue) as err:
        w.add(store, "mara", DAY, values if "nothing" in message else {"sleep_h": 8, **values})  # 8 h is valid
    assert message in str(err.value) and "\n" not in str(err.value)
    assert store.generation("mara") == generation


@pytest.mark.parametrize(("day", "message"), [
    ("1969-12-31", "date 1969-12-31 is outside the supported range 1970-01-01 to 2100-12-31"),
    ("2101-01-01", "outside the supported range"),
    ("15/03/2026", "date '15/03/2026' is not a date (YYYY-MM-DD)"),
])
def test_a_day_outside_the_supported_range_is_refused(store, day, message):
    with pytest.raises(InvalidValue, match=message.replace("(", r"\(").replace(")", r"\)")):
        w.add(store, "mara", day, {"soreness": 2})
    assert store.athletes() == []


def test_unknown_source_and_athlete_name_are_refused(store):
    with pytest.raises(InvalidValue, match="unknown wellness source 'typed': use one of cli, page, csv, fit"):
        w.add(store, "mara", DAY, {"soreness": 2}, source="typed")
    with pytest.raises(Exception, match="athlete"):
        w.add(store, "../x", DAY, {"soreness": 2})


# --------------------------------------------------------------------------- CSV files

ICU = ("date,restingHR,hrv,hrvSDNN,sleepSecs,sleepQuality,weight,soreness,fatigue,stress,mood,motivation,injury,"
       "ctl,atl,comments\n"
       "2026-03-01,48,60,,27000,1,71.5,1,2,3,1,1,1,50.1,40.2,easy\n"
       "2026-03-02,49,58,,25200,4,,3,4,4,4,4,4,50.3,42.0,\n"
       "2026-03-03,,,,,,,,,,,,,50.0,39.0,\n")


def test_the_intervals_icu_layout_turns_its_1_to_4_scales_into_ours():
    parsed = w.parse_csv(ICU, "icu.csv")
    assert parsed.layout == "intervals.icu" and parsed.rows == 3 and parsed.empty == 1 and parsed.skipped == ()
    assert parsed.ignored == ("hrvSDNN", "ctl", "atl")
    assert parsed.columns["sleepSecs"] == "sleep_h" and parsed.columns["injury"] == "illness"
    # 27000 s = 7.5 h; sleep quality 1 great -> 5; soreness 1 low -> 2, fatigue 2 avg -> 3, stress 3 high -> 4;
    # mood 1 great -> 5; motivation 1 extreme -> 5; injury 1 none -> not ill
    assert parsed.days[dt.date(2026, 3, 1)] == {
        "resting_hr_bpm": 48.0, "hrv_rmssd_ms": 60.0, "sleep_h": 7.5, "sleep_quality": 5, "weight_kg": 71.5,
        "soreness": 2, "fatigue": 3, "stress": 4, "mood": 5, "motivation": 5, "illness": False, "note": "easy"}
    # 25200 s = 7 h; sleep quality 4 poor -> 2; soreness 3 high -> 4; fatigue and stress 4 extreme -> 5;
    # mood 4 grumpy -> 2; motivation 4 low -> 2; injury 4 injured -> ill
    assert parsed.days[dt.date(2026, 3, 2)] == {
        "resting_hr_bpm": 49.0, "hrv_rmssd_ms": 58.0, "sleep_h": 7.0, "sleep_quality": 2, "soreness": 4,
        "fatigue": 5, "stress": 5, "mood": 2, "motivation": 2, "illness": True}
    # read as ours, the numbers keep their values (and injury 4 is not a yes or a no)
    plain = w.parse_csv(ICU, "icu.csv", "plain")
    assert plain.days[dt.date(2026, 3, 1)]["mood"] == 1 and plain.days[dt.date(2026, 3, 1)]["illness"] is True
    assert plain.skipped == ((3, "ill or injured '4' is not true or false (yes/no, 1/0)"),)


def test_plain_layouts_semicolons_decimal_commas_times_and_hours_as_h_mm():
    text = ("Date;Resting HR;HRV (ms);Sleep (h);Weight (kg);Soreness;Ill;Note\n"
            "2026-03-02 06:45;47;58,5;7:45;71,2;4;yes;'=not a formula\n"
            "2026-03-03T07:00:00;46;61;8;;;no;\n")
    parsed = w.parse_csv(text, "plain.csv")
    assert parsed.layout == "plain" and parsed.skipped == () and parsed.ignored == ()
    assert parsed.days == {
        dt.date(2026, 3, 2): {"resting_hr_bpm": 47.0, "hrv_rmssd_ms": 58.5, "sleep_h": 7.75, "weight_kg": 71.2,
                              "soreness": 4, "illness": True, "note": "=not a formula"},
        dt.date(2026, 3, 3): {"resting_hr_bpm": 46.0, "hrv_rmssd_ms": 61.0, "sleep_h": 8.0, "illness": False},
    }


def test_an_hrv4training_like_file_reads_rmssd_not_its_hrv_score_and_hr_as_resting_hr():
    text = ("date,time,HR,HRV,rMSSD,sleep_quality,muscle_soreness,fatigue,sleep_minutes\n"
            "2026-03-01,06:31,52,81.9,59.9,4,2,3,450\n"
            "2026-03-01,07:10,50,82.5,61.2,,,,\n")  # a second measurement: later values win per field
    parsed = w.parse_csv(text, "hrv4t.csv")
    assert parsed.ignored == ("time", "HRV")
    assert parsed.days == {dt.date(2026, 3, 1): {"resting_hr_bpm": 50.0, "hrv_rmssd_ms": 61.2, "sleep_quality": 4,
                                                 "soreness": 2, "fatigue": 3, "sleep_h": 7.5}}  # 450 min


def test_the_first_column_is_the_date_when_none_is_named_so():
    parsed = w.parse_csv("when\trhr\tmood\n2026-03-01\t50\t3\n", "tabs.csv")
    assert parsed.days == {dt.date(2026, 3, 1): {"resting_hr_bpm": 50.0, "mood": 3}}


def test_bad_lines_are_skipped_whole_with_their_reason():
    text = ("date,resting_hr,hrv,soreness,sleep_hours,ill\n"
            "2026-03-01,48,60,2,7,no\n"
            "2026-03-02,48,60,7,7,no\n"  # soreness 7: the whole line is skipped, its resting HR too
            "yesterday,48,,,,\n"
            "2026-03-04,abc,,,,\n"
            "2026-03-05,50,,,25,\n"
            "2026-03-06,50,,,7:75,\n"
            "2026-03-07,50,,,,maybe\n"
            "2026-03-08,50,,,,,,\n"
            "\n"
            "1900-01-01,50,,,,\n"
            "2026-03-10,51,,,,\n")
    parsed = w.parse_csv(text, "bad.csv")
    assert parsed.skipped == (
        (3, "soreness 7 is out of range 1 (none) .. 5 (extreme)"),
        (4, "date 'yesterday' is not a date (YYYY-MM-DD)"),
        (5, "resting HR 'abc' is not a number (25..120 bpm)"),
        (6, "sleep 25 is out of range 0..24 h"),
        (7, "sleep '7:75' is not a number (0..24 h)"),
        (8, "ill or injured 'maybe' is not true or false (yes/no, 1/0)"),
        (9, "8 cells for 6 columns"),
        (11, "date 1900-01-01 is outside the supported range 1970-01-01 to 2100-12-31"),
    )
    assert list(parsed.days) == [dt.date(2026, 3, 1), dt.date(2026, 3, 10)] and parsed.rows == 10  # not the blank
    icu = w.parse_csv("date,restingHR,soreness,injury\n2026-03-01,50,5,\n2026-03-02,50,,7\n", "icu.csv")
    assert [why for _, why in icu.skipped] == [
        "soreness '5' is not on intervals.icu's 1-4 scale (--layout plain reads ours, 1 (none) .. 5 (extreme))",
        "injury '7' is not on intervals.icu's 1-4 scale (1 none .. 4 injured)"]


@pytest.mark.parametrize(("text", "message"), [
    ("", "x.csv: the wellness file is empty"),
    ("\n\n", "x.csv: the wellness file is empty"),
    ("foo,bar\n1,2\n", "x.csv line 1: no wellness column in the header ('foo', 'bar'); the columns read are date, "
                       "resting_hr, hrv (rMSSD)"),
    ("date,ctl,atl\n2026-03-01,1,2\n", "x.csv line 1: no wellness column in the header ('date', 'ctl', 'atl')"),
    ("soreness,mood\n2,3\n", "x.csv line 1: no date column in the header"),
    ('date,note\n2026-03-01,"' + "x" * 200_000 + '"\n', "x.csv line 2: field larger than field limit"),
])
def test_a_file_that_is_not_a_wellness_csv_is_one_line(text, message):
    with pytest.raises(InvalidValue) as err:
        w.parse_csv(text, "x.csv")
    assert str(err.value).startswith(message) and "\n" not in str(err.value)


def test_import_csv_writes_the_changed_days_in_one_commit_and_again_nothing(store, tmp_path):
    path = tmp_path / "icu.csv"
    path.write_text(ICU, encoding="utf-8")
    w.add(store, "mara", "2026-03-01", {"resting_hr_bpm": 48, "note": "typed"})
    generation = store.generation("mara")
    report = w.import_csv(store, "mara", path)
    assert (report.rows, report.empty, report.days, report.written, report.skipped) == (3, 1, 2, 2, ())
    assert store.generation("mara") == generation + 1  # one commit for the whole file
    assert day_of(store, day=dt.date(2026, 3, 1))["note"] == "easy" and day_of(store, day=dt.date(2026, 3, 2))["illness"]
    log = store.read("wellness", "mara").filter(pl.col("source") == "csv")
    assert log.height == 2 and set(log["source_file"]) == {str(path)}
    again = w.import_csv(store, "mara", path)
    assert (again.days, again.written) == (2, 0) and store.generation("mara") == generation + 1
    assert again.to_dict()["unchanged"] == 2 and again.to_dict()["ignored"] == ["hrvSDNN", "ctl", "atl"]


def test_import_csv_refuses_what_it_cannot_read_in_one_line(store, tmp_path):
    for name, content, message in (("missing.csv", None, "cannot read the wellness file"),
                                   ("latin.csv", "date,note\n2026-03-01,caf\xe9\n".encode("latin-1"), "is not UTF-8"),
                                   ("empty.csv", b"", "the wellness file is empty")):
        path = tmp_path / name
        if content is not None:
            path.write_bytes(content)
        with pytest.raises(InvalidValue, match=message):
            w.import_csv(store, "mara", path)
    assert store.athletes() == []  # nothing created


def test_import_csv_is_all_or_nothing_when_the_disk_refuses(store, tmp_path, monkeypatch):
    w.add(store, "mara", "2026-02-01", {"soreness": 1})
    before = w.daily(store, "mara")
    path = tmp_path / "icu.csv"
    path.write_text(ICU, encoding="utf-8")

    def full(self, file, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(file))

    monkeypatch.setattr(pl.DataFrame, "write_parquet", full)
    with pytest.raises(StoreError, match="no space left on device"):
        w.import_csv(store, "mara", path)
    monkeypatch.undo()
    assert w.daily(store, "mara").equals(before)  # not one of the file's days was kept
    assert not [p for p in store.part_files("mara") if p.name not in store.manifest("mara").listed()]
