"""Readings of the summary's bands (dashboards/readings.py): known by their position in the settings' labels."""

import dataclasses

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
    spike = "Acute:chronic ratio 1.90: a load spike."
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


def test_on_track_in_words_and_tone():
    assert readings.track(True) == ("on track", "good")
    assert readings.track(False) == ("behind the plan", "warn")
    assert readings.track(None) == (u.DASH, "")
