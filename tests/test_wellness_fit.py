"""trainlog.ingest.wellness_fit, and the reading of its FIT messages in trainlog.ingest.fit.assemble: Garmin's
sleep, HRV-status and monitoring files -> the wellness table; an activity's RR intervals -> its rMSSD.

The wellness files are written with the project's FIT writer (trainlog_dev.fitwrite, Garmin's SDK encoder and
the FIT profile's messages), imported with ``import_paths``, and every stored value is worked out by hand
here. The RR test of a real watch's file (the shared corpus) computes rMSSD again with fitparse directly.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import fitparse
import numpy as np
import polars as pl
import pytest
from builders import corpus_available, corpus_file, manifest, requires_corpus
from click.testing import CliRunner

from trainlog import Store, import_paths
from trainlog.ingest.decode import decode
from trainlog.ingest.decoded import DecodedFile, WellnessReadings
from trainlog.ingest.fit import assemble as fit_assemble
from trainlog.ingest.fit import fast as fit_fast
from trainlog.ingest.fit.reference import decode_reference
from trainlog.ingest.wellness_fit import (
    RR_MAX_CHANGE,
    RR_MAX_MS,
    RR_MIN_MS,
    SLEEP_GAP_S,
    activity_hrv_rows,
    rr_summary,
    sleep_nights,
    wellness_rows,
)
from trainlog.settings import AthleteSettings, save_settings
from trainlog.store import schema

pytest.importorskip("garmin_fit_sdk", reason="the dependency garmin-fit-sdk writes the test files")
from garmin_fit_sdk import Profile  # noqa: E402

from trainlog_dev import fitwrite  # noqa: E402

TOKYO = "Asia/Tokyo"  # UTC+9 all year: a night ending at 06:35 there ends on the previous UTC day
NOW = dt.datetime(2026, 3, 20, 12, tzinfo=dt.UTC)


def unix(*args: int, offset_h: int = 0) -> int:
    """Unix seconds of a local time ``offset_h`` hours east of UTC."""
    return int((dt.datetime(*args, tzinfo=dt.UTC) - dt.timedelta(hours=offset_h)).timestamp())


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / "in" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def athlete_in(store: Store, timezone: str | None) -> str:
    save_settings(store.settings_path("mara"), AthleteSettings(timezone=timezone))
    return "mara"


def assert_both_decoders_agree(data: bytes, name: str) -> DecodedFile:
    """The fast path takes the file and gives the reference's wellness readings and RR intervals."""
    ref = decode_reference(data, name)
    fast = fit_fast.decode_fast(data, name)
    for attr in ("file_type", "wellness", "rr_intervals", "utc_offset_s", "notes"):
        assert getattr(fast, attr) == getattr(ref, attr), attr
    assert decode(data, name).wellness == ref.wellness
    return ref


# --------------------------------------------------------------------------- the FIT profile's numbers


def test_message_and_field_numbers_are_the_fit_profiles():
    messages = Profile["messages"]

    def field(mesg: int, num: int) -> dict:
        return messages[mesg]["fields"][num]

    assert messages[fit_assemble.MESG_HRV]["name"] == "hrv"
    hrv_time = field(fit_assemble.MESG_HRV, fit_assemble.HRV_TIME)
    assert (hrv_time["name"], hrv_time["units"], hrv_time["scale"], hrv_time["type"]) == ("time", "s", [1000], "uint16")
    assert messages[fit_assemble.MESG_SLEEP_LEVEL]["name"] == "sleep_level"
    assert field(fit_assemble.MESG_SLEEP_LEVEL, fit_assemble.SLEEP_LEVEL)["type"] == "sleep_level"
    assert Profile["types"]["sleep_level"] == {0: "unmeasurable", **fit_assemble.SLEEP_LEVELS}
    assert messages[fit_assemble.MESG_HRV_STATUS_SUMMARY]["name"] == "hrv_status_summary"
    night = field(fit_assemble.MESG_HRV_STATUS_SUMMARY, fit_assemble.LAST_NIGHT_AVERAGE)
    assert (night["name"], night["units"], night["scale"]) == ("last_night_average", "ms", [fit_assemble.HRV_STATUS_SCALE])
    assert messages[fit_assemble.MESG_MONITORING_HR_DATA]["name"] == "monitoring_hr_data"
    assert field(fit_assemble.MESG_MONITORING_HR_DATA, fit_assemble.RESTING_HR)["name"] == "resting_heart_rate"
    current = field(fit_assemble.MESG_MONITORING_HR_DATA, fit_assemble.CURRENT_DAY_RESTING_HR)
    assert (current["name"], current["units"]) == ("current_day_resting_heart_rate", "bpm")
    for mesg, name in ((fit_assemble.MESG_MONITORING_INFO, "monitoring_info"),
                       (fit_assemble.MESG_TIMESTAMP_CORRELATION, "timestamp_correlation")):
        assert messages[mesg]["name"] == name
        assert field(mesg, fit_assemble.LOCAL_TIMESTAMP[mesg])["name"] == "local_timestamp"
        assert field(mesg, fit_assemble.FIELD_TIMESTAMP)["name"] == "timestamp"
    files = Profile["types"]["file"]
    assert [files[n] for n in (15, 28, 32)] == ["monitoring_a", "monitoring_daily", "monitoring_b"]
    assert fitwrite.SLEEP_FILE_TYPE not in files and fitwrite.HRV_STATUS_FILE_TYPE not in files  # Garmin's own


# --------------------------------------------------------------------------- sleep

#: One night, as (stage of the stretch, minutes): each sleep_level message closes the stretch before it.
NIGHT = [("awake", 15), ("light", 80), ("deep", 50), ("light", 40), ("rem", 25), ("unmeasurable", 10), ("awake", 5),
         ("light", 95), ("deep", 30), ("rem", 45), ("light", 60), ("awake", 10)]
#: Worked out from NIGHT: light 80+40+95+60, deep 50+30, rem 25+45, awake 15+5+10 minutes; unmeasurable in none.
LIGHT_MIN, DEEP_MIN, REM_MIN, AWAKE_MIN = 275, 80, 70, 30


def night_levels(start_unix_s: int, stretches=NIGHT) -> list[tuple[int, str]]:
    levels = [(start_unix_s, "awake")]  # the first message only opens the night
    t = start_unix_s
    for stage, minutes in stretches:
        t += minutes * 60
        levels.append((t, stage))
    return levels


def test_a_sleep_file_gives_the_nights_stages_on_the_local_day_it_ends(store, tmp_path):
    # 22:50 in Tokyo on the 14th to 06:35 on the 15th (465 minutes): 13:50 to 21:35 UTC on the 14th
    start = unix(2026, 3, 14, 22, 50, offset_h=9)
    assert sum(m for _, m in NIGHT) == 465
    data = fitwrite.encode_sleep(night_levels(start))
    assert_both_decoders_agree(data, "sleep.fit")
    athlete = athlete_in(store, TOKYO)  # the file has no offset of its own: the athlete's zone gives the day
    report = import_paths(store, [write(tmp_path, "2026-03-15_SLEEP_DATA.fit", data)], athlete)
    (result,) = report.results
    assert (result.outcome, result.detail) == ("imported", "wellness: 1 night of sleep (7.1 h)")
    assert report.counts() == {"imported": 1, "duplicate": 0, "skipped": 0, "failed": 0}
    (row,) = store.read("wellness", athlete).iter_rows(named=True)
    assert row["date"] == dt.date(2026, 3, 15)
    assert row["sleep_h"] == pytest.approx((LIGHT_MIN + DEEP_MIN + REM_MIN) / 60)  # 7.083 h asleep
    assert row["sleep_light_h"] == pytest.approx(LIGHT_MIN / 60)
    assert row["sleep_deep_h"] == pytest.approx(DEEP_MIN / 60)
    assert row["sleep_rem_h"] == pytest.approx(REM_MIN / 60)
    assert row["sleep_awake_h"] == pytest.approx(AWAKE_MIN / 60)
    assert (row["source"], row["source_file"]) == ("fit", result.name)
    assert row["hrv_rmssd_ms"] is None and row["resting_hr_bpm"] is None and row["sleep_quality"] is None
    assert row["at"] is not None and row["at"].tzinfo is not None


def test_the_same_night_in_utc_ends_on_the_utc_day(store, tmp_path):
    start = unix(2026, 3, 14, 22, 50, offset_h=9)
    athlete = athlete_in(store, "UTC")
    import_paths(store, [write(tmp_path, "sleep.fit", fitwrite.encode_sleep(night_levels(start)))], athlete)
    assert store.read("wellness", athlete)["date"].to_list() == [dt.date(2026, 3, 14)]


def test_a_silence_longer_than_a_stage_ends_a_night_and_is_no_stage():
    t0 = dt.datetime(2026, 3, 14, 22, tzinfo=dt.UTC)

    def at(minutes: float) -> dt.datetime:
        return t0 + dt.timedelta(minutes=minutes)

    levels = [
        (at(0), "awake"), (at(10), "light"), (at(20), "deep"),  # night 1: 10 min light, 10 min deep
        (at(20) + dt.timedelta(seconds=SLEEP_GAP_S + 1), "rem"),  # a new night opens: the gap counts nowhere
        (at(20) + dt.timedelta(seconds=SLEEP_GAP_S + 1801), "rem"),  # 30 min rem
        (at(3000), "light"),  # a night of one message: nothing measured, left out
    ]
    nights = sleep_nights(levels)
    assert [end for end, _ in nights] == [at(20), at(20) + dt.timedelta(seconds=SLEEP_GAP_S + 1801)]
    assert nights[0][1] == {"awake": 0.0, "light": 600.0, "deep": 600.0, "rem": 0.0}
    assert nights[1][1] == {"awake": 0.0, "light": 0.0, "deep": 0.0, "rem": 1800.0}
    decoded = DecodedFile("s.fit", "49", wellness=WellnessReadings(sleep_levels=levels))
    rows, detail = wellness_rows(decoded, "s.fit", NOW, "UTC")
    assert detail == "wellness: 2 nights of sleep"
    assert rows["date"].to_list() == [dt.date(2026, 3, 14), dt.date(2026, 3, 15)]
    assert rows["sleep_h"].to_list() == pytest.approx([20 / 60, 30 / 60])


# --------------------------------------------------------------------------- HRV status


def test_an_hrv_status_file_gives_last_nights_average_on_the_morning_it_was_written(store, tmp_path):
    written = unix(2026, 3, 15, 7, 5, offset_h=9)  # 07:05 in Tokyo, 22:05 UTC the day before
    night = [(unix(2026, 3, 15, 1, 0, offset_h=9) + 300 * i, ms) for i, ms in enumerate((48.0, 55.5, 61.25))]
    data = fitwrite.encode_hrv_status(written, last_night_ms=52.5, weekly_ms=58.0, values=night)
    decoded = assert_both_decoders_agree(data, "hrv.fit")
    assert decoded.file_type == "68" and decoded.wellness.hrv_ms == [
        (dt.datetime.fromtimestamp(written, dt.UTC), 52.5)]  # 6720 / 128: the profile's scale
    athlete = athlete_in(store, TOKYO)
    (result,) = import_paths(store, [write(tmp_path, "2026-03-15_HRV_STATUS.fit", data)], athlete).results
    assert (result.outcome, result.detail) == ("imported", "wellness: HRV 52.5 ms")
    rows = store.read("wellness", athlete)
    assert rows.select("date", "hrv_rmssd_ms", "sleep_h", "resting_hr_bpm", "source").rows() == [
        (dt.date(2026, 3, 15), 52.5, None, None, "fit")]


def test_sleep_and_hrv_of_one_night_land_on_one_day(store, tmp_path):
    athlete = athlete_in(store, TOKYO)
    sleep = write(tmp_path, "sleep.fit", fitwrite.encode_sleep(night_levels(unix(2026, 3, 14, 22, 50, offset_h=9))))
    hrv = write(tmp_path, "hrv.fit", fitwrite.encode_hrv_status(unix(2026, 3, 15, 6, 40, offset_h=9), 52.5))
    report = import_paths(store, [sleep, hrv], athlete)
    assert [r.outcome for r in report.results] == ["imported", "imported"]
    rows = store.read("wellness", athlete)
    assert rows["date"].unique().to_list() == [dt.date(2026, 3, 15)]
    assert rows["sleep_h"].drop_nulls().to_list() == pytest.approx([425 / 60])
    assert rows["hrv_rmssd_ms"].drop_nulls().to_list() == [52.5]


# --------------------------------------------------------------------------- monitoring


def test_a_monitoring_file_gives_the_days_resting_hr_on_its_own_local_day(store, tmp_path):
    # the file's local time is UTC-7 (its monitoring_info): it wins over the athlete's zone (Tokyo)
    start = unix(2026, 3, 14, 0, 0, offset_h=-7)
    hr_data = unix(2026, 3, 14, 23, 30, offset_h=-7)  # 06:30 UTC on the 15th
    beats = [(start + 60 * i, bpm) for i, bpm in enumerate((58, 52, 49, 51))]
    data = fitwrite.encode_monitoring(start, -7 * 3600, beats, resting_hr_bpm=49, current_day_resting_hr_bpm=47,
                                      hr_data_unix_s=hr_data)
    decoded = assert_both_decoders_agree(data, "monitor.fit")
    assert decoded.file_type == "monitoring_b" and decoded.wellness.utc_offset_s == -7 * 3600
    athlete = athlete_in(store, TOKYO)
    (result,) = import_paths(store, [write(tmp_path, "monitor.fit", data)], athlete).results
    # the day's own resting HR (current_day_resting_heart_rate), not the 7-day average (resting_heart_rate)
    assert (result.outcome, result.detail) == ("imported", "wellness: resting HR 47 bpm")
    assert store.read("wellness", athlete).select("date", "resting_hr_bpm").rows() == [(dt.date(2026, 3, 14), 47.0)]


def test_a_monitoring_file_with_only_the_seven_day_resting_hr_gives_that(store, tmp_path):
    start = unix(2026, 3, 14, 0, 0)
    data = fitwrite.encode_monitoring(start, 0, resting_hr_bpm=49, hr_data_unix_s=start + 3600)
    assert_both_decoders_agree(data, "monitor.fit")
    athlete = athlete_in(store, None)
    import_paths(store, [write(tmp_path, "monitor.fit", data)], athlete)
    assert store.read("wellness", athlete).select("date", "resting_hr_bpm").rows() == [(dt.date(2026, 3, 14), 49.0)]


# --------------------------------------------------------------------------- nothing usable, twice, the command


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("hrv.fit", lambda: fitwrite.encode_hrv_status(unix(2026, 3, 15, 7, 0), last_night_ms=None), "HRV status file"),
    ("monitor.fit", lambda: fitwrite.encode_monitoring(unix(2026, 3, 14, 0, 0), 0, [(unix(2026, 3, 14, 0, 1), 60)]),
     "Monitoring file"),
    ("sleep.fit", lambda: fitwrite.encode_sleep([(unix(2026, 3, 15, 6, 0), "light")]), "Sleep file"),
    ("odd.fit", lambda: fitwrite.encode_sleep(night_levels(unix(2026, 3, 14, 23, 0), [("unmeasurable", 60)])),
     "Sleep file"),
])
def test_a_wellness_file_with_nothing_usable_is_skipped_with_its_reason(store, tmp_path, name, data, kind):
    path = write(tmp_path, name, data())
    (result,) = import_paths(store, [path], "mara").results
    assert result.outcome == "skipped"
    assert result.detail == f"{kind} with no usable sleep stages, nightly HRV or resting HR"
    assert store.read("wellness", "mara").is_empty()
    (again,) = import_paths(store, [path], "mara").results
    assert (again.outcome, again.detail) == ("skipped", f"{result.detail} (already seen)")


def test_importing_a_wellness_file_again_is_a_duplicate(store, tmp_path):
    path = write(tmp_path, "sleep.fit", fitwrite.encode_sleep(night_levels(unix(2026, 3, 14, 22, 50))))
    import_paths(store, [path], "mara")
    before = store.read("wellness", "mara")
    (result,) = import_paths(store, [path], "mara").results
    assert result.outcome == "duplicate" and result.detail.startswith("already imported")
    assert store.read("wellness", "mara").equals(before)


def test_a_dataset_with_an_imported_wellness_file_checks_whole(store, tmp_path):
    # the ledger says imported and no activity has the file's hash: its wellness rows carry the hash instead
    path = write(tmp_path, "sleep.fit", fitwrite.encode_sleep(night_levels(unix(2026, 3, 14, 22, 50))))
    (result,) = import_paths(store, [path], "mara").results
    assert store.read("wellness", "mara")["file_sha256"].to_list() == [result.sha256]
    assert store.check("mara") == []
    report = store.repair("mara", dry_run=True)
    assert not report.left_out and not report.changed and store.check("mara") == []


def test_import_json_keeps_its_shape_for_wellness_files(store, tmp_path):
    from trainlog.cli import cli

    files = [
        write(tmp_path, "sleep.fit", fitwrite.encode_sleep(night_levels(unix(2026, 3, 14, 22, 50)))),
        write(tmp_path, "hrv.fit", fitwrite.encode_hrv_status(unix(2026, 3, 15, 7, 0), last_night_ms=None)),
    ]
    res = CliRunner().invoke(cli, ["import", *map(str, files), "-a", "mara", "--data-dir", str(store.data_dir),
                                   "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["counts"] == {"imported": 1, "duplicate": 0, "skipped": 1, "failed": 0}
    assert [set(f) for f in out["files"]] == [{"file", "outcome", "detail", "activity_ids"}] * 2
    assert [(f["outcome"], f["activity_ids"]) for f in out["files"]] == [("imported", []), ("skipped", [])]


# --------------------------------------------------------------------------- an activity's RR intervals


def test_rmssd_of_successive_kept_intervals():
    messages = [
        (800, 810, None, None, None),  # 810-800; the trailing invalid slots are the array's filling, not beats
        (790, 250, 805),  # 790-810 (adjacent across messages); 250 ms is out of range: dropped, no 805-790
        (None, 800, 812),  # an invalid marker before a beat is a lost beat: dropped, no 800-805; 812-800
        (2100,),  # out of range
        (820,),  # no 820-812: 2100 was between them
        (1640, 815, 818),  # a missed beat (twice 820: more than 20 % off) is dropped; 818-815
    ]
    kept, dropped, rmssd = rr_summary(messages)
    assert (kept, dropped) == (9, 4)
    assert rmssd == pytest.approx(math.sqrt((10**2 + 20**2 + 12**2 + 3**2) / 4))  # 12.78 ms
    assert rr_summary([(RR_MIN_MS,), (None,)]) == (1, 0, None)  # one beat: no difference
    assert rr_summary([(RR_MAX_MS,)]) == (1, 0, None)  # the range's ends are kept
    change = int(1000 * RR_MAX_CHANGE)  # 200 ms off 1000 ms is kept, 201 ms is not
    assert rr_summary([(1000, 1000 + change, 1000)]) == (3, 0, change)
    assert rr_summary([(1000, 1000 + change + 1, 1000)]) == (2, 1, None)


def test_rr_intervals_belong_to_the_leg_of_the_record_before_them():
    t0 = dt.datetime(2026, 3, 14, 8, tzinfo=dt.UTC)
    leg1 = t0 + dt.timedelta(hours=1)

    def us(when: dt.datetime) -> int:
        return int(when.timestamp()) * 1_000_000

    decoded = DecodedFile("tri.fit", "activity", rr_intervals=[
        (None, (600, 610)),  # before the first record: the first leg
        (us(t0 + dt.timedelta(minutes=59)), (620,)),
        (us(leg1), (700, 730)),  # the record at the second leg's start: the second leg (no 700-620)
        (us(leg1 + dt.timedelta(seconds=1)), (720,)),
    ])
    activities = pl.DataFrame(
        {"activity_id": ["a-0", "a-1", "a-2"], "leg": [0, 1, 2], "start_utc": [t0, leg1, leg1 + dt.timedelta(hours=1)]},
        schema={"activity_id": pl.String, "leg": pl.Int16, "start_utc": schema.UTC},
    )
    rows = activity_hrv_rows(decoded, activities)
    assert rows.schema == pl.Schema(schema.ACTIVITY_HRV)
    assert rows.rows() == [("a-0", 3, 0, 10.0), ("a-1", 3, 0, pytest.approx(math.sqrt((30**2 + 10**2) / 2)))]


def _run_with_rr(rr_ms: list, device: fitwrite.Device | None = None) -> bytes:
    n = len(rr_ms)
    rec = fitwrite.Recording(
        time_unix_s=unix(2026, 3, 14, 8, 0) + np.arange(n), distance_m=np.arange(n) * 3.0, speed_mps=np.full(n, 3.0),
        energy_kcal=np.arange(n) * 0.2, sport="running", sub_sport="generic", utc_offset_end_s=0,
        hr_bpm=np.full(n, 75.0), rr_ms=rr_ms,
    )
    return fitwrite.encode(rec, device or fitwrite.Device())


def test_a_run_with_hrv_messages_stores_its_rmssd(store, tmp_path):
    rr = [(800, 810), (790, 250, 805), None, (None, 800, 812), (2100,), (820,), (1640, 815, 818)]  # as above
    data = _run_with_rr(rr)
    decoded = assert_both_decoders_agree(data, "run.fit")
    assert [values for _, values in decoded.rr_intervals][1] == (790, 250, 805, None, None)  # five slots
    times = [t for t, _ in decoded.rr_intervals]
    start_us = unix(2026, 3, 14, 8, 0) * 1_000_000
    assert times == [start_us + s * 1_000_000 for s in (0, 1, 3, 4, 5, 6)]  # the record before each
    (result,) = import_paths(store, [write(tmp_path, "run.fit", data)], "mara").results
    assert result.outcome == "imported" and result.detail.startswith("running")
    hrv = store.read("activity_hrv", "mara")
    assert hrv.rows() == [(result.activity_ids[0], 9, 4, pytest.approx(math.sqrt(653 / 4)))]
    assert store.read_all("mara", ("activity_hrv",))["activity_hrv"].equals(hrv)


def test_hrv_arrays_of_one_value_read_the_same_both_ways(store, tmp_path):
    # as IpBike writes them: as many slots as beats; fitparse gives a one-value array as a number, and an
    # invalid one as no value at all (the fast path reads the intervals itself and must agree)
    rr = [(800,), (None,), (810, 805), (None, None), (790,), (None, 800)]
    data = _run_with_rr(rr, fitwrite.Device(hrv_slots=None))
    decoded = assert_both_decoders_agree(data, "ipbike.fit")
    assert [values for _, values in decoded.rr_intervals] == [(800,), (), (810, 805), (None, None), (790,), (None, 800)]
    (result,) = import_paths(store, [write(tmp_path, "ipbike.fit", data)], "mara").results
    # 800 810 805 790 | lost beat | 800: differences 10, -5, -15
    assert store.read("activity_hrv", "mara").rows() == [
        (result.activity_ids[0], 5, 1, pytest.approx(math.sqrt((100 + 25 + 225) / 3)))]


def test_a_run_without_hrv_messages_has_no_rmssd(store, tmp_path):
    import_paths(store, [write(tmp_path, "run.fit", _run_with_rr([None] * 4))], "mara")
    assert store.read("activity_hrv", "mara").is_empty()


def _corpus_hrv_files() -> list[str]:
    if not corpus_available():
        return ["(corpus absent)"]
    return [row["file"] for row in manifest() if "hrv" in row["file"].lower()]


def hand_rmssd(path) -> tuple[int, int, float]:
    """(kept, dropped, rMSSD ms) read with fitparse alone: each hrv message's ``time`` values (s) up to its
    last valid one; invalid ones, ms outside 300..2000 and jumps of over 20 % from the kept one before dropped;
    differences of neighbours both kept."""
    stream: list[int | None] = []  # None: a dropped interval (a break)
    for message in fitparse.FitFile(str(path)).get_messages("hrv"):
        times = message.get_value("time")
        times = list(times) if isinstance(times, tuple) else [times]
        while times and times[-1] is None:
            times.pop()
        ms = [None if t is None else round(t * 1000) for t in times]
        stream += [None if v is None or not 300 <= v <= 2000 else v for v in ms]
    for i in range(1, len(stream)):
        if stream[i] is not None and stream[i - 1] is not None and abs(stream[i] - stream[i - 1]) > 0.2 * stream[i - 1]:
            stream[i] = None
    values = np.array([np.nan if v is None else v for v in stream])
    diffs = np.diff(values)
    diffs = diffs[~np.isnan(diffs)]
    return int((~np.isnan(values)).sum()), int(np.isnan(values).sum()), float(np.sqrt(np.mean(diffs**2)))


@requires_corpus
@pytest.mark.parametrize("name", _corpus_hrv_files())
def test_a_corpus_run_with_hrv_messages_gets_the_rmssd_of_its_rr_intervals(store, copy_corpus, name):
    (path,) = copy_corpus(name)
    kept, dropped, rmssd = hand_rmssd(corpus_file(name))
    assert kept > 1000 and 1 < rmssd < 20  # ms: a run's, not a night's
    assert_both_decoders_agree(path.read_bytes(), name)
    (result,) = import_paths(store, [path], "mara").results
    assert result.outcome == "imported"
    hrv = store.read("activity_hrv", "mara")
    assert hrv.rows() == [(result.activity_ids[0], kept, dropped, pytest.approx(rmssd, rel=1e-12))]


def test_damaged_wellness_and_rr_files_decode_and_store_or_fail_in_one_line():
    """The fuzzer's mutations of the files above: each decodes and gives its rows (fuzz.check_decode builds
    the wellness or activity_hrv rows the importer would), or fails with a one-line reason."""
    from trainlog_dev import fuzz

    start = unix(2026, 3, 14, 22, 50)
    bases = [
        ("sleep.fit", fitwrite.encode_sleep(night_levels(start))),
        ("hrv.fit", fitwrite.encode_hrv_status(start + 8 * 3600, 52.5, values=[(start + 300 * i, 50.0) for i in range(12)])),
        ("monitor.fit", fitwrite.encode_monitoring(start, 3600, [(start + 60 * i, 50) for i in range(30)], 49, 47, start)),
        ("run.fit", _run_with_rr([(800, 810, 805)] * 30)),
    ]
    bugs = []
    for i in range(200):
        name, data, ops = fuzz.make_input(i, 16, bases)
        outcome, detail = fuzz.check_decode(data, name, time_limit_s=20)
        if outcome not in fuzz.OK_OUTCOMES:
            bugs.append(f"input {i} ({ops}): {outcome} {detail}")
    assert not bugs, "\n".join(bugs)


def test_a_damaged_sleep_file_keeps_the_night_before_the_damage(store, tmp_path):
    levels = night_levels(unix(2026, 3, 14, 22, 50))
    data = fitwrite.encode_sleep(levels)
    cut = data[: len(data) - 2 - 3 * 6]  # the last three messages (header, timestamp, level: 6 bytes) and the CRC
    decoded = decode(cut, "cut.fit")
    assert decoded.partial and len(decoded.wellness.sleep_levels) == len(levels) - 3
    (result,) = import_paths(store, [write(tmp_path, "cut.fit", cut)], "mara").results
    assert result.outcome == "imported"
    assert result.detail.startswith("wellness: 1 night of sleep (5.3 h); partial: truncated at byte")
    # the stretches NIGHT[-3:] (rem 45, light 60, awake 10 minutes) are lost
    assert store.read("wellness", "mara")["sleep_h"].to_list() == pytest.approx([(425 - 45 - 60) / 60])


def test_a_watch_value_outside_the_typed_range_is_left_out(store, tmp_path):
    # 400 ms is no rMSSD of a sleeping adult (the wellness field's range is 5-300 ms, as when typed): not stored
    written = unix(2026, 3, 15, 7, 5)
    data = fitwrite.encode_hrv_status(written, last_night_ms=400.0, weekly_ms=58.0, values=[])
    (result,) = import_paths(store, [write(tmp_path, "odd_HRV_STATUS.fit", data)], "mara").results
    assert result.outcome == "skipped" and store.read("wellness", "mara").is_empty()
