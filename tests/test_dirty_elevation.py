"""Dirty altitude streams as real watches write them (issue 11, cases 1 and 2), end to end.

Each case is a FIT file written with the project's encoder (trainlog_dev.fitwrite)
the way that device writes it, including the session total the device itself
computed, imported through ``import_paths`` and analysed as the CLI and the
dashboard do (``stored_analysis``). Each dirty file is compared with the same
recording without the fault, imported as another athlete.

The tracks are made of ramps and flat stretches (tops and bottoms flat for
longer than the 10 s smoothing window), so the ascent they climb is worked out
by hand: the computed ascent of a clean track is exact.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from trainlog import Store, import_paths
from trainlog.analysis.stored import stored_analysis
from trainlog.settings import ModelSettings

MODEL = ModelSettings()
START = dt.datetime(2026, 3, 2, 7, 30, tzinfo=dt.UTC)
GLITCH_M = 12_600.0  # the barometer's glitch: the top of the FIT 'altitude' field (uint16 / 5 - 500 = 12,607 m)
NO_FIX_M = -500.0  # some devices' "no fix" placeholder (the FIT altitude field's zero)


def profile(points: list[tuple[int, float]]) -> np.ndarray:
    """Altitude (m) at 1 Hz, straight lines between (second, metres) points."""
    seconds, metres = zip(*points)
    return np.interp(np.arange(seconds[-1] + 1), seconds, metres)


# a 33-minute ride over two hills: up 150 m, down 100 m, up 150 m, down 200 m, flat tops and bottoms:
# ascent 300 m, descent 300 m
RIDE = profile([(0, 200), (120, 200), (480, 350), (600, 350), (840, 250), (960, 250), (1320, 400), (1440, 400),
                (1860, 200), (1979, 200)])
RIDE_ASCENT_M = 300.0
# a flat 45-minute run: 20 m +- 4 m, five gentle 8 m rolls (bottom at the start and end)
RUN_S = 2700
RUN = 20.0 - 4.0 * np.cos(np.arange(RUN_S) * 2 * np.pi / 540)
RUN_ASCENT_M = 40.0  # five rises of 8 m (less the 10 s smoothing's 0.05 %)


def fit_bytes(altitude, sport: str, speed_mps: float, device_ascent_m=None, serial=3_400_000_001,
              altitude_field: str = "enhanced_altitude") -> bytes:
    """One activity at 1 Hz with ``altitude`` (m) as ``altitude_field``; the session's total_ascent is the
    device's own (its filter over what it wrote) unless ``device_ascent_m`` says what it wrote."""
    pytest.importorskip("garmin_fit_sdk", reason="the dev dependency garmin-fit-sdk writes the test files")
    from trainlog_dev.fitwrite import Device, Recording, encode

    n = len(altitude)
    rec = Recording(
        time_unix_s=int(START.timestamp()) + np.arange(n),
        distance_m=np.arange(n) * speed_mps,
        speed_mps=np.full(n, speed_mps),
        energy_kcal=np.arange(n) * 0.15,
        sport=sport,
        sub_sport="road" if sport == "cycling" else "generic",
        utc_offset_end_s=3600,
        altitude_m=np.asarray(altitude, dtype=float),
        hr_bpm=np.full(n, 140),
        device_ascent_m=device_ascent_m,
    )
    return encode(rec, Device(serial_number=serial, altitude_field=altitude_field))


@pytest.fixture(scope="module")
def analysed(tmp_path_factory):
    """Import each file as its own athlete; athlete -> its one row of per-activity metrics."""
    root = tmp_path_factory.mktemp("dirty-elevation")
    store = Store(root / "data")
    files = _files()
    rows = {}
    for athlete, content in files.items():
        path = root / "fit" / f"{athlete}.fit"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        report = import_paths(store, [path], athlete)
        assert report.ok, report.results
        per_activity = stored_analysis(store, athlete).per_activity
        assert per_activity.height == 1, athlete
        rows[athlete] = per_activity.row(0, named=True)
    return rows


def _files() -> dict[str, bytes]:
    # case 1: the barometer glitches to 12,600 m four times for a few seconds (on the climbs, on a top,
    # on a descent), and a GPS-altitude fix jumps to 4,100 m for two seconds on a flat stretch; the
    # device's own total counts every glitch
    spiky = RIDE.copy()
    for start, seconds in ((300, 3), (540, 4), (1100, 2), (1600, 3)):
        spiky[start:start + seconds] = GLITCH_M
    spiky[900:902] = 4100.0
    # case 2: one "no fix" -500 m sample in the middle of a rise of a flat run; the device said 0 m
    no_fix = RUN.copy()
    no_fix[1500] = NO_FIX_M
    # a barometer recalibrated by +60 m at 860 s of the ride (a flat bottom), kept to the end
    recalibrated = RIDE.copy()
    recalibrated[860:] += 60.0
    # a GPS altitude that starts 700 m off for its first second
    bad_start = RIDE.copy()
    bad_start[0] = 900.0
    return {
        "ride-clean": fit_bytes(RIDE, "cycling", 8.0, altitude_field="altitude"),
        "ride-spikes": fit_bytes(spiky, "cycling", 8.0, altitude_field="altitude"),
        "run-clean": fit_bytes(RUN, "running", 3.0, device_ascent_m=0.0),
        "run-no-fix": fit_bytes(no_fix, "running", 3.0, device_ascent_m=0.0),
        "ride-recalibrated": fit_bytes(recalibrated, "cycling", 8.0),
        "ride-bad-start": fit_bytes(bad_start, "cycling", 8.0),
    }


def test_the_clean_tracks_climb_what_was_worked_out_by_hand(analysed):
    ride, run = analysed["ride-clean"], analysed["run-clean"]
    assert ride["ascent_computed_m"] == pytest.approx(RIDE_ASCENT_M, abs=0.01)
    assert ride["ascent_device_m"] == pytest.approx(RIDE_ASCENT_M, abs=0.5)  # the simulated watch's filter
    assert (ride["ascent_source"], ride["ascent_flag"], ride["altitude_spikes"]) == ("device", None, 0)
    assert run["ascent_computed_m"] == pytest.approx(RUN_ASCENT_M, abs=0.1)
    # the device said 0 m: inside the band (|0 - 40| <= 0.5 x 40 + 50), so it is used
    assert (run["ascent_m"], run["ascent_source"], run["ascent_flag"]) == (0.0, "device", None)
    assert ride["goal_counted"] is False and run["goal_counted"] is True  # cycling is not a goal sport


def test_a_glitching_barometer_no_longer_poisons_the_ascent(analysed):
    clean, spiky = analysed["ride-clean"], analysed["ride-spikes"]
    # the device's own total counts the glitches: four times ~12,300 m up, and 3,850 m
    assert spiky["ascent_device_m"] > 50_000
    # the 12,600 m readings are invalid (above 9,000 m), the 4,100 m ones are spikes (3,850 m in one second)
    assert spiky["altitude_spikes"] == 2
    assert spiky["ascent_computed_m"] == pytest.approx(clean["ascent_computed_m"], rel=0.10)
    assert spiky["ascent_computed_m"] == pytest.approx(RIDE_ASCENT_M, abs=0.5)
    assert spiky["ascent_m"] == pytest.approx(clean["ascent_m"], rel=0.10)
    assert (spiky["ascent_source"], spiky["ascent_flag"]) == ("computed", "device_disagrees")
    assert spiky["descent_m"] == pytest.approx(RIDE_ASCENT_M, abs=0.5)
    # the grade (and so the grade-adjusted distance) never sees a glitch either
    assert spiky["grade_pct"] == pytest.approx(clean["grade_pct"], abs=0.05)
    assert spiky["gad_m"] == pytest.approx(clean["gad_m"], rel=0.002)


def test_a_no_fix_sample_of_minus_500_m_is_not_a_climb(analysed):
    clean, no_fix = analysed["run-clean"], analysed["run-no-fix"]
    assert no_fix["ascent_computed_m"] == pytest.approx(clean["ascent_computed_m"], abs=5.0)
    assert no_fix["ascent_computed_m"] == pytest.approx(RUN_ASCENT_M, abs=0.5)
    assert no_fix["altitude_spikes"] == 0  # invalid, not a spike
    # the device's 0 m is within the band of ~40 m: used, not flagged, and the run counts for the goal
    assert (no_fix["ascent_m"], no_fix["ascent_source"], no_fix["ascent_flag"]) == (0.0, "device", None)
    assert no_fix["goal_counted"] is True


def test_a_recalibrated_barometer_costs_a_few_seconds_not_the_rest_of_the_run(analysed):
    row = analysed["ride-recalibrated"]
    # +60 m at 860 s takes 12 s at 5 m/s: the 11 samples after the step go, the rest of the ride stays
    assert row["altitude_spikes"] == 11
    # the step counts once, like any level change, interpolated over those 12 s: 300 + 60 m
    assert row["ascent_computed_m"] == pytest.approx(RIDE_ASCENT_M + 60.0, abs=0.01)
    assert row["ascent_flag"] is None


def test_a_spike_at_the_very_start_is_dropped_not_taken_as_the_reference(analysed):
    row, clean = analysed["ride-bad-start"], analysed["ride-clean"]
    assert row["altitude_spikes"] == 1
    assert row["ascent_computed_m"] == pytest.approx(clean["ascent_computed_m"], abs=0.01)
    assert row["descent_computed_m"] == pytest.approx(clean["descent_computed_m"], abs=0.01)
