"""trainlog.settings.edit: one edit of an athlete's settings (the CLI's athlete set and the Settings page)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from trainlog.errors import SettingsError
from trainlog.settings import AthleteSettings, Goal, ModelSettings
from trainlog.settings.edit import EDITABLE, check_name, edited, factor, read_value, to_stored

MARA = AthleteSettings(sex="female", hr_max_bpm=186.0, ftp_w=250.0, timezone="Europe/Paris",
                       goal=Goal(name="UTMB", date=dt.date(2026, 8, 28), ascent_m=10000.0),
                       model=dataclasses.replace(ModelSettings(), history_days=28))


def test_changes_are_applied_and_everything_else_kept():
    got = edited(MARA, {"hr_rest_bpm": 45.0, "goal.loops": 1, "goal.date": dt.date(2027, 3, 12)})
    assert (got.hr_rest_bpm, got.goal.loops, got.goal.date) == (45.0, 1, dt.date(2027, 3, 12))
    assert got == dataclasses.replace(MARA, hr_rest_bpm=45.0,
                                      goal=dataclasses.replace(MARA.goal, loops=1, date=dt.date(2027, 3, 12)))
    assert got.model.history_days == 28 and got.ftp_w == 250.0  # what the edit does not name is kept


def test_none_makes_an_athlete_value_unknown():
    got = edited(MARA, {"sex": None, "hr_max_bpm": None})
    assert got.sex is None and got.hr_max_bpm is None and "hr_max_bpm" in got.resolve().defaults


def test_reset_returns_settings_to_their_defaults_after_the_changes():
    got = edited(MARA, {"hr_max_bpm": 190.0, "goal.ascent_m": 5000.0}, reset=["hr_max_bpm", "goal.date", "ftp_w"])
    assert got.hr_max_bpm is None and got.goal.date is None and got.ftp_w is None
    assert got.goal.ascent_m == 5000.0 and got.goal.name == "UTMB" and got.sex == "female"
    assert edited(MARA, {}, reset=["goal.ascent_m", "goal.name"]).goal == dataclasses.replace(
        MARA.goal, ascent_m=Goal().ascent_m, name=Goal().name)


@pytest.mark.parametrize("name", ["wingspan", "goal", "model", "schema_version", "goal.wingspan",
                                  "model.ctl_days", "goal.loop_ascent_m"])
def test_unknown_names_are_refused(name):
    with pytest.raises(SettingsError, match="unknown setting"):
        check_name(name)
    with pytest.raises(SettingsError, match="unknown setting"):
        edited(MARA, {}, reset=[name])
    with pytest.raises(SettingsError, match="unknown setting"):
        edited(MARA, {name: 1})


def test_every_athlete_and_goal_value_is_editable():
    assert set(EDITABLE) == {f.name for f in dataclasses.fields(AthleteSettings)} - {"goal", "model"} | {
        f"goal.{f.name}" for f in dataclasses.fields(Goal)}


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"hr_max_bpm": 300.0}, "hr_max_bpm 300 is out of range"),
     ({"hr_rest_bpm": 100.0, "lthr_bpm": 90.0}, "rest < threshold <= max"),
     ({"goal.loops": 0}, "goal.loops 0 is out of range"),
     ({"timezone": "Mars/Olympus"}, "unknown time zone")],
)
def test_an_edit_is_checked_whole(changes, message):
    with pytest.raises(SettingsError, match=message):
        edited(MARA, changes)


def test_units_convert_to_the_stored_ones():
    assert to_stored("goal.distance_m", 100.5, "km") == 100500.0
    assert to_stored("goal.distance_m", 100.0, "mi") == pytest.approx(160934.4)
    assert to_stored("goal.ascent_m", 1000.0, "ft") == pytest.approx(304.8)
    assert to_stored("threshold_pace_s_per_km", 8 * 60 + 3, "s/mi") == pytest.approx(300.12, abs=0.01)  # 8:03 /mi is 5:00 /km
    assert to_stored("goal.loops", 3) == 3 and isinstance(to_stored("goal.loops", 3), int)  # no unit: as given
    assert factor("goal.distance_m", None) == 1.0
    for name, unit in (("goal.distance_m", "ft"), ("hr_max_bpm", "km"), ("goal.ascent_m", "furlong")):
        with pytest.raises(SettingsError, match="cannot be given in"):
            to_stored(name, 1.0, unit)


def test_read_value_reads_a_pace_or_a_number_in_a_unit():
    assert read_value("threshold_pace_s_per_km", "5:10") == 310.0
    assert read_value("threshold_pace_s_per_km", "310") == 310.0
    assert read_value("threshold_pace_s_per_km", "8:03", "s/mi") == pytest.approx(483 * 1000 / 1609.344)
    assert read_value("goal.distance_m", " 160 ", "km") == 160000.0
    assert read_value("hr_max_bpm", "186") == 186.0
    assert read_value("hr_max_bpm", "") is None and read_value("threshold_pace_s_per_km", None) is None
    with pytest.raises(SettingsError, match="threshold_pace_s_per_km 'fast' is not a pace"):
        read_value("threshold_pace_s_per_km", "fast")
    with pytest.raises(SettingsError, match="hr_max_bpm '4:30' is not a number"):
        read_value("hr_max_bpm", "4:30")  # a pace is read as a pace only where a pace is asked
