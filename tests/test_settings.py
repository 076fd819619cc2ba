"""Athlete settings: defaults in use, JSON round trip, atomic save, clear errors."""

import datetime as dt
import json

import pytest

from trainlog.errors import SettingsError
from trainlog.settings import AthleteSettings, Goal, ModelSettings, load_settings, save_settings


def test_defaults_are_resolved_and_named():
    resolved = AthleteSettings().resolve()
    assert (resolved.hr_max_bpm, resolved.hr_rest_bpm) == (190.0, 60.0)
    assert resolved.lthr_bpm == pytest.approx(167.2)  # 0.88 x 190
    assert resolved.threshold_pace_s_per_km == 270.0  # 4:30 /km
    assert (resolved.trimp_a, resolved.trimp_b) == (0.75, 1.80)  # unknown sex
    assert resolved.defaults == (
        "sex", "hr_max_bpm", "hr_rest_bpm", "lthr_bpm", "threshold_pace_s_per_km", "timezone", "goal.date"
    )


def test_known_values_are_not_defaults():
    settings = AthleteSettings(sex="male", hr_max_bpm=200.0, hr_rest_bpm=45.0, timezone="Europe/London",
                               goal=Goal(date=dt.date(2026, 3, 20)))
    resolved = settings.resolve()
    assert resolved.lthr_bpm == pytest.approx(176.0)  # 0.88 x 200
    assert (resolved.trimp_a, resolved.trimp_b) == (0.64, 1.92)
    assert resolved.defaults == ("lthr_bpm", "threshold_pace_s_per_km")


def test_goal_defaults_are_the_barkley():
    race = Goal()
    assert (race.ascent_m, race.distance_m, race.time_limit_h, race.loops) == (17698.0, 160000.0, 60.0, 5)
    assert race.loop_ascent_m == pytest.approx(3539.6)


def test_json_round_trip(tmp_path):
    settings = AthleteSettings(
        sex="female", hr_max_bpm=185.0, lthr_bpm=165.0, timezone="America/New_York",
        goal=Goal(name="Barkley fun run", date=dt.date(2027, 3, 19), loops=3),
        model=ModelSettings(ctl_days=30.0, form_band_edges=(-25.0, -5.0, 5.0, 20.0)),
    )
    path = tmp_path / "athlete" / "settings.json"
    save_settings(path, settings)
    assert load_settings(path) == settings
    data = json.loads(path.read_text())
    assert data["schema_version"] == 1
    assert data["goal"]["date"] == "2027-03-19"
    assert list(tmp_path.joinpath("athlete").iterdir()) == [path]  # no temporary file left behind


def test_missing_file_gives_defaults(tmp_path):
    assert load_settings(tmp_path / "nope.json") == AthleteSettings()


def test_partial_json_takes_defaults(tmp_path):
    path = tmp_path / "s.json"
    path.write_text('{"hr_max_bpm": 180, "goal": {"date": "2027-03-19"}}')
    settings = load_settings(path)
    assert settings.hr_max_bpm == 180 and settings.goal.date == dt.date(2027, 3, 19)
    assert settings.goal.ascent_m == 17698.0 and settings.model == ModelSettings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "cannot read settings"),
        ("[1, 2]", "must be a JSON object"),
        ('{"schema_version": 99}', "newer"),
        ('{"sex": "robot"}', "sex must be"),
        ('{"shoe_size": 44}', "invalid settings"),
        ('{"timezone": "Mars/Olympus_Mons"}', "unknown time zone"),
        ('{"hr_rest_bpm": 110, "hr_max_bpm": 120}', "rest < threshold <= max"),
        ('{"hr_rest_bpm": 200}', "hr_rest_bpm 200 is out of range 25..120 bpm"),
        ('{"goal": {"date": "someday"}}', "invalid settings"),
        ('{"model": {"form_band_edges": [5, -5]}}', "edges must ascend"),
    ],
)
def test_bad_settings_raise_a_clear_error_naming_the_file(tmp_path, text, message):
    path = tmp_path / "s.json"
    path.write_text(text)
    with pytest.raises(SettingsError, match=message) as error:
        load_settings(path)
    assert str(path) in str(error.value)


def test_save_never_replaces_an_unreadable_or_newer_file(tmp_path):
    for content in ("{not json", '{"schema_version": 99}'):
        path = tmp_path / "settings.json"
        path.write_text(content)
        with pytest.raises(SettingsError, match=str(path)):
            save_settings(path, AthleteSettings(hr_max_bpm=180))
        assert path.read_text() == content


def test_a_number_too_big_for_a_float_is_one_line():
    from trainlog.settings.parse import parse_number
    with pytest.raises(SettingsError, match="is not a number of a sensible size"):
        parse_number(10**400, "hr_max_bpm")  # a forged form value: never an OverflowError
