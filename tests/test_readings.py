"""Readings of the summary's bands (dashboards/readings.py): known by their position in the settings' labels;
the words of the ramp, load sources, days shown and the goal's empty and contradictory states."""

import dataclasses
import datetime as dt

import pytest

from dashboards import readings
from dashboards import units as u
from trainlog.settings import ModelSettings

DEFAULT = ModelSettings()
#: The default bands relabelled: the same five form bands and four ACWR bands under other words.
RELABELLED = dataclasses.replace(
    DEFAULT,
    form_band_labels=("very tired", "building", "steady", "rested", "detraining"),
    acwr_band_labels=("light", "matched", "heavy", "spike"),
)


def summary(acwr_band, monotony_band=None):
    return {
        "form": {"ramp": 1.0, "band": "steady", "building_history": False},
        "acwr": {"value": 1.9, "band": acwr_band},
        "monotony": {"value": 2.5, "band": monotony_band},
        "load_sources": {"hr": 3},
        "defaults_in_use": [],
    }


@pytest.mark.parametrize(("default", "relabelled", "reading", "tone"), [
    ("high risk", "very tired", "Deep fatigue: load is far above fitness. Plan easy days soon.", "bad"),
    ("optimal", "building", "Productive training: fatigue is building fitness.", "good"),
    ("grey zone", "steady", "Maintaining: neither building much fitness nor freshening up.", ""),
    ("fresh", "rested", "Fresh: ready for a hard session or a race.", "good"),
    ("transition", "detraining", "Very fresh: fitness is fading for lack of load.", "warn"),
])
def test_a_relabelled_form_band_keeps_its_reading_and_tone(default, relabelled, reading, tone):
    assert readings.form_reading(default) == reading and readings.form_tone(default) == tone
    assert readings.form_reading(relabelled, RELABELLED) == reading
    assert readings.form_tone(relabelled, RELABELLED) == tone
    assert readings.form_reading(default, RELABELLED) == readings.NO_READING  # the old words are no band now


@pytest.mark.parametrize(("default", "relabelled", "reading", "tone"), [
    ("undertraining", "light", "The last week is light compared with the last month.", ""),
    ("sweet spot", "matched", "The last week matches what the last month prepared you for.", "good"),
    ("caution", "heavy", "The last week is heavier than the last month prepared you for.", "warn"),
    ("danger", "spike", "A spike: the last week is far above the last month. Injury risk is higher.", "bad"),
])
def test_a_relabelled_acwr_band_keeps_its_reading_and_tone(default, relabelled, reading, tone):
    assert readings.acwr_reading(default) == reading and readings.acwr_tone(default) == tone
    assert readings.acwr_reading(relabelled, RELABELLED) == reading
    assert readings.acwr_tone(relabelled, RELABELLED) == tone


def test_no_band_no_reading():
    assert readings.form_reading(None) == readings.NO_READING and readings.form_tone(None) == readings.Tone.NONE
    assert readings.acwr_reading("made up") == readings.NO_READING and readings.acwr_tone("made up") == ""


def test_with_another_number_of_bands_only_a_default_label_is_known():
    six = dataclasses.replace(DEFAULT, form_band_edges=(-40.0, -30.0, -10.0, 5.0, 25.0),
                              form_band_labels=("overreached", "high risk", "optimal", "grey zone", "fresh", "transition"))
    # positions no longer match the default bands: "optimal" is third here but still the default's second
    assert readings.form_reading("optimal", six) == readings.FORM_READINGS[1]
    assert readings.form_tone("high risk", six) == readings.Tone.BAD
    assert readings.form_reading("overreached", six) == readings.NO_READING


def test_the_spike_warning_follows_the_highest_acwr_band_whatever_its_label():
    spike = "Acute:chronic ratio (ACWR) 1.90: a load spike, the last week far above the last four."
    assert spike in readings.warnings(summary("danger"), DEFAULT)
    assert spike in readings.warnings(summary("spike"), RELABELLED)
    assert spike not in readings.warnings(summary("danger"), RELABELLED)
    assert spike not in readings.warnings(summary("heavy"), RELABELLED)


def test_monotony_warns_and_flags_by_level():
    flagged = readings.warnings(summary(None, "flag"), DEFAULT)
    warned = readings.warnings(summary(None, "warn"), DEFAULT)
    assert flagged[0].startswith("Monotony 2.5 (above 2):") and "add easy days" in flagged[0]
    assert warned[0] == "Monotony 2.5 (above 1.5): vary hard and easy days."
    assert not any(w.startswith("Monotony") for w in readings.warnings(summary(None, "ok"), DEFAULT))


def test_the_ramp_in_words_never_reads_minus_zero():
    assert readings.ramp_words(13.84) == "rising 13.8 points a week"
    assert readings.ramp_words(-2.06) == "falling 2.1 points a week"
    assert readings.ramp_words(-0.04) == readings.ramp_words(0.0) == readings.ramp_words(0.049) == "steady"
    assert readings.ramp_words(0.05) == "rising 0.1 points a week"  # from 0.05 on, a direction (0.05 shows as 0.1)
    assert readings.ramp_words(None) == u.DASH
    ramping = {**summary(None), "form": {"ramp": 12.6, "band": "steady", "building_history": False}}
    assert "Fitness is rising 12.6 points a week (more than 8): too fast to last." in readings.warnings(ramping, DEFAULT)


def test_every_load_source_has_plain_words():
    from trainlog.analysis.load import LOAD_SOURCES

    words = {source: readings.load_from(source) for source in LOAD_SOURCES}
    assert words == {"hr": "from heart rate", "power": "from power", "gap": "from grade-adjusted pace",
                     "rpe": "from your effort rating (RPE)", "duration": "estimated from the duration"}
    assert readings.load_from(None) == "source unknown"
    estimated = {**summary(None), "load_sources": {"hr": 2, "gap": 1, "duration": 2}}
    assert readings.warnings(estimated, DEFAULT)[-1] == (
        "Load estimated without heart rate or power for 1 activity (from grade-adjusted pace), "
        "2 activities (estimated from the duration).")


def test_the_day_shown_in_words():
    today, last = dt.date(2026, 12, 1), dt.date(2026, 3, 15)
    assert readings.day_role(today, today, last) == readings.TODAY
    assert readings.day_role(last, today, last) == readings.LAST_DAY
    assert readings.day_role(dt.date(2026, 2, 1), today, last) is None
    assert readings.day_words(today, readings.TODAY) == "Tue 1 Dec 2026 (today)"
    assert readings.day_words(last, readings.LAST_DAY) == "Sun 15 Mar 2026 (last day with training)"
    assert readings.day_words(dt.date(2026, 2, 1), None) == "Sun 1 Feb 2026"
    assert readings.run_name({"start_date": dt.date(2026, 3, 11), "sport": "running"}) == "Wed 11 Mar 2026 running"


def goal(**changes):
    """The summary's goal dict: 17,698 m in 31 days, 9,000 m needed this week, 10,000 m in the last 7 days."""
    return {"ascent_m": 17698.0, "date": "2026-04-15", "days_to_goal": 31, "needed_weekly_ascent_m": 9000.0,
            "current_weekly_ascent_m": 10000.0, "on_track": True, "projected_date": "2026-05-03",
            "trend_m_per_week": 1500.0, **changes}


def test_needed_this_week_says_every_state_in_words():
    assert readings.needed_words(goal(), u.METRIC) == (
        "9,000 m", "on track: the last 7 days climbed 10,000 m", readings.Tone.GOOD)
    behind = goal(current_weekly_ascent_m=4000.0, on_track=False)
    assert readings.needed_words(behind, u.METRIC) == (
        "9,000 m", "behind the plan: the last 7 days climbed 4,000 m", readings.Tone.WARN)
    # no goal date: said inside the card (the page links "Settings"), never "– / –"
    no_date = goal(date=None, days_to_goal=None, needed_weekly_ascent_m=None, on_track=None)
    assert readings.need_state(no_date) == readings.NO_DATE
    assert readings.needed_words(no_date, u.METRIC) == ("no goal date", "Set the goal's date", readings.Tone.NONE)
    passed = goal(days_to_goal=-2, needed_weekly_ascent_m=None, on_track=None)
    assert readings.needed_words(passed, u.METRIC)[:2] == ("goal date passed", "Set the next goal's date")
    # the last 7 days climbed the goal's ascent: reached, whatever the date says
    for state in (goal(), no_date, passed):
        reached = {**state, "current_weekly_ascent_m": 17810.0}
        assert readings.needed_words(reached, u.METRIC) == (
            "reached", "the last 7 days climbed 17,810 m, the goal's whole ascent", readings.Tone.GOOD)
    assert readings.needed_words(goal(current_weekly_ascent_m=17810.0), u.IMPERIAL)[1].endswith("58,432 ft, the goal's "
                                                                                               "whole ascent")


def test_the_trend_date_agrees_with_the_last_7_days():
    today = dt.date(2026, 3, 15)
    assert readings.projection_words(goal(), today, 4) == (
        "Sun 3 May 2026", "after the goal date: as a weekly total, following a straight line through the last 4 weeks")
    assert readings.projection_words(goal(projected_date="2026-04-12"), today, 4) == (
        "Sun 12 Apr 2026", "as a weekly total, following a straight line through the last 4 weeks")
    # the last 7 days are above the goal while the trend line reaches it later: "reached", the later date explained
    value, detail = readings.projection_words(goal(current_weekly_ascent_m=17810.0, projected_date="2026-03-29"),
                                              today, 4)
    assert value == "reached"
    assert detail == ("the last 7 days climbed the goal's ascent; a straight line through the last 4 weeks alone "
                      "would reach it on Sun 29 Mar 2026")
    assert readings.projection_words(goal(current_weekly_ascent_m=17810.0, projected_date="2026-03-15"), today, 4) == (
        "reached", "the last 7 days climbed the goal's ascent")
    flat = goal(projected_date=None, trend_m_per_week=-10.0)
    assert readings.projection_words(flat, today, 4) == (
        "not at this trend", "a straight line through the last 4 weeks never gets there: it is flat or falling")
    slow = goal(projected_date=None, trend_m_per_week=0.5)
    assert readings.projection_words(slow, today, 4)[1].endswith("it grows too slowly")

