"""trainlog.settings.show: the lines of ``trainlog athlete show``."""

from __future__ import annotations

import dataclasses
import datetime as dt

from trainlog.settings import AthleteSettings, Goal, ModelSettings
from trainlog.settings.show import model_rows, settings_lines


def test_the_values_in_use_with_the_defaults_marked():
    lines = settings_lines("mara", AthleteSettings(sex="female", hr_max_bpm=186.0, threshold_pace_s_per_km=310.0,
                                                   goal=Goal(name="UTMB", date=dt.date(2026, 8, 28))))
    assert lines[:15] == [
        "athlete mara",
        "  sex                      female",
        "  hr_max_bpm               186",
        "  hr_rest_bpm              60   (default)",
        "  lthr_bpm                 163.68   (default)",
        "  threshold_pace_s_per_km  310 (5:10 /km)",
        "  timezone                 machine's local zone   (default)",
        "  ftp_w                    not set (no power load)",
        "  start_ctl                not set (0)",
        "  start_atl                not set (0)",
        "  available_hours_per_week not set (20, the plan's default cap)",
        "  default_sport            running (GPX or TCX files that name no sport)",
        "  weight_kg                not set",
        "                           without a starting fitness, the first 42 days build history: no bands, no warnings",
        "  goal                     UTMB, 2026-08-28, 17698 m ascent, 160 km, 60 h limit, 5 loop(s)",
    ]
    assert lines[15].startswith("  model (every constant")
    assert len(lines) == 16 + len(dataclasses.fields(ModelSettings))


def test_dated_changes_are_listed_after_the_values_before_them():
    settings = AthleteSettings(lthr_bpm=160.0).with_change(dt.date(2026, 1, 10), {"lthr_bpm": 170.0, "ftp_w": 250.0})
    settings = settings.with_change(dt.date(2025, 6, 1), {"weight_kg": 61.5})
    lines = settings_lines("mara", settings)
    at = lines.index("  dated changes (each run is scored with the values in force on its day; those above hold "
                     "before the first):")
    assert lines[at + 1:at + 3] == ["    from 2025-06-01: weight_kg 61.5",
                                    "    from 2026-01-10: lthr_bpm 170, ftp_w 250"]
    assert "  lthr_bpm                 160" in lines


def test_a_starting_fitness_and_a_changed_constant():
    model = dataclasses.replace(ModelSettings(), history_days=28, goal_sports=("running",),
                                duration_load_per_hour_by_sport={"yoga": 20.0, "cycling": 40.0})
    lines = settings_lines("tom", AthleteSettings(start_ctl=55.5, model=model))
    assert "  start_ctl                55.5" in lines and not any("without a starting fitness" in x for x in lines)
    assert "  * history_days                     28   (default 42)" in lines
    assert "  * goal_sports                      running   (default running, walking, hiking, mountaineering)" in lines
    assert "  * duration_load_per_hour_by_sport  cycling 40, yoga 20   (default none)" in lines
    assert "    ctl_days                         42" in lines


def test_model_rows_are_every_constant_as_text():
    rows = model_rows(ModelSettings())
    assert [name for name, _, _ in rows] == [f.name for f in dataclasses.fields(ModelSettings)]
    assert all(value == default for _, value, default in rows)
    assert dict((n, v) for n, v, _ in rows)["form_band_edges"] == "-30, -10, 5, 25"
