"""Generate the sample training history in ``sample_fit/`` (synthetic, with known truth).

Two athletes, about 26 weeks each, written as FIT activity files with Garmin's
FIT SDK encoder (``garmin-fit-sdk``, a dependency of trainlog) plus
``index.csv``, which holds what the generator knows as truth for every file:

- ``mara``: a woman preparing the Barkley Marathons (base, build with
  back-to-back weekends and steep powerline repeats, recovery weeks, an illness
  gap, a taper, and the 5-loop race as one multi-day file).
- ``tom``: a man preparing a 100-mile mountain race in the Alps with strict
  3:1 blocks, intervals, vertical-km hikes and a 50 km tune-up race.

Edge files live in their folders: a treadmill run (no GPS, no altitude), a run
without heart rate, a hike, a bike ride, a run that crosses a time-zone
boundary, and a Strava re-export of an earlier run (a duplicate).

Everything comes from one seed through ``numpy.random.default_rng``; the same
seed gives byte-identical files. Run ``python -m trainlog_dev.sampledata --out
sample_fit``.

Streams are simulated from a noise-free course: speed from a metabolic power
target and the grade (Minetti et al. 2002 costs of running and walking),
walking above the athlete's walk grade, heart rate following effort with a
lag, cardiac drift and day-to-day fatigue, pauses with the timer stopped,
smart recording (1-5 s), and a barometric altitude with offset, drift, noise
and 0.2 m quantisation. ``true_*`` columns are of the noise-free course
(distances horizontal); the session totals are what the simulated watch
computed from its own streams.
"""

from __future__ import annotations

import argparse
import csv
import math
import pathlib
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from trainlog.settings import ModelSettings
from trainlog_dev import course as _course
from trainlog_dev import samplewellness
from trainlog_dev.course import Route
from trainlog_dev.fitwrite import Device, Recording, device_ascent_descent, encode

DEFAULT_SEED = 20260313
DEFAULT_OUT = pathlib.Path("sample_fit")

INDEX_COLUMNS = [
    "file", "athlete", "sport", "sub_sport", "start_utc", "start_local", "utc_offset_s",
    "elapsed_s", "timer_s", "n_records", "true_distance_m", "true_ascent_m", "true_descent_m",
    "device_distance_m", "device_ascent_m", "device_descent_m",
    "has_hr", "has_gps", "has_altitude", "duplicate_of", "tags", "description",
]

# --- physiology and device constants --------------------------------------------------
WALK_SPEED_MAX_MPS = 1.9  # above this a walker would break into a run
HIKE_SPEED_MAX_MPS = 1.45  # a hiking pace, not a race walk
HR_TAU_RISE_S = 35.0  # first-order lag of heart rate behind effort
HR_TAU_FALL_S = 55.0
HR_FLOOR_FRACTION = 0.2  # heart-rate reserve fraction at zero external work
CARDIAC_DRIFT_BPM = 9.0  # reached after a few hours at steady effort ...
CARDIAC_DRIFT_TAU_H = 2.0
HR_SUPPRESSION_BPM_PER_H = 0.25  # ... while very long efforts slowly pull heart rate down
FADE_PER_H = 0.004  # speed lost per hour of moving time on very long efforts
NIGHT_SPEED_FACTOR = 0.88  # headlamp hours (20:00-06:00 local)
BARO_NOISE_M = 0.2  # white noise left after the altimeter's own filtering
BARO_OFFSET_SD_M = 8.0  # calibration error at the start
BARO_DRIFT_SD_M_PER_H = 0.5  # weather: pressure changes read as altitude
BARO_SWELL_M = 1.5  # slow pressure swell (amplitude, m) ...
BARO_SWELL_PERIOD_H = (6.0, 18.0)  # ... over hours, as weather moves; not minutes
BARO_QUANTUM_M = 0.2  # resolution of FIT (enhanced_)altitude
GPS_NOISE_M = 2.0  # AR(1) horizontal position error
DISTANCE_ERROR_SD = 0.003  # relative error of the watch's distance
DISTANCE_ERROR_MAX = 0.008
SKIN_OFFSET_C = 5.0  # a wrist sensor reads warmer than the air
INDOOR_TEMP_C = 24.0
PAUSES_PER_H = 0.5  # water, gates, photos, Barkley book pages
AUTO_LAP_M = 1_000.0
BIKE_AUTO_LAP_M = 5_000.0
LAPSE_RATE_C_PER_M = 0.0065
CYCLING_CDA_M2 = 0.32
CYCLING_CRR = 0.005
AIR_DENSITY_KG_M3 = 1.15
CYCLING_EFFICIENCY = 0.23  # mechanical / metabolic power
BIKE_MASS_KG = 9.0
BIKE_SPEED_MAX_MPS = 16.0  # braking on descents
COASTING_GRADE = -0.03  # below this the rider stops pedalling
GRAVITY_MPS2 = 9.81
J_PER_KCAL = 4184.0
# Workout structure (efforts are fractions of the athlete's power_max_wkg).
EASY_EFFORT = 0.45  # warm-ups, cool-downs, approaches to the hill
RECOVERY_EFFORT = 0.40  # jogs between intervals, descents between hill repeats
INTERVAL_EFFORT = 0.82
TEMPO_EFFORT = 0.66
WARMUP_S = 900.0
COOLDOWN_S = 600.0
POWERLINE_APPROACH_M = 1_500.0  # flat-ish approach before the steep powerline climb
RACE_MOVING_S = {"race100": 29.5 * 3600.0, "race50": 5.9 * 3600.0}  # Tom's races: moving time (s) to hit
RECORD_GAP_WEIGHTS = {  # smart recording: probability of a 1..5 s gap between records
    "run": (0.14, 0.20, 0.24, 0.22, 0.20),
    "slow": (0.04, 0.08, 0.18, 0.30, 0.40),
}


#: trainlog's model settings: Minetti's running cost and its clip are read from them.
MODEL = ModelSettings()
#: Minetti et al. 2002's cost of walking (J/kg/m) against grade, highest power first
#: (the analysis has no walking cost; its running polynomial is MODEL.minetti_coefficients).
MINETTI_WALKING_COEFFICIENTS = (280.5, -58.7, -76.8, 51.9, 19.6, 2.5)


def _polynomial(coefficients: tuple[float, ...], x: np.ndarray) -> np.ndarray:
    """sum of c * x**power, highest power first, added in that order (the sample files'
    bytes depend on the floating-point order: this is the order they were made with)."""
    degree = len(coefficients) - 1
    out = coefficients[0] * x**degree
    for k, coefficient in enumerate(coefficients[1:], 1):
        out = out + coefficient * x ** (degree - k)
    return out


def minetti_running_cost(grade: np.ndarray) -> np.ndarray:
    """Energy cost of running (J/kg/m) at a grade (fraction), Minetti et al. 2002.

    Held at the end values beyond +-``minetti_clip`` (shared/METRICS.md).
    """
    i = np.clip(grade, -MODEL.minetti_clip, MODEL.minetti_clip)
    return _polynomial(MODEL.minetti_coefficients, i)


def minetti_walking_cost(grade: np.ndarray) -> np.ndarray:
    """Energy cost of walking (J/kg/m) at a grade (fraction), Minetti et al. 2002."""
    i = np.clip(grade, -MODEL.minetti_clip, MODEL.minetti_clip)
    return _polynomial(MINETTI_WALKING_COEFFICIENTS, i)


@dataclass(frozen=True)
class Athlete:
    """A simulated athlete: physiology (bpm, W/kg, kg), habits and home."""

    slug: str
    name: str
    tz: str
    sex: str
    mass_kg: float
    hr_rest_bpm: float
    hr_max_bpm: float
    power_max_wkg: float  # metabolic power at VO2max
    walk_grade: float  # above this grade (fraction) the athlete power-hikes
    descent_speed_mps: float  # fastest sustainable downhill speed on good trail
    device: Device
    home_lat_deg: float
    home_lon_deg: float
    mean_temp_c: float  # yearly mean air temperature at home
    temp_amplitude_c: float  # seasonal half-range


@dataclass(frozen=True)
class Course:
    """A named course: its route, where it is, and how runnable its surface is (0-1)."""

    route: Route
    lat_deg: float
    lon_deg: float
    terrain: float
    loop: bool


@dataclass(frozen=True)
class Workout:
    """One planned activity (local wall-clock start, planned moving time in s)."""

    day: date
    start: time
    kind: str  # easy | long | tempo | hills | intervals | race | treadmill | hike | bike | point
    course: str
    moving_s: float
    effort: float  # fraction of power_max_wkg
    reps: int = 0
    tag: str = ""
    note: str = ""
    no_hr: bool = False
    tz_end: str = ""  # time zone at the end when it differs from the athlete's
    hr_offset_bpm: float = 0.0  # e.g. still elevated after an illness
    duplicate: bool = False  # also write a re-export of this run by a second service


@dataclass
class Leg:
    """A stretch of a route at one effort (fraction of power_max_wkg).

    ``target_s`` pins its moving time (s); ``pause_after_s`` stops the timer
    at its end; ``lap_after`` closes a lap there.
    """

    route: Route
    effort: float
    target_s: float | None = None
    pause_after_s: float = 0.0
    lap_after: bool = False


MARA = Athlete(
    slug="mara", name="Mara (Barkley Marathons 2026)", tz="America/New_York", sex="female",
    mass_kg=57.0, hr_rest_bpm=46.0, hr_max_bpm=186.0, power_max_wkg=19.5, walk_grade=0.20,
    descent_speed_mps=3.8,
    device=Device(manufacturer="garmin", product=4341, serial_number=3_418_220_517, software_version=21.19),
    home_lat_deg=36.1320, home_lon_deg=-84.4930, mean_temp_c=14.0, temp_amplitude_c=11.0,
)
TOM = Athlete(
    slug="tom", name="Tom (100-mile mountain race, June 2026)", tz="Europe/Paris", sex="male",
    mass_kg=70.0, hr_rest_bpm=42.0, hr_max_bpm=188.0, power_max_wkg=21.5, walk_grade=0.24,
    descent_speed_mps=4.4,
    device=Device(manufacturer="garmin", product=3906, serial_number=3_377_014_902, software_version=17.28),
    home_lat_deg=45.9237, home_lon_deg=6.8694, mean_temp_c=7.0, temp_amplitude_c=9.5,
)
STRAVA_EXPORT = Device(
    manufacturer="strava", product=0, serial_number=1_000_001, software_version=1.0,
    product_name="Strava export", altitude_field="altitude", write_cadence=False,
    write_temperature=False, write_laps=False,
)


# --- courses ----------------------------------------------------------------------------


def _loop_course(rng, length_m, ascent_m, base_m, *, n_climbs, climb_m, grade, traverse_m) -> Route:
    """A closed loop (m) with ``n_climbs`` climbs whose total ascent is exactly ``ascent_m``."""
    x, y = _course.loop_shape(length_m, rng)
    segments = _course.climbing_segments(rng, n_climbs=n_climbs, climb_m=climb_m, grade=grade, traverse_m=traverse_m)
    altitude = _course.profile(segments, len(x), base_m, rng)
    altitude[-1] = altitude[0]
    return _course.scale_relief(Route(x, y, altitude), ascent_m)


def _line_course(rng, length_m, heading_deg, base_m, segments) -> Route:
    """A point-to-point route from (horizontal m, altitude change m) segments."""
    x, y = _course.line_shape(length_m, heading_deg, rng)
    return Route(x, y, _course.profile(segments, len(x), base_m, rng))


def build_courses(athlete: Athlete, rng: np.random.Generator) -> dict[str, Course]:
    """The courses an athlete trains and races on (fixed by the seed; built in this order)."""
    lat, lon = athlete.home_lat_deg, athlete.home_lon_deg

    def loop(length_m, ascent_m, base_m, n_climbs, climb_m, grade, traverse_m, at, terrain):
        route = _loop_course(rng, length_m, ascent_m, base_m, n_climbs=n_climbs, climb_m=climb_m, grade=grade,
                            traverse_m=traverse_m)
        return Course(route, at[0], at[1], terrain, loop=True)

    def line(length_m, heading_deg, base_m, segments, at, terrain):
        return Course(_line_course(rng, length_m, heading_deg, base_m, segments), at[0], at[1], terrain, loop=False)

    if athlete is MARA:
        return {
            # Frozen Head State Park style: ~35 km per loop, ~3,540 m, climbs at 30-40 %.
            "barkley": loop(35_000, 3_540, 450, 9, (280, 470), (0.30, 0.40), (400, 900), (lat, lon), 0.62),
            "ridge": loop(14_000, 620, 420, 3, (120, 220), (0.08, 0.18), (1000, 2000), (lat - 0.05, lon + 0.03), 0.88),
            "valley": loop(9_500, 90, 400, 2, (15, 35), (0.02, 0.05), (1500, 2500), (lat - 0.07, lon + 0.05), 1.0),
            "powerline": line(2_600, 40, 430, [(POWERLINE_APPROACH_M, 25.0), (1_100, 360.0)],
                              (lat + 0.01, lon - 0.02), 0.85),
            # Cumberland Trail, heading west-south-west out of Eastern into Central time.
            "cumberland": line(31_000, 250, 520, [
                (3_000, 0.0), (2_500, 260.0), (3_500, 0.0), (2_000, -310.0), (4_000, 0.0), (2_800, 280.0),
                (3_200, 0.0), (2_600, -240.0), (4_000, 0.0), (3_400, -150.0)], (lat + 0.02, lon - 0.06), 0.85),
        }
    return {
        "valley": loop(9_000, 70, 1_035, 2, (10, 30), (0.02, 0.04), (1500, 2500), (lat, lon), 1.0),
        "vk": line(3_800, 330, 1_040, [(3_800, 1_000.0)], (lat + 0.005, lon - 0.01), 0.85),
        "balcony": loop(21_000, 1_500, 1_050, 2, (500, 750), (0.12, 0.25), (1500, 3000), (lat + 0.01, lon - 0.02),
                        0.88),
        "hike": loop(11_000, 780, 1_200, 1, (650, 650), (0.15, 0.22), (800, 1500), (lat + 0.03, lon + 0.04), 0.8),
        "bike": loop(58_000, 800, 1_000, 2, (250, 450), (0.04, 0.08), (5000, 10000), (lat - 0.05, lon - 0.08), 1.0),
        "race100": loop(166_000, 9_900, 1_010, 10, (700, 1_300), (0.12, 0.28), (2_000, 5_000), (lat - 0.02, lon + 0.01),
                        0.85),
        "race50": loop(50_000, 3_000, 1_220, 4, (500, 900), (0.12, 0.25), (1_500, 3_500), (45.7923, 6.9726), 0.87),
        "treadmill": Course(_course.flat_line(20_000), lat, lon, 1.0, loop=False),
    }


# --- training plans ---------------------------------------------------------------------


def _clock(rng, earliest: str, latest: str) -> time:
    """A start time drawn uniformly between two "HH:MM" wall-clock times."""
    h0, m0 = map(int, earliest.split(":"))
    h1, m1 = map(int, latest.split(":"))
    minute = int(rng.integers(h0 * 60 + m0, h1 * 60 + m1 + 1))
    return time(minute // 60, minute % 60)


def _minutes(rng, low: float, high: float) -> float:
    """A duration in seconds drawn between two durations in minutes, rounded to 5 min."""
    return 300.0 * round(rng.uniform(low, high) / 5.0)


def plan_mara(rng: np.random.Generator) -> list[Workout]:
    """26 weeks to the Barkley Marathons (race on Friday 2026-03-13)."""
    monday0 = date(2025, 9, 15)
    weeks = (["base"] * 3 + ["recovery"] + ["base"] * 3 + ["recovery"] + ["build"] * 3 + ["recovery"]
             + ["build"] * 2 + ["recovery", "build", "ill", "return", "base", "build", "recovery", "build",
                               "peak", "taper", "taper2", "race"])
    plan: list[Workout] = []
    for w, kind in enumerate(weeks):
        monday = monday0 + timedelta(weeks=w)
        grow = 1.0 + 0.025 * w  # volume creeps up through the plan
        early, weekend = ("05:40", "06:35"), ("06:20", "07:30")

        def add(weekday, workout_kind, course, low, high, effort, start=early, monday=monday, grow=grow, **extra):
            plan.append(Workout(monday + timedelta(days=weekday), _clock(rng, *start), workout_kind, course,
                                _minutes(rng, low * grow, high * grow), effort, **extra))

        if kind == "base":
            add(1, "easy", "valley", 50, 65, 0.50)
            add(2, "hills", "powerline", 0, 0, 0.60, reps=int(rng.integers(3, 6)))
            add(3, "easy", "ridge", 50, 65, 0.50, no_hr=(w == 5), tag="nohr" if w == 5 else "",
                note="chest strap battery died" if w == 5 else "")
            add(5, "long", "ridge", 140, 200, 0.46, start=weekend)
            add(6, "easy", "ridge", 80, 110, 0.45, start=weekend)
        elif kind in ("build", "peak"):
            add(1, "easy", "valley", 55, 70, 0.50, duplicate=(w == 9))
            add(2, "hills", "powerline", 0, 0, 0.62, reps=4 + (w - 8) // 5 + int(rng.integers(0, 2)))
            add(3, "tempo", "ridge", 60, 75, 0.58)
            if rng.random() < 0.5:
                add(4, "easy", "valley", 35, 45, 0.45)
            if w == 13:  # Saturday 2025-12-20: Cumberland Trail traverse into Central time
                add(5, "point", "cumberland", 0, 0, 0.44, start=("06:00", "06:20"), tag="tzcross",
                    tz_end="America/Chicago", note="Cumberland Trail point to point, ends in Central time")
            else:
                low = 160 + 12 * (w - 8) if kind == "build" else 420  # minutes before ``grow``
                add(5, "long", "barkley", low, low + 70, 0.42, start=("05:00", "06:00"),
                    note=("Frozen Head" if kind == "build" else "full-loop recon") + ", back-to-back day 1")
            add(6, "long", "ridge", 140, 220, 0.42, start=weekend, note="back-to-back day 2")
        elif kind == "recovery":
            add(1, "easy", "valley", 40, 50, 0.46)
            add(3, "easy", "valley", 45, 55, 0.46)
            add(5, "long", "ridge", 110, 140, 0.45, start=weekend)
            add(6, "easy", "valley", 55, 65, 0.45, start=weekend)
        elif kind == "ill":  # flu on Tuesday 2026-01-06: nine days off
            add(0, "easy", "valley", 45, 50, 0.48)
        elif kind == "return":
            add(3, "easy", "valley", 25, 30, 0.42, note="first run after the flu", hr_offset_bpm=8.0)
            add(5, "easy", "ridge", 70, 80, 0.44, start=weekend, hr_offset_bpm=5.0)
            add(6, "easy", "valley", 55, 65, 0.44, start=weekend, hr_offset_bpm=4.0)
        elif kind in ("taper", "taper2"):
            short = 0.7 if kind == "taper2" else 1.0
            add(1, "easy", "valley", 45 * short, 50 * short, 0.48)
            add(2, "hills", "powerline", 0, 0, 0.58, reps=4 if kind == "taper" else 3)
            add(3, "easy", "valley", 40 * short, 50 * short, 0.48)
            add(5, "long", "barkley" if kind == "taper" else "ridge", 220 * short, 240 * short, 0.42, start=weekend)
            add(6, "easy", "ridge", 60 * short, 80 * short, 0.44, start=weekend)
        elif kind == "race":
            add(0, "easy", "valley", 30, 30, 0.45)
            add(2, "easy", "valley", 25, 25, 0.45)
            plan.append(Workout(monday + timedelta(days=4), time(7, 42), "race", "barkley", 0.0, 0.36,
                                tag="barkley", note="Barkley Marathons 2026: 5 loops"))
    return plan


def plan_tom(rng: np.random.Generator) -> list[Workout]:
    """26 weeks of strict 3:1 blocks to a 100-mile race (start Friday 2026-06-26 18:00)."""
    monday0 = date(2025, 12, 29)
    plan: list[Workout] = []
    for w in range(26):
        monday = monday0 + timedelta(weeks=w)
        winter = w < 11
        grow = 1.0 + 0.02 * w
        weekday_start, weekend = ("12:10", "12:40"), ("08:00", "09:30")

        def add(weekday, workout_kind, course, low, high, effort, start=weekday_start, monday=monday, grow=grow,
                **extra):
            plan.append(Workout(monday + timedelta(days=weekday), _clock(rng, *start), workout_kind, course,
                                _minutes(rng, low * grow, high * grow), effort, **extra))

        if w == 25:  # race week
            add(1, "easy", "valley", 35, 35, 0.45)
            add(3, "easy", "valley", 25, 25, 0.45)
            plan.append(Workout(monday + timedelta(days=4), time(18, 0), "race", "race100", 0.0, 0.42,
                                tag="race", note="100-mile mountain race, 166 km, 9,900 m"))
        elif w in (23, 24):  # taper
            add(1, "intervals", "valley", 45, 50, 0.5, reps=4)
            add(3, "easy", "valley", 45, 55, 0.46)
            add(5, "long", "balcony", 150 if w == 23 else 100, 170 if w == 23 else 110, 0.45, start=weekend)
        elif w % 4 == 3:  # recovery week
            add(1, "easy", "valley", 40, 50, 0.46)
            add(3, "easy", "valley", 40, 50, 0.46)
            if w == 15:
                add(6, "hike", "hike", 0, 0, 0.30, start=("10:00", "10:30"), tag="hike", note="family hike")
            else:
                add(5, "long", "valley", 80, 100, 0.46, start=weekend)
        else:
            if w == 2:
                add(1, "treadmill", "treadmill", 55, 60, 0.5, reps=6, start=("18:30", "19:00"), tag="treadmill",
                    note="snow outside: 6 x 4 min on the treadmill")
            else:
                add(1, "intervals", "valley", 55, 65, 0.5, reps=6 if winter else 5)
            add(2, "easy" if winter else "hills", "valley" if winter else "vk", 55, 65, 0.48 if winter else 0.60,
                reps=0 if winter else (1 if w < 16 else 2))
            add(3, "tempo", "valley", 45, 55, 0.62)
            if w == 9:
                add(4, "bike", "bike", 0, 0, 0.50, start=("13:00", "13:30"), tag="bike",
                    note="road ride, cross-training")
            if w == 18:
                plan.append(Workout(monday + timedelta(days=5), time(7, 0), "race", "race50", 0.0, 0.55,
                                    tag="race50", note="50 km tune-up race"))
                add(6, "easy", "valley", 35, 40, 0.42, start=weekend)
                continue
            add(5, "long", "valley" if winter else "balcony", 120 if winter else 240, 170 if winter else 330,
                0.46, start=weekend)
            add(6, "easy", "valley" if winter else "balcony", 70, 110, 0.45, start=weekend)
    return plan


def _daily_fatigue(plan: list[Workout]) -> dict[date, float]:
    """Fatigue index per day from planned load: (ATL - CTL) / CTL, 7 and 42 day constants."""
    load: dict[date, float] = {}
    for wk in plan:
        # Workouts defined by their route rather than a duration get a rough planned figure.
        hours = wk.moving_s / 3600.0 or {"hills": 0.5 + 0.4 * wk.reps, "race": 6.0}.get(wk.kind, 2.5)
        load[wk.day] = load.get(wk.day, 0.0) + 100.0 * hours * (wk.effort / 0.5) ** 2
    day, last = min(load), max(load)
    atl = ctl = 0.0
    out: dict[date, float] = {}
    while day <= last:
        out[day] = (atl - ctl) / max(ctl, 20.0)  # the state the day starts with
        atl += (load.get(day, 0.0) - atl) * (1 - math.exp(-1 / 7))
        ctl += (load.get(day, 0.0) - ctl) * (1 - math.exp(-1 / 42))
        day += timedelta(days=1)
    return out


# --- routes -----------------------------------------------------------------------------


def _speed_mps(grade, power_wkg, athlete: Athlete, terrain: float, gait: str) -> tuple[np.ndarray, np.ndarray]:
    """Steady speed (m/s) at a metabolic power (W/kg) on each grade, and whether walking.

    ``gait`` is "run" (power-hike above the athlete's walk grade), "walk" or "bike".
    """
    grade = np.asarray(grade, dtype=float)
    power_wkg = np.broadcast_to(np.asarray(power_wkg, dtype=float), grade.shape)
    if gait == "bike":
        rider_w = power_wkg * CYCLING_EFFICIENCY * athlete.mass_kg
        return _bike_speed_mps(grade, rider_w, athlete.mass_kg), np.zeros(grade.shape, bool)
    walking = np.full(grade.shape, gait == "walk") | (grade > athlete.walk_grade)
    run_mps = power_wkg / minetti_running_cost(grade) * terrain
    walk_mps = np.minimum(power_wkg / minetti_walking_cost(grade), WALK_SPEED_MAX_MPS)
    if gait == "walk":
        walk_mps = np.minimum(walk_mps, HIKE_SPEED_MAX_MPS)
    speed = np.where(walking, walk_mps, run_mps)
    steep_down = np.maximum(0.25, 1.0 - 1.5 * np.maximum(-grade, 0.0))
    speed = np.minimum(speed, athlete.descent_speed_mps * terrain * steep_down)
    return np.maximum(speed, 0.25), walking


def _bike_speed_mps(grade: np.ndarray, power_w: np.ndarray, mass_kg: float) -> np.ndarray:
    """Road-bike speed (m/s) from rider power (W); coasting below COASTING_GRADE (bisection)."""
    total_kg = mass_kg + BIKE_MASS_KG
    pedal_w = np.where(grade > COASTING_GRADE, power_w, 0.0)
    lo, hi = np.full(grade.shape, 0.5), np.full(grade.shape, 25.0)
    for _ in range(40):
        v = (lo + hi) / 2
        need_w = v * total_kg * GRAVITY_MPS2 * (CYCLING_CRR + grade) + 0.5 * AIR_DENSITY_KG_M3 * CYCLING_CDA_M2 * v**3
        lo, hi = np.where(need_w < pedal_w, v, lo), np.where(need_w < pedal_w, hi, v)
    return np.minimum((lo + hi) / 2, BIKE_SPEED_MAX_MPS)


def _gait(workout: Workout) -> str:
    return {"hike": "walk", "bike": "bike"}.get(workout.kind, "run")


def _est_time_s(route: Route, effort: float, athlete: Athlete, terrain: float, gait: str) -> np.ndarray:
    """Cumulative moving time (s) at each station at a steady effort, without noise."""
    speed, _ = _speed_mps(route.grade, effort * athlete.power_max_wkg, athlete, terrain, gait)
    return np.concatenate(([0.0], np.cumsum(np.diff(route.distance_m) / speed[:-1])))


def _out_and_back(route: Route, seconds: float, effort, athlete, terrain, gait) -> list[Route]:
    """Out along ``route`` for half the time (at most to its end) and back."""
    t = _est_time_s(route, effort, athlete, terrain, gait)
    turn_m = float(np.interp(seconds / 2, t, route.distance_m))
    return [route.piece(0.0, turn_m), route.piece(turn_m, 0.0)]


def _along(course: Course, start_m: float, length_m: float) -> list[Route]:
    """Pieces covering ``length_m`` from ``start_m``, wrapping round a loop course."""
    pieces, total = [], course.route.length_m
    while length_m > 1.0:
        step = min(length_m, total - start_m)
        pieces.append(course.route.piece(start_m, start_m + step))
        length_m -= step
        start_m = 0.0 if course.loop else start_m + step
    return pieces


def _schedule(course: Course, blocks: list[tuple[float, float]], athlete, gait) -> list[Leg]:
    """Legs for (seconds, effort) blocks run one after the other along a course."""
    legs, at_m = [], 0.0
    for seconds, effort in blocks:
        flat_mps, _ = _speed_mps(np.zeros(1), effort * athlete.power_max_wkg, athlete, course.terrain, gait)
        length_m = seconds * float(flat_mps[0])
        for piece in _along(course, at_m, length_m):
            legs.append(Leg(piece, effort))
        legs[-1].lap_after = True  # each block of a structured workout is a lap
        at_m = (at_m + length_m) % course.route.length_m if course.loop else at_m + length_m
    legs[-1].lap_after = False
    return legs


def build_legs(workout: Workout, athlete: Athlete, courses: dict[str, Course], rng) -> list[Leg]:
    """The route of a workout as legs of route and effort."""
    course = courses[workout.course]
    gait, route, effort = _gait(workout), course.route, workout.effort
    args = (athlete, course.terrain, gait)
    if workout.kind in ("intervals", "treadmill"):
        on_s, off_s = (240.0, 120.0) if workout.reps >= 6 else (300.0, 150.0)
        cool_s = max(COOLDOWN_S, workout.moving_s - WARMUP_S - workout.reps * (on_s + off_s))
        blocks = ([(WARMUP_S, EASY_EFFORT)] + [(on_s, INTERVAL_EFFORT), (off_s, RECOVERY_EFFORT)] * workout.reps
                  + [(cool_s, EASY_EFFORT)])
        return _schedule(course, blocks, athlete, gait)
    if workout.kind == "tempo":
        blocks = [(WARMUP_S, 0.46), (workout.moving_s - WARMUP_S - COOLDOWN_S, TEMPO_EFFORT), (COOLDOWN_S, 0.44)]
        return _schedule(course, blocks, athlete, gait)
    if workout.kind == "hills":
        climb_from_m = POWERLINE_APPROACH_M if workout.course == "powerline" else 0.0
        legs = [Leg(route.piece(0.0, climb_from_m), EASY_EFFORT)] if climb_from_m else []
        for _ in range(workout.reps):  # up hard, a breather at the top, down easy
            legs.append(Leg(route.piece(climb_from_m, route.length_m), effort, pause_after_s=float(rng.integers(20, 90)),
                            lap_after=True))
            legs.append(Leg(route.piece(route.length_m, climb_from_m), RECOVERY_EFFORT, lap_after=True))
        if climb_from_m:
            legs.append(Leg(route.piece(climb_from_m, 0.0), EASY_EFFORT))
        return legs
    if workout.kind == "race":
        return _race_legs(workout, course, rng)
    if workout.kind in ("point", "bike", "hike"):
        return [Leg(route, effort)]
    # easy and long runs: whole loops (alternating direction), then out and back for the rest
    loop_s = float(_est_time_s(route, effort, *args)[-1])
    n_loops = int(workout.moving_s // loop_s) if course.loop else 0
    legs = [Leg(route if i % 2 == 0 else route.reversed(), effort) for i in range(n_loops)]
    rest_s = workout.moving_s - n_loops * loop_s
    if rest_s > 300.0 or not legs:
        legs += [Leg(p, effort) for p in _out_and_back(route, rest_s, effort, *args)]
    return legs


def _race_legs(workout: Workout, course: Course, rng) -> list[Leg]:
    route = course.route
    if workout.course == "barkley":
        loop_h = (10.3, 10.9, 11.4, 11.8, 12.1)  # moving time per loop, slower as the race goes on
        camp_min = (22.0, 28.0, 34.0, 41.0)  # at camp between loops, watch paused
        return [
            Leg(route if i % 2 == 0 else route.reversed(), workout.effort, target_s=h * 3600.0,
                pause_after_s=camp_min[i] * 60.0 + float(rng.integers(0, 60)) if i < 4 else 0.0, lap_after=True)
            for i, h in enumerate(loop_h)
        ]
    n_legs = 10 if workout.course == "race100" else 4
    cuts = np.sort(rng.uniform(0.05, 0.95, n_legs - 1)) * route.length_m
    bounds = np.concatenate(([0.0], cuts, [route.length_m]))
    return [
        Leg(route.piece(a, b), workout.effort, pause_after_s=float(rng.integers(120, 720)) if b < route.length_m else 0.0,
            lap_after=True)
        for a, b in zip(bounds[:-1], bounds[1:])
    ]



# --- simulation -------------------------------------------------------------------------


def _ar1(rng, n: int, rho: float, sd: float) -> np.ndarray:
    """A stationary AR(1) series of length n with lag-one correlation rho and s.d. sd."""
    shocks = rng.standard_normal(n) * sd * math.sqrt(1 - rho * rho)
    out = np.empty(n)
    level = rng.standard_normal() * sd
    for i, shock in enumerate(shocks.tolist()):
        level = rho * level + shock
        out[i] = level
    return out


@dataclass
class Simulated:
    """A simulated activity: the watch's recording plus the generator's truth."""

    recording: Recording
    start_unix_s: int
    true_distance_m: float
    true_ascent_m: float
    true_descent_m: float


def simulate(
    workout: Workout, athlete: Athlete, course: Course, legs: list[Leg], start_unix_s: int,
    utc_offset_start_s: int, fatigue: float, rng: np.random.Generator,
) -> Simulated:
    """Simulate what a watch records along ``legs`` (times UTC, Unix seconds).

    The recording's ``utc_offset_end_s`` is the start offset; callers set the
    offset at the end when the athlete crossed a time zone.
    """
    route = Route.join([leg.route for leg in legs])
    gait, indoor = _gait(workout), workout.kind == "treadmill"
    leg_end = np.cumsum([len(leg.route.distance_m) - 1 for leg in legs])  # station where each leg ends
    pace = _pace(workout, athlete, course, legs, route, leg_end, start_unix_s + utc_offset_start_s, fatigue, rng)
    t_s, total_s = pace.t_s, int(pace.t_s[-1])

    # Pauses (timer stopped) at leg ends and at random moments; a record at every stop and lap.
    pauses: dict[int, int] = {}
    lap_marks: list[int] = []
    for leg, end in zip(legs, leg_end):
        mark = int(round(t_s[end]))
        if leg.pause_after_s and 0 < mark < total_s:
            pauses[mark] = int(leg.pause_after_s)
        if leg.lap_after and 0 < mark < total_s:
            lap_marks.append(mark)
    pauses_per_h = 0.0 if indoor or gait == "bike" else PAUSES_PER_H
    for _ in range(int(rng.poisson(pauses_per_h * total_s / 3600.0))):
        at = int(rng.integers(300, max(301, total_s - 300)))
        if at < total_s - 60:
            pauses.setdefault(at, int(rng.integers(15, 120)))
    pause_at = np.array(sorted(pauses), dtype=np.int64)
    pause_len = np.array([pauses[k] for k in sorted(pauses)], dtype=np.int64)
    paused_until = np.concatenate(([0], np.cumsum(pause_len)))  # paused seconds before each pause, then total

    # Smart recording: moving-time stamps 1-5 s apart (tau, s), wall-clock elapsed = tau + pauses so far.
    slow = gait == "walk" or workout.kind in ("race", "hills") or workout.course == "barkley"
    gaps = rng.choice(np.arange(1, 6), size=total_s // 2 + 10, p=RECORD_GAP_WEIGHTS["slow" if slow else "run"])
    tau = np.concatenate(([0], np.cumsum(gaps)))
    tau = np.union1d(np.concatenate((tau[tau < total_s], pause_at, lap_marks, [total_s])), []).astype(np.int64)
    n = len(tau)
    elapsed_s = tau + paused_until[np.searchsorted(pause_at, tau, side="left")]

    distance = np.interp(tau, t_s, route.distance_m)
    x, y, alt_true = route.at(distance)
    mid_t = (t_s[:-1] + t_s[1:]) / 2
    speed = np.interp(tau, mid_t, pace.speed_mps)
    grade = np.interp(tau, mid_t, route.grade[:-1])
    walking = np.interp(tau, mid_t, pace.walking.astype(float)) > 0.5
    if gait == "bike":
        metabolic_wkg = np.interp(tau, mid_t, pace.power_wkg)
    else:
        cost = np.where(walking, minetti_walking_cost(grade), minetti_running_cost(grade))
        metabolic_wkg = cost * speed
    energy_j_per_kg = np.concatenate(([0.0], np.cumsum(np.diff(tau) * (metabolic_wkg[1:] + metabolic_wkg[:-1]) / 2)))

    hr = None if workout.no_hr else _heart_rate(athlete, metabolic_wkg, tau, elapsed_s, fatigue, workout, rng)
    cadence = _cadence(gait, speed, grade, walking, rng)
    local_h = (start_unix_s + utc_offset_start_s + elapsed_s) / 3600.0 % 24.0
    if indoor:
        temperature = np.full(n, INDOOR_TEMP_C)
    else:
        temperature = _wrist_temperature(athlete, start_unix_s, local_h, alt_true, rng)

    distance_error = float(np.clip(rng.normal(0, DISTANCE_ERROR_SD), -DISTANCE_ERROR_MAX, DISTANCE_ERROR_MAX))
    distance_rec = distance * (1 + distance_error)
    speed_rec = np.maximum(speed * (1 + distance_error) * (1 + rng.normal(0, 0.015, n)), 0.0)
    speed_rec[0] = 0.0

    lat = lon = altitude = None
    if not indoor:
        altitude = _barometric_altitude(alt_true, elapsed_s, rng)
        gps_x = x + _ar1(rng, n, 0.95, GPS_NOISE_M)
        gps_y = y + _ar1(rng, n, 0.95, GPS_NOISE_M)
        lat, lon = _course.to_semicircles(gps_x, gps_y, course.lat_deg, course.lon_deg)

    if lap_marks:
        boundaries, trigger = np.searchsorted(tau, lap_marks), "manual"
    else:
        lap_m = BIKE_AUTO_LAP_M if gait == "bike" else AUTO_LAP_M
        boundaries, trigger = np.searchsorted(distance_rec, np.arange(lap_m, distance_rec[-1], lap_m)), "distance"
    lap_starts = [0] + sorted({int(b) + 1 for b in boundaries if 0 < b < n - 2})

    stops = start_unix_s + pause_at + paused_until[:-1]
    sport, sub_sport = _sport(workout)
    recording = Recording(
        time_unix_s=start_unix_s + elapsed_s, distance_m=distance_rec, speed_mps=speed_rec,
        energy_kcal=energy_j_per_kg * athlete.mass_kg / J_PER_KCAL,
        sport=sport, sub_sport=sub_sport, utc_offset_end_s=utc_offset_start_s,
        lat_semicircles=lat, lon_semicircles=lon, altitude_m=altitude, hr_bpm=hr, cadence_rpm=cadence,
        temperature_c=np.round(temperature), lap_starts=lap_starts, lap_trigger=trigger,
        pauses=[(int(stop), int(stop + length)) for stop, length in zip(stops, pause_len)],
    )
    return Simulated(recording, start_unix_s, route.length_m, route.ascent_m, route.descent_m)


@dataclass
class _Pace:
    """Per step between stations: speed (m/s), metabolic power (W/kg), gait; t_s per station."""

    speed_mps: np.ndarray
    power_wkg: np.ndarray
    walking: np.ndarray
    t_s: np.ndarray  # cumulative moving time, an integer number of seconds at the end


def _pace(workout, athlete, course, legs, route, leg_end, start_local_s, fatigue, rng) -> _Pace:
    """How fast each step is covered: effort, grade, the day's form, fading, night, race targets."""
    gait, indoor = _gait(workout), workout.kind == "treadmill"
    n_steps = len(route.distance_m) - 1
    leg_of_step = np.searchsorted(leg_end, np.arange(n_steps), side="right")
    effort = np.array([leg.effort for leg in legs])[leg_of_step]
    day_factor = 1.0 - float(np.clip(0.03 * fatigue, -0.02, 0.05))
    power = effort * athlete.power_max_wkg * day_factor * (1.0 + _ar1(rng, n_steps, 0.97, 0.04))
    grade, step_m = route.grade[:-1], np.diff(route.distance_m)

    speed, walking = _speed_mps(grade, power, athlete, 1.0 if indoor else course.terrain, gait)
    if not indoor and course.terrain < 1.0:  # trail efforts fade over the hours and slow down at night
        t_s = np.concatenate(([0.0], np.cumsum(step_m / speed)))[:-1]
        local_h = (start_local_s + t_s) / 3600.0 % 24.0
        night = (local_h >= 20.0) | (local_h < 6.0)
        speed = speed / (1.0 + FADE_PER_H * t_s / 3600.0) * np.where(night, NIGHT_SPEED_FACTOR, 1.0)
    dt_s = step_m / speed
    starts = np.concatenate(([0], leg_end[:-1]))
    for leg, a, b in zip(legs, starts, leg_end):
        if leg.target_s:
            dt_s[a:b] *= leg.target_s / dt_s[a:b].sum()
    if workout.course in RACE_MOVING_S:
        dt_s *= RACE_MOVING_S[workout.course] / dt_s.sum()
    total_s = math.ceil(dt_s.sum())
    dt_s *= total_s / dt_s.sum()
    t_s = np.concatenate(([0.0], np.cumsum(dt_s)))
    t_s[-1] = total_s
    if gait == "bike":
        power = np.where(grade > COASTING_GRADE, power, 0.0)
    return _Pace(step_m / np.maximum(dt_s, 1e-9), power, walking, t_s)


def _cadence(gait: str, speed_mps, grade, walking, rng) -> np.ndarray:
    """Cadence (rpm; running and walking: strides per minute, one foot)."""
    n = len(speed_mps)
    if gait == "bike":
        cadence = np.where(grade > COASTING_GRADE, 86 + 3 * rng.standard_normal(n), 0.0)
    else:
        run_cad = np.clip(78 + 4.0 * speed_mps, 80, 97)
        walk_cad = np.clip(40 + 14.0 * speed_mps, 44, 62)
        cadence = np.where(walking, walk_cad, run_cad) + rng.normal(0, 1.2, n)
    cadence = np.clip(np.round(cadence), 0, 254)
    cadence[0] = 0
    return cadence


def _wrist_temperature(athlete: Athlete, start_unix_s: int, local_h, altitude_m, rng) -> np.ndarray:
    """Wrist-sensor temperature (deg C): season, time of day, altitude, skin warmth."""
    day_of_year = datetime.fromtimestamp(start_unix_s, UTC).timetuple().tm_yday
    air_c = (athlete.mean_temp_c + athlete.temp_amplitude_c * math.cos(2 * math.pi * (day_of_year - 200) / 365.0)
             + 5.0 * np.sin(2 * math.pi * (local_h - 9.0) / 24.0) - LAPSE_RATE_C_PER_M * (altitude_m - altitude_m[0]))
    return air_c + SKIN_OFFSET_C + rng.normal(0, 0.4, len(local_h))


def _barometric_altitude(true_m, elapsed_s, rng) -> np.ndarray:
    """What a barometric altimeter reads (m): calibration offset, weather drift, noise, 0.2 m steps."""
    hours = elapsed_s / 3600.0
    drift_m = (rng.normal(0, BARO_OFFSET_SD_M) + rng.normal(0, BARO_DRIFT_SD_M_PER_H) * hours
               + BARO_SWELL_M * np.sin(2 * math.pi * hours / rng.uniform(*BARO_SWELL_PERIOD_H)
                                       + rng.uniform(0, 2 * math.pi)))
    altitude_m = true_m + drift_m + rng.normal(0, BARO_NOISE_M, len(true_m))
    return np.round(altitude_m / BARO_QUANTUM_M) * BARO_QUANTUM_M


def _heart_rate(athlete, metabolic_wkg, tau, elapsed_s, fatigue, workout, rng) -> np.ndarray:
    """Heart rate (bpm, int) following effort with a lag, drift and the day's fatigue."""
    reserve = athlete.hr_max_bpm - athlete.hr_rest_bpm
    fraction = np.clip(HR_FLOOR_FRACTION + (1 - HR_FLOOR_FRACTION) * metabolic_wkg / athlete.power_max_wkg, 0, 1.02)
    hours = tau / 3600.0
    drift = CARDIAC_DRIFT_BPM * (1 - np.exp(-hours / CARDIAC_DRIFT_TAU_H)) - HR_SUPPRESSION_BPM_PER_H * hours
    day_bpm = float(np.clip(4.0 * fatigue, -3.0, 6.0)) + workout.hr_offset_bpm
    target = athlete.hr_rest_bpm + reserve * fraction + drift + day_bpm + _ar1(rng, len(tau), 0.9, 1.5)
    out = np.empty(len(tau))
    level = athlete.hr_rest_bpm + 0.35 * reserve  # warm-up: the watch starts before the legs do
    recovered = athlete.hr_rest_bpm + 25.0
    dt_el = np.diff(elapsed_s, prepend=elapsed_s[0]).tolist()
    dt_mv = np.diff(tau, prepend=tau[0]).tolist()
    for i, goal in enumerate(target.tolist()):
        paused_s = dt_el[i] - dt_mv[i]
        if paused_s > 0:
            level = recovered + (level - recovered) * math.exp(-paused_s / 60.0)
        tau_s = HR_TAU_RISE_S if goal > level else HR_TAU_FALL_S
        level += (goal - level) * (1 - math.exp(-dt_mv[i] / tau_s))
        out[i] = level
    return np.clip(np.round(out), athlete.hr_rest_bpm + 10, athlete.hr_max_bpm).astype(np.int64)


def _sport(workout: Workout) -> tuple[str, str]:
    if workout.kind == "treadmill":
        return "running", "treadmill"
    if workout.kind == "hike":
        return "hiking", "generic"
    if workout.kind == "bike":
        return "cycling", "road"
    if workout.course == "valley":
        return "running", "road"
    return "running", "trail"


# --- output -----------------------------------------------------------------------------

ATHLETES = ((MARA, plan_mara), (TOM, plan_tom))


def _file_name(workout: Workout, extra_tag: str = "") -> str:
    sport, _ = _sport(workout)
    tags = "".join(f"_{t}" for t in (workout.tag, extra_tag) if t)
    return f"{workout.day:%Y-%m-%d}_{workout.start:%H%M}_{sport}{tags}.fit"


def _offset_s(tz: str, unix_s: int) -> int:
    return int(datetime.fromtimestamp(unix_s, ZoneInfo(tz)).utcoffset().total_seconds())


def _iso_utc(unix_s: int) -> str:
    return datetime.fromtimestamp(unix_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _index_row(rel: str, athlete: Athlete, workout: Workout, sim: Simulated, duplicate_of: str) -> dict:
    """The truth about one written file (values as written to index.csv)."""
    rec = sim.recording
    start_local = datetime.fromtimestamp(sim.start_unix_s, ZoneInfo(athlete.tz))
    elapsed_s = int(rec.time_unix_s[-1] - rec.time_unix_s[0])
    paused_s = sum(b - a for a, b in rec.pauses)
    ascent_m, descent_m = device_ascent_descent(rec.altitude_m) if rec.altitude_m is not None else (None, None)
    tags = list(dict.fromkeys(t for t in (workout.kind, workout.tag, "duplicate" if duplicate_of else "") if t))
    description = workout.note or f"{workout.kind} on {workout.course}"
    if duplicate_of:
        description = f"the same run re-exported by a second service (Strava): {description}"
    return {
        "file": rel,
        "athlete": athlete.slug,
        "sport": rec.sport,
        "sub_sport": rec.sub_sport,
        "start_utc": _iso_utc(sim.start_unix_s),
        "start_local": start_local.isoformat(),
        "utc_offset_s": rec.utc_offset_end_s,
        "elapsed_s": elapsed_s,
        "timer_s": elapsed_s - paused_s,
        "n_records": len(rec.time_unix_s),
        "true_distance_m": f"{sim.true_distance_m:.1f}",
        "true_ascent_m": f"{sim.true_ascent_m:.1f}" if rec.altitude_m is not None else "0.0",
        "true_descent_m": f"{sim.true_descent_m:.1f}" if rec.altitude_m is not None else "0.0",
        "device_distance_m": f"{rec.distance_m[-1] - rec.distance_m[0]:.2f}",
        "device_ascent_m": "" if ascent_m is None else str(int(round(ascent_m))),
        "device_descent_m": "" if descent_m is None else str(int(round(descent_m))),
        "has_hr": int(rec.hr_bpm is not None),
        "has_gps": int(rec.lat_semicircles is not None),
        "has_altitude": int(rec.altitude_m is not None),
        "duplicate_of": duplicate_of,
        "tags": " ".join(tags),
        "description": description,
    }


def generate(out_dir: pathlib.Path, seed: int = DEFAULT_SEED, only: list[str] | None = None) -> list[dict]:
    """Write the sample FIT files, ``index.csv`` and each athlete's ``wellness-<slug>.csv`` into ``out_dir``;
    return the index rows.

    ``only``: paths relative to ``out_dir`` (as in the index) to write; the
    files are the same bytes as in a full run, and ``index.csv`` is written
    only by a full run (which also removes stale ``.fit`` files of the athletes).
    """
    out_dir = pathlib.Path(out_dir)
    wanted = set(only) if only is not None else None
    rows: list[dict] = []
    for athlete_i, (athlete, plan_fn) in enumerate(ATHLETES):
        plan = plan_fn(np.random.default_rng([seed, athlete_i, 0]))
        courses = build_courses(athlete, np.random.default_rng([seed, athlete_i, 1]))
        fatigue = _daily_fatigue(plan)
        folder = out_dir / athlete.slug
        written: set[str] = set()
        for k, workout in enumerate(plan):
            rel = f"{athlete.slug}/{_file_name(workout)}"
            rel_dup = f"{athlete.slug}/{_file_name(workout, 'strava')}" if workout.duplicate else ""
            if wanted is not None and rel not in wanted and rel_dup not in wanted:
                continue
            rng = np.random.default_rng([seed, athlete_i, 2, k])
            legs = build_legs(workout, athlete, courses, rng)
            start_local = datetime.combine(workout.day, workout.start, ZoneInfo(athlete.tz))
            start_unix = int(start_local.timestamp())
            sim = simulate(workout, athlete, courses[workout.course], legs, start_unix,
                           _offset_s(athlete.tz, start_unix), fatigue.get(workout.day, 0.0), rng)
            end_unix = int(sim.recording.time_unix_s[-1])
            sim.recording.utc_offset_end_s = _offset_s(workout.tz_end or athlete.tz, end_unix)
            outputs = [(rel, athlete.device, "")]
            if workout.duplicate:  # the same run again, as exported by a second service
                outputs.append((rel_dup, STRAVA_EXPORT, rel))
            for path_rel, device, duplicate_of in outputs:
                if path_rel in written:
                    raise RuntimeError(f"two sample activities share the name {path_rel}")
                written.add(path_rel)
                rows.append(_index_row(path_rel, athlete, workout, sim, duplicate_of))
                if wanted is not None and path_rel not in wanted:
                    continue
                folder.mkdir(parents=True, exist_ok=True)
                (out_dir / path_rel).write_bytes(encode(sim.recording, device))
        if wanted is None:  # the athlete's mornings, from the same files (trainlog_dev/samplewellness.py)
            samplewellness.write(out_dir, athlete.slug, samplewellness.mornings(
                athlete.slug, athlete.hr_rest_bpm, [r for r in rows if r["athlete"] == athlete.slug],
                np.random.default_rng([seed, athlete_i, 3])))
        if wanted is None and folder.is_dir():
            for stale in sorted(folder.glob("*.fit")):
                if f"{athlete.slug}/{stale.name}" not in written:
                    stale.unlink()
    if wanted is not None:
        return [row for row in rows if row["file"] in wanted]
    with open(out_dir / "index.csv", "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=INDEX_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m trainlog_dev.sampledata [--out sample_fit] [--seed N] [--only FILE ...]``."""
    parser = argparse.ArgumentParser(
        prog="python -m trainlog_dev.sampledata",
        description="Write the synthetic sample training history (FIT files and index.csv).",
        epilog="Example: python -m trainlog_dev.sampledata --out sample_fit",
    )
    parser.add_argument("--out", type=pathlib.Path, default=DEFAULT_OUT, help="output folder (default: sample_fit)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default: {DEFAULT_SEED})")
    parser.add_argument("--only", nargs="+", metavar="FILE", help="write only these files (paths as in index.csv)")
    args = parser.parse_args(argv)
    try:
        rows = generate(args.out, seed=args.seed, only=args.only)
    except ImportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {len(rows)} FIT files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
