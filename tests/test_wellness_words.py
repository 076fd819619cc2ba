"""dashboards.wellness_words: the mornings and the readiness in plain words (Today, Coach, the Wellness page)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from builders import fitness_frame, wellness_days

from dashboards import wellness_words as words
from dashboards.readings import Tone
from trainlog.analysis import readiness
from trainlog.settings import ModelSettings

MODEL = ModelSettings()
SMALL = dataclasses.replace(MODEL, readiness_baseline_min_values=2)
FIRST = dt.date(2026, 3, 1)


@pytest.mark.parametrize("column, value, said", [
    ("sleep_h", 7.5, "sleep 7.5 h"), ("sleep_h", 7 + 1 / 3, "sleep 7.33 h"), ("resting_hr_bpm", 50.0, "resting HR 50 bpm"),
    ("hrv_rmssd_ms", 62.4, "HRV (rMSSD) 62.4 ms"), ("soreness", 2, "soreness 2 (mild)"), ("mood", 5, "mood 5 (great)"),
    ("illness", True, "ill or injured"), ("illness", False, "not ill or injured"), ("note", "heavy legs", "a note"),
    ("note", "", "the note cleared"),
])
def test_a_value_in_words(column, value, said):
    assert words.value_words(column, value) == said


def test_the_values_given_in_the_fields_order():
    assert words.values_words({"mood": 4, "sleep_h": 6.0, "fatigue": None}) == "sleep 6 h, mood 4 (good)"
    assert words.values_words({}) == "nothing"


def test_a_day_with_flags_in_words_and_tones():
    daily = wellness_days(FIRST, sleep_h=[5.0], soreness=[5], illness=[True])
    r = readiness.day_readiness(daily, FIRST, MODEL)
    assert words.level_words(r) == "1 flag, 2 warnings" and words.level_tone(r["level"]) == Tone.BAD
    assert words.short_flags(r) == "ill or injured, slept 5.0 h, soreness 5/5"  # loudest first
    calm = readiness.day_readiness(wellness_days(FIRST, sleep_h=[8.0]), FIRST, MODEL)
    assert (words.level_words(calm), words.level_tone(calm["level"]), words.short_flags(calm)) == ("ok", Tone.GOOD, "")
    nothing = readiness.day_readiness(wellness_days(FIRST, sleep_h=[8.0]), FIRST + dt.timedelta(days=3), MODEL)
    assert words.level_words(nothing) == "no check-in" and words.level_tone(nothing["level"]) == Tone.NONE


def test_the_baselines_say_how_many_mornings_they_still_need():
    daily = wellness_days(FIRST, hrv_rmssd_ms=[40.0, 60.0, 40.0, 60.0, 50.0], resting_hr_bpm=[48.0] * 5)
    r = readiness.day_readiness(daily, FIRST + dt.timedelta(days=4), MODEL)  # 4 mornings before the day
    assert words.hrv_words(r["baselines"]["hrv"]) == "building baseline: 10 more mornings needed (4 of 14)"
    assert words.resting_hr_words(r["baselines"]["resting_hr"]) == "building baseline: 10 more mornings needed (4 of 14)"
    ready = readiness.day_readiness(daily, FIRST + dt.timedelta(days=4), SMALL)
    hrv = ready["baselines"]["hrv"]
    assert words.hrv_words(hrv) == (f"{hrv['mean_7d_ms']:.0f} ms over 7 days, normal {hrv['normal_low_ms']:.0f}–"
                                    f"{hrv['normal_high_ms']:.0f} ms: normal")
    assert words.resting_hr_words(ready["baselines"]["resting_hr"]) == "baseline 48 bpm (+0 today)"


def test_the_wellness_page_readings():
    daily = wellness_days(FIRST, hrv_rmssd_ms=[50.0, 50.0], resting_hr_bpm=[48.0, 60.0], sleep_h=[7.0, 5.0],
                          soreness=[2, 4])
    shown = readiness.signals(daily, SMALL)
    assert words.hrv_reading(shown, SMALL) == ("No 7-day HRV average in these days: it needs 3 mornings with HRV "
                                               "within 7 days.")
    assert words.resting_hr_reading(shown, SMALL) == ("On Mon 2 Mar 2026 resting HR was 60 bpm; no baseline yet, "
                                                      "building baseline: 1 more morning needed (1 of 2).")
    assert words.sleep_reading(shown, SMALL) == "2 nights recorded, 6.0 h on average; 1 under 6 h."
    assert words.scales_reading(shown).startswith("Latest: soreness 4 (high) on Mon 2 Mar 2026.")
    loads = fitness_frame(FIRST, [100.0, 40.0])
    assert words.load_reading(loads, shown) == ("140 load points in these days; 40 a day on the 1 morning with a "
                                                "warning or flag, 100 on the others.")
    assert words.load_reading(fitness_frame(FIRST, [0.0]), shown) == "No training load in these days."
