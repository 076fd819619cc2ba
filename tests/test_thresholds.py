"""Each run scored with the thresholds in force on its local start day (trainlog.analysis.thresholds), hand-worked:
a run before a dated change keeps exactly the load it had, a run after gets the load of the new values (heart
rates through TRIMP, threshold pace through the pace load, FTP through the power load); the local day decides."""

from __future__ import annotations

import datetime as dt
import math

import polars as pl
import pytest
from builders import SAMPLE_FIT, activities, concat, samples, utc
from polars.testing import assert_frame_equal

from trainlog import Store, import_paths
from trainlog.analysis import pipeline, thresholds
from trainlog.analysis.stored import metrics_of, save_settings_of, stored_analysis
from trainlog.days import MIN_DAY
from trainlog.settings import AthleteSettings

MAR1 = dt.date(2026, 3, 1)
#: hr_max 190, hr_rest 60, lthr 160, unknown sex (TRIMP a 0.75, b 1.80)
PLAIN = AthleteSettings(hr_max_bpm=190.0, hr_rest_bpm=60.0, lthr_bpm=160.0, timezone="UTC")


def trimp_hour(hr: float, rest: float, hr_max: float) -> float:
    """TRIMP of 60 min at a constant ``hr``: 60 x x x 0.75 x exp(1.8 x), x = (hr - rest) / (max - rest)."""
    x = (hr - rest) / (hr_max - rest)
    return 60 * x * 0.75 * math.exp(1.8 * x)


def hr_load_hour(hr: float, rest: float, hr_max: float, lthr: float) -> float:
    """Normalized HR load of an hour at ``hr``: 100 x TRIMP / TRIMP(60 min at lthr)."""
    return 100 * trimp_hour(hr, rest, hr_max) / trimp_hour(lthr, rest, hr_max)


# Closed forms of an hour at 150 bpm (x = 90 / 130 = 0.6923077, x e^(1.8 x) = 2.4071153; TRIMP = 45 x 2.4071153
# = 108.32019):
# - lthr 160: xl = 100 / 130 = 0.7692308, xl e^(1.8 xl) = 3.0717613, reference 138.22926 -> load 78.362707
# - lthr 170: xl = 110 / 130 = 0.8461538, xl e^(1.8 xl) = 3.8807283, reference 174.63277 -> load 62.027412
# - rest 50 (lthr 160): x = 100 / 140, xl = 110 / 140: 2.5837506 / 3.2320728 -> load 79.940977, TRIMP 116.26878
# - max 180 (rest 60, lthr 160): x = 90 / 120, xl = 100 / 120: 2.8930691 / 3.7347409 -> load 77.463718
OLD_LOAD = 78.36270650651085
NEW_LTHR_LOAD = 62.02741182854103
NEW_REST_LOAD = 79.94097721884602
NEW_MAX_LOAD = 77.46371787825521


def test_the_closed_forms():
    assert hr_load_hour(150, 60, 190, 160) == pytest.approx(OLD_LOAD, rel=1e-12)
    assert hr_load_hour(150, 60, 190, 170) == pytest.approx(NEW_LTHR_LOAD, rel=1e-12)
    assert hr_load_hour(150, 50, 190, 160) == pytest.approx(NEW_REST_LOAD, rel=1e-12)
    assert hr_load_hour(150, 60, 180, 160) == pytest.approx(NEW_MAX_LOAD, rel=1e-12)


def hour_at(aid: str, start: dt.datetime, hr: float | None = 150.0, speed: float = 3.0):
    """An hour of samples every 10 s (360 x 10 s of moving credit) at a constant ``hr`` and ``speed`` (m/s), on the
    flat with a distance stream."""
    n = 361
    return samples(aid, start, step_s=10, n=n, speed_mps=[speed] * n, distance_m=[speed * 10 * i for i in range(n)],
                   hr_bpm=None if hr is None else [hr] * n)


def per_activity(acts: pl.DataFrame, frame: pl.DataFrame, settings: AthleteSettings) -> dict[str, dict]:
    per = pipeline.activity_metrics(acts, frame, settings)
    return {r["activity_id"]: r for r in per.iter_rows(named=True)}


BEFORE, AFTER = utc(2026, 2, 28, 8), utc(2026, 3, 2, 8)
TWO = activities({"activity_id": "before", "start_utc": BEFORE}, {"activity_id": "after", "start_utc": AFTER})
TWO_HOURS = concat(hour_at("before", BEFORE), hour_at("after", AFTER))


@pytest.mark.parametrize(
    ("change", "new_load"),
    [({"lthr_bpm": 170.0}, NEW_LTHR_LOAD), ({"hr_rest_bpm": 50.0}, NEW_REST_LOAD), ({"hr_max_bpm": 180.0}, NEW_MAX_LOAD)],
)
def test_a_heart_rate_change_rescores_the_runs_from_its_day_only(change, new_load):
    plain = per_activity(TWO, TWO_HOURS, PLAIN)
    assert plain["before"]["load_source"] == plain["after"]["load_source"] == "hr"
    assert plain["before"]["moving_s"] == pytest.approx(3600.0)
    assert plain["before"]["load"] == pytest.approx(OLD_LOAD, rel=1e-9)
    assert plain["after"]["load"] == pytest.approx(OLD_LOAD, rel=1e-9)
    dated = per_activity(TWO, TWO_HOURS, PLAIN.with_change(MAR1, change))
    # the run before keeps exactly the load it had with no change
    assert dated["before"]["load"] == pytest.approx(plain["before"]["load"], rel=1e-12)
    assert dated["before"]["trimp"] == pytest.approx(plain["before"]["trimp"], rel=1e-12)
    # the run after: the new values, by hand
    assert dated["after"]["load"] == pytest.approx(new_load, rel=1e-9)
    assert dated["after"]["hr_load"] == dated["after"]["load"]
    rest = change.get("hr_rest_bpm", 60.0)
    assert dated["after"]["trimp"] == pytest.approx(trimp_hour(150, rest, change.get("hr_max_bpm", 190.0)), rel=1e-9)


def test_the_day_of_the_change_uses_the_new_values_and_the_day_before_the_old():
    starts = {"eve": utc(2026, 2, 28, 23, 59), "day": utc(2026, 3, 1, 0, 0), "later": utc(2027, 6, 1, 12)}
    acts = activities(*({"activity_id": k, "start_utc": v} for k, v in starts.items()))
    frame = concat(*(hour_at(k, v) for k, v in starts.items()))
    got = per_activity(acts, frame, PLAIN.with_change(MAR1, {"lthr_bpm": 170.0}))
    assert got["eve"]["load"] == pytest.approx(OLD_LOAD, rel=1e-9)
    assert got["day"]["load"] == pytest.approx(NEW_LTHR_LOAD, rel=1e-9)
    assert got["later"]["load"] == pytest.approx(NEW_LTHR_LOAD, rel=1e-9)


def test_the_local_day_decides():
    # ny: 23:30 on 28 February in New York (UTC-5) is 04:30 UTC on 1 March: the day before the change, old values
    # paris: 00:30 on 1 March in Paris (UTC+1) is 23:30 UTC on 28 February: the day of the change, new values
    ny, paris = utc(2026, 3, 1, 4, 30), utc(2026, 2, 28, 23, 30)
    acts = activities({"activity_id": "ny", "start_utc": ny, "utc_offset_s": -18000},
                      {"activity_id": "paris", "start_utc": paris, "utc_offset_s": 3600})
    frame = concat(hour_at("ny", ny), hour_at("paris", paris))
    got = per_activity(acts, frame, PLAIN.with_change(MAR1, {"lthr_bpm": 170.0}))
    assert got["ny"]["start_date"] == dt.date(2026, 2, 28) and got["paris"]["start_date"] == MAR1
    assert got["ny"]["load"] == pytest.approx(OLD_LOAD, rel=1e-9)
    assert got["paris"]["load"] == pytest.approx(NEW_LTHR_LOAD, rel=1e-9)
    # without an offset of its own the athlete's time zone places the run
    bare = activities({"activity_id": "ny", "start_utc": ny, "utc_offset_s": None})
    new_york = AthleteSettings(hr_max_bpm=190.0, hr_rest_bpm=60.0, lthr_bpm=160.0, timezone="America/New_York")
    assert per_activity(bare, hour_at("ny", ny), new_york.with_change(MAR1, {"lthr_bpm": 170.0}))["ny"]["load"] == \
        pytest.approx(OLD_LOAD, rel=1e-9)
    in_utc = per_activity(bare, hour_at("ny", ny), PLAIN.with_change(MAR1, {"lthr_bpm": 170.0}))
    assert in_utc["ny"]["load"] == pytest.approx(NEW_LTHR_LOAD, rel=1e-9)


def test_a_threshold_pace_change():
    # no heart rate, an hour on the flat at 1000 / 270 m/s (4:30 /km): the pace load 100 x 1 h x IF^2
    # before (threshold 4:30): IF = 1 -> 100; after (4:10 = 250 s/km, 4 m/s): IF = 3.7037 / 4 = 0.925926 -> 85.733882
    speed = 1000 / 270
    frame = concat(hour_at("before", BEFORE, hr=None, speed=speed), hour_at("after", AFTER, hr=None, speed=speed))
    plain = per_activity(TWO, frame, PLAIN)
    dated = per_activity(TWO, frame, PLAIN.with_change(MAR1, {"threshold_pace_s_per_km": 250.0}))
    assert plain["after"]["load_source"] == dated["after"]["load_source"] == "gap"
    assert plain["before"]["load"] == pytest.approx(100.0, rel=1e-9)
    assert dated["before"]["load"] == pytest.approx(plain["before"]["load"], rel=1e-12)
    assert dated["after"]["load"] == pytest.approx(100 * (speed / 4) ** 2, rel=1e-9)
    assert dated["after"]["load"] == pytest.approx(85.73388203017834, rel=1e-9)
    # a pace change leaves a heart-rate load as it was
    hr_runs = per_activity(TWO, TWO_HOURS, PLAIN.with_change(MAR1, {"threshold_pace_s_per_km": 250.0}))
    assert hr_runs["after"]["load"] == pytest.approx(OLD_LOAD, rel=1e-9)


def ride(aid: str, start: dt.datetime, watts: float = 200.0) -> pl.DataFrame:
    frame = hour_at(aid, start, hr=None, speed=30 / 3.6)
    return frame.with_columns(power_w=pl.lit(watts, pl.Float64))


def test_an_ftp_change():
    # an hour at a constant 200 W: NP 200 W, power load 100 x 1 h x (NP / FTP)^2
    # before (FTP 250): (200 / 250)^2 x 100 = 64; after (FTP 200): 100
    acts = TWO.with_columns(sport=pl.lit("cycling"))
    frame = concat(ride("before", BEFORE), ride("after", AFTER))
    rider = AthleteSettings(ftp_w=250.0, timezone="UTC")
    plain = per_activity(acts, frame, rider)
    dated = per_activity(acts, frame, rider.with_change(MAR1, {"ftp_w": 200.0}))
    assert plain["before"]["load_source"] == "power" and plain["before"]["load"] == pytest.approx(64.0, rel=1e-9)
    assert dated["before"]["load"] == pytest.approx(plain["before"]["load"], rel=1e-12)
    assert dated["after"]["load_source"] == "power" and dated["after"]["load"] == pytest.approx(100.0, rel=1e-9)
    # no FTP before the first test: a duration load (1 h x 50), then the power load from the test's day
    first_test = per_activity(acts, frame, AthleteSettings(timezone="UTC").with_change(MAR1, {"ftp_w": 250.0}))
    assert first_test["before"]["load_source"] == "duration" and first_test["before"]["load"] == pytest.approx(50.0)
    assert first_test["after"]["load_source"] == "power" and first_test["after"]["load"] == pytest.approx(64.0)


def test_by_activity_and_periods():
    assert thresholds.by_activity(TWO, PLAIN)["thr_lthr_bpm"].to_list() == [160.0, 160.0]  # no dated change
    dated = PLAIN.with_change(MAR1, {"lthr_bpm": 170.0, "ftp_w": 250.0})
    got = thresholds.by_activity(TWO, dated).sort("activity_id")
    assert got.columns == ["activity_id", *thresholds.COLUMNS]
    assert got["activity_id"].to_list() == ["after", "before"]
    assert got["thr_lthr_bpm"].to_list() == [170.0, 160.0]
    assert got["thr_hr_max_bpm"].to_list() == [190.0, 190.0] and got["thr_hr_rest_bpm"].to_list() == [60.0, 60.0]
    assert got["thr_ftp_w"].to_list() == [250.0, None]
    assert got["thr_threshold_pace_s_per_km"].to_list() == [270.0, 270.0]  # the default 4:30 /km
    # TRIMP(60 min at lthr): 45 x 3.8807283 = 174.63277 and 45 x 3.0717613 = 138.22926
    assert got["thr_trimp_reference"].to_list() == pytest.approx(
        [trimp_hour(170, 60, 190), trimp_hour(160, 60, 190)], rel=1e-12)
    periods = thresholds.periods(dated)
    assert periods["from_date"].to_list() == [MIN_DAY, MAR1]
    assert periods["thr_lthr_bpm"].to_list() == [160.0, 170.0]


def test_an_activity_without_a_start_takes_the_first_values():
    acts = activities({"activity_id": "x", "start_utc": None})
    got = thresholds.by_activity(acts, PLAIN.with_change(MAR1, {"lthr_bpm": 170.0}))
    assert got["thr_lthr_bpm"].to_list() == [160.0]


def test_the_daily_series_books_each_runs_own_load():
    result = pipeline.analyse(TWO, TWO_HOURS, PLAIN.with_change(MAR1, {"lthr_bpm": 170.0}))
    loads = dict(zip(result.daily["date"].to_list(), result.daily["load"].to_list()))
    assert loads[dt.date(2026, 2, 28)] == pytest.approx(OLD_LOAD, rel=1e-9)
    assert loads[MAR1] == 0.0
    assert loads[dt.date(2026, 3, 2)] == pytest.approx(NEW_LTHR_LOAD, rel=1e-9)


def test_a_dated_change_in_the_saved_settings_rescores_only_the_later_runs(tmp_path):
    files = [SAMPLE_FIT / "mara" / name for name in (
        "2026-03-03_0546_running.fit", "2026-03-05_0542_running.fit", "2026-03-09_0544_running.fit")]
    store = Store(tmp_path / "data")
    assert import_paths(store, files, "mara", workers=1).ok
    before = metrics_of(store, "mara").sort("start_utc")
    assert before["load_source"].to_list() == ["hr"] * 3
    # defaults: max 190, rest 60, lthr 0.88 x 190 = 167.2; from 2026-03-04 lthr 175. TRIMP does not depend on lthr,
    # so a later run's load is scaled by reference(167.2) / reference(175):
    # 45 x 0.8246154 x e^(1.8 x 0.8246154) = 45 x 3.6381288 = 163.71580 over
    # 45 x 0.8846154 x e^(1.8 x 0.8846154) = 45 x 4.3479539 = 195.65793: 0.836745
    save_settings_of(store, "mara", AthleteSettings().with_change(dt.date(2026, 3, 4), {"lthr_bpm": 175.0}))
    after = metrics_of(store, "mara").sort("start_utc")
    ratio = trimp_hour(167.2, 60, 190) / trimp_hour(175, 60, 190)
    assert ratio == pytest.approx(0.836745, rel=1e-5)
    assert after["load"][0] == pytest.approx(before["load"][0], rel=1e-12)
    assert after["load"][1:].to_list() == pytest.approx((before["load"][1:] * ratio).to_list(), rel=1e-9)
    assert after["trimp"].to_list() == pytest.approx(before["trimp"].to_list(), rel=1e-12)


def test_the_kept_analysis_after_a_threshold_change_is_the_analysis_from_scratch(tmp_path):
    files = sorted((SAMPLE_FIT / "mara").glob("2026-03-0*.fit"))
    store = Store(tmp_path / "data")
    assert import_paths(store, files, "mara", workers=1).ok
    metrics_of(store, "mara")  # an analysis kept on disk with the plain values
    for settings in (AthleteSettings().with_change(dt.date(2026, 3, 4), {"lthr_bpm": 175.0}),
                     AthleteSettings().with_change(dt.date(2026, 3, 4), {"lthr_bpm": 175.0, "hr_rest_bpm": 50.0}),
                     AthleteSettings(hr_max_bpm=185.0).with_change(dt.date(2026, 3, 6), {"ftp_w": 250.0}),
                     AthleteSettings()):  # and back to no dated change
        save_settings_of(store, "mara", settings)
        kept = stored_analysis(store, "mara")
        t = store.read_all("mara")
        fresh = pipeline.analyse(t["activities"], t["samples"], settings, choices=t["choices"], ratings=t["ratings"])
        for name in ("per_activity", "days", "daily", "weekly"):
            ours, theirs = getattr(kept, name), getattr(fresh, name)
            order = ["activity_id"] if name == "per_activity" else [c for c in ("date", "week_start", "activity_id",
                                                                                "sport") if c in ours.columns]
            assert_frame_equal(ours.sort(order), theirs.sort(order), check_exact=False, rel_tol=1e-9)
