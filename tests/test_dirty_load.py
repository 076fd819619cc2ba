"""Load by sport (issue 11, case 3; METRICS.md "Load when there is no heart rate, and by sport").

A one-hour ride at 30 km/h without heart rate used to get the running pace load:
IF = 8.333 / 3.7037 m/s = 2.25, load 100 x 2.25^2 = 506.25 (a hard hour of running
is about 100). Each file here is written the way its device writes it
(trainlog_dev.fitwrite: a bike computer's ride with a power stream and no heart
rate, a watch's run and swim without heart rate) and goes through import_paths
and the stored analysis.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from trainlog import Store, import_paths
from trainlog.analysis.stored import save_settings_of, stored_analysis
from trainlog.settings import AthleteSettings

ATHLETE = "me"
DAY = dt.datetime(2024, 6, 3, 7, tzinfo=dt.UTC)
RIDE_MPS = 30 / 3.6  # 30 km/h
THRESHOLD_MPS = 1000 / 270  # the default threshold pace, 4:30 /km
WATTS = 200.0
FTP_W = 250.0

EDGE_530 = {"manufacturer": "garmin", "product": 3121, "serial_number": 3_300_000_042, "software_version": 9.75}


def recording(start: dt.datetime, seconds: int, speed_mps: float, sport: str, sub_sport: str, **streams):
    """``seconds`` + 1 records at 1 Hz at a steady ``speed_mps`` along a flat straight line, no heart rate."""
    from trainlog_dev.fitwrite import Recording

    n = seconds + 1
    semicircles = 2**31 / 180
    return Recording(
        time_unix_s=int(start.timestamp()) + np.arange(n), distance_m=np.arange(n) * speed_mps,
        speed_mps=np.full(n, speed_mps), energy_kcal=np.arange(n) * 0.15, sport=sport, sub_sport=sub_sport,
        utc_offset_end_s=0, lat_semicircles=((45.0 + np.arange(n) * speed_mps * 9e-6) * semicircles).astype(np.int64),
        lon_semicircles=np.full(n, int(6.0 * semicircles), dtype=np.int64), altitude_m=np.full(n, 300.0),
        **streams,
    )


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """One athlete's store holding a ride with power, a ride without, a run and a swim (no heart rate in any)."""
    pytest.importorskip("garmin_fit_sdk", reason="the dev dependency garmin-fit-sdk writes the test files")
    from trainlog_dev.fitwrite import Device, encode

    root = tmp_path_factory.mktemp("dirty_load")
    bike, watch = Device(**EDGE_530), Device()
    hour = 3600
    files = {
        # a bike computer: cadence and a power meter, no heart-rate strap
        "ride_power.fit": encode(recording(DAY, hour, RIDE_MPS, "cycling", "road",
                                           cadence_rpm=np.full(hour + 1, 90), power_w=np.full(hour + 1, WATTS)), bike),
        "ride.fit": encode(recording(DAY + dt.timedelta(days=1), hour, RIDE_MPS, "cycling", "road",
                                     cadence_rpm=np.full(hour + 1, 90)), bike),
        "run.fit": encode(recording(DAY + dt.timedelta(days=2), hour, THRESHOLD_MPS, "running", "generic"), watch),
        "swim.fit": encode(recording(DAY + dt.timedelta(days=3), hour // 2, 1.0, "swimming", "open_water"), watch),
    }
    paths = []
    for name, content in files.items():
        (root / name).write_bytes(content)
        paths.append(root / name)
    data = Store(root / "data")
    report = import_paths(data, paths, ATHLETE)
    assert report.counts()["imported"] == len(files), [r.line() for r in report.results]
    return data


def by_start_day(per_activity):
    """{days after DAY: row} of the per-activity metrics."""
    return {(row["start_utc"] - DAY).days: row for row in per_activity.iter_rows(named=True)}


def test_a_ride_without_hr_gets_a_duration_load_not_a_running_pace_load(store):
    rows = by_start_day(stored_analysis(store, ATHLETE, AthleteSettings()).per_activity)
    for day in (0, 1):  # with and without a power meter: no FTP, so no power load
        ride = rows[day]
        assert ride["sport"] == "cycling"
        assert ride["moving_s"] == pytest.approx(3600.0)
        assert ride["hr_coverage"] == 0.0
        assert ride["load_source"] == "duration"
        assert ride["load"] == pytest.approx(50.0)  # 1 moving hour x 50 (was 506.25)
    # the power stream is measured all the same: a constant 200 W has NP 200 W
    assert rows[0]["power_coverage"] == pytest.approx(1.0)
    assert rows[0]["normalized_power_w"] == pytest.approx(WATTS)
    assert rows[1]["power_coverage"] == 0.0 and rows[1]["normalized_power_w"] is None


def test_with_ftp_set_a_ride_with_power_gets_the_power_load(store):
    save_settings_of(store, ATHLETE, AthleteSettings(ftp_w=FTP_W))
    try:
        rows = by_start_day(stored_analysis(store, ATHLETE).per_activity)
    finally:
        save_settings_of(store, ATHLETE, AthleteSettings())
    # constant 200 W for an hour: NP = 200 W, IF = 200 / 250 = 0.8, load = 100 x 1 h x 0.8^2 = 64
    assert rows[0]["load_source"] == "power"
    assert rows[0]["load"] == pytest.approx(100 * (WATTS / FTP_W) ** 2)
    assert rows[0]["load"] == pytest.approx(64.0)
    # without a power stream FTP changes nothing
    assert rows[1]["load_source"] == "duration" and rows[1]["load"] == pytest.approx(50.0)


def test_a_run_without_hr_keeps_its_pace_load(store):
    run = by_start_day(stored_analysis(store, ATHLETE, AthleteSettings()).per_activity)[2]
    assert run["sport"] == "running"
    # one flat hour at threshold pace: IF 1, 100 x 1 h x 1^2 (distances stored to the centimetre)
    assert run["load_source"] == "gap"
    assert run["load"] == pytest.approx(100.0, rel=1e-5)


def test_a_swim_without_hr_gets_a_duration_load(store):
    swim = by_start_day(stored_analysis(store, ATHLETE, AthleteSettings()).per_activity)[3]
    assert swim["sport"] == "swimming"
    # half an hour at 1 m/s: no pace model for swimming, 0.5 h x 50 = 25
    # (the running pace load would give 100 x 0.5 h x (1 / 3.7037)^2 = 3.645)
    assert swim["load_source"] == "duration"
    assert swim["load"] == pytest.approx(25.0)


def test_the_summary_counts_the_load_sources(store):
    from trainlog.analysis import pipeline as report

    analysis = stored_analysis(store, ATHLETE, AthleteSettings())
    got = report.summary_of_analysis(analysis, AthleteSettings(), dt.date(2024, 6, 9))
    assert got["load_sources"] == {"hr": 0, "power": 0, "gap": 1, "rpe": 0, "duration": 3}


def test_a_session_rpe_set_through_the_api_gives_the_rpe_load(store, tmp_path):
    # the athlete rates the ride without power (no HR, no FTP) and the swim; choices.set_rpe is
    # what the CLI and the dashboard call. A copy of the store: the other tests see no rating.
    import shutil

    from trainlog.store import choices

    rated = Store(shutil.copytree(store.data_dir, tmp_path / "data"))
    rows = by_start_day(stored_analysis(rated, ATHLETE, AthleteSettings()).per_activity)
    choices.set_rpe(rated, ATHLETE, rows[1]["activity_id"], 7.0)
    choices.set_rpe(rated, ATHLETE, rows[3]["activity_id"], 5.0)
    analysis = stored_analysis(rated, ATHLETE, AthleteSettings())
    rows = by_start_day(analysis.per_activity)
    # one moving hour at RPE 7: 7 x 60 x 100 / (7 x 60) = 100 (the duration load was 50)
    assert rows[1]["rpe"] == 7.0 and rows[1]["load_source"] == "rpe"
    assert rows[1]["load"] == pytest.approx(100.0)
    # 30 moving minutes at RPE 5: 5 x 30 x 100 / 420 = 35.714
    assert rows[3]["rpe"] == 5.0 and rows[3]["load_source"] == "rpe"
    assert rows[3]["load"] == pytest.approx(5 * 30 * 100 / 420)
    # and it is what the days book
    daily = analysis.daily.filter(analysis.daily["date"] == dt.date(2024, 6, 4))
    assert daily["load"].to_list() == pytest.approx([100.0])
