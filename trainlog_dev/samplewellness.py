"""The sample athletes' mornings: a wellness CSV per athlete beside their FIT files (``sample_fit/wellness-<slug>.csv``).

Generated, not recorded, from the same plan as the FIT files (trainlog_dev/sampledata.py): each morning's HRV
(rMSSD) falls and the resting heart rate rises with the fatigue the plan has built (the generator's
(ATL - CTL) / CTL index), a flu week pushes both the wrong way and is marked ill, a night out on a multi-day
race is short, and soreness follows the long days. About one morning in eight is skipped, as athletes do.
The columns are trainlog's plain wellness layout (``trainlog wellness import``); ``trainlog demo`` imports it.
"""

from __future__ import annotations

import csv
import math
import pathlib
from datetime import date, timedelta

import numpy as np

COLUMNS = ("date", "resting_hr", "hrv", "sleep_hours", "sleep_quality", "soreness", "fatigue", "mood",
           "motivation", "ill")
#: Each athlete's rested rMSSD, ms (well-trained endurance athletes: 60-100 ms).
RESTED_RMSSD_MS = {"mara": 72.0, "tom": 64.0}
#: The days the sample plan keeps an athlete ill (sampledata's "ill" week: flu on 2026-01-06, nine days off).
ILL = {"mara": (date(2026, 1, 6), date(2026, 1, 14))}
#: Nights spent racing (a 59-hour Barkley): short sleep.
RACE_NIGHTS = {"mara": (date(2026, 3, 14), date(2026, 3, 15))}


def fatigue_by_morning(index_rows: list[dict]) -> dict[date, float]:
    """(ATL - CTL) / CTL on each morning from the athlete's files (``index.csv`` rows): a load of 60 an hour
    elapsed, 7 and 42 day constants, both starting from the first four weeks' mean (no cold start)."""
    load: dict[date, float] = {}
    for row in index_rows:
        day = date.fromisoformat(row["start_local"][:10])
        load[day] = load.get(day, 0.0) + 60.0 * float(row["elapsed_s"]) / 3600.0
    first, last = min(load), max(load) + timedelta(days=4)
    atl = ctl = sum(v for d, v in load.items() if d < first + timedelta(days=28)) / 28.0
    out, day = {}, first
    while day <= last:
        out[day] = (atl - ctl) / max(ctl, 20.0)
        atl += (load.get(day, 0.0) - atl) * (1 - math.exp(-1 / 7))
        ctl += (load.get(day, 0.0) - ctl) * (1 - math.exp(-1 / 42))
        day += timedelta(days=1)
    return out


def mornings(slug: str, hr_rest_bpm: float, index_rows: list[dict], rng: np.random.Generator) -> list[dict]:
    """One row per morning from the first file's day to four days after the last (:data:`COLUMNS`), from the
    athlete's ``index.csv`` rows (duplicates left out by the caller or not: they only add load)."""
    rows_of = [r for r in index_rows if not r.get("duplicate_of")]
    fatigue = fatigue_by_morning(rows_of)
    long_days = {date.fromisoformat(r["start_local"][:10]) for r in rows_of if float(r["elapsed_s"]) >= 3 * 3600}
    first, last = min(fatigue), max(fatigue)
    ill_from, ill_to = ILL.get(slug, (date.max, date.min))
    race_from, race_to = RACE_NIGHTS.get(slug, (date.max, date.min))
    rows, day = [], first
    while day <= last:
        tired = max(-0.5, min(1.5, fatigue[day]))
        ill = ill_from <= day <= ill_to
        racing = race_from <= day <= race_to
        skipped = rng.random() < 0.125 and not (ill or racing)
        ln_rmssd = math.log(RESTED_RMSSD_MS[slug]) - 0.35 * tired - (0.35 if ill else 0.0) + rng.normal(0, 0.09)
        rest_hr = hr_rest_bpm + 6.0 * tired + (8.0 if ill else 0.0) + rng.normal(0, 1.3)
        sleep = 1.5 + rng.uniform(0, 1.5) if racing else 7.3 + rng.normal(0, 0.55) - (0.8 if ill else 0.0)
        yesterday_long = (day - timedelta(days=1)) in long_days
        sore = 1 + tired * 2.2 + (1.2 if yesterday_long else 0.0) + (2.0 if racing else 0.0) + rng.normal(0, 0.5)
        if not skipped:
            rows.append({
                "date": day.isoformat(),
                "resting_hr": round(rest_hr),
                "hrv": round(math.exp(ln_rmssd), 1),
                "sleep_hours": round(min(max(sleep, 0.5), 11.0), 1),
                "sleep_quality": _scale(4.0 - 1.2 * tired - (1.5 if ill or racing else 0.0) + rng.normal(0, 0.6)),
                "soreness": _scale(sore),
                "fatigue": _scale(1.5 + 2.0 * tired + (2.0 if ill or racing else 0.0) + rng.normal(0, 0.5)),
                "mood": _scale(4.0 - tired - (1.5 if ill else 0.0) + rng.normal(0, 0.6)),
                "motivation": _scale(4.2 - 0.8 * tired - (2.0 if ill else 0.0) + rng.normal(0, 0.6)),
                "ill": "yes" if ill else "no",
            })
        day += timedelta(days=1)
    return rows


def _scale(value: float) -> int:
    """A 1-5 answer."""
    return int(min(5, max(1, round(value))))


def write(out_dir: pathlib.Path, slug: str, rows: list[dict]) -> pathlib.Path:
    """``out_dir/wellness-<slug>.csv`` with ``rows``."""
    path = pathlib.Path(out_dir) / f"wellness-{slug}.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path
