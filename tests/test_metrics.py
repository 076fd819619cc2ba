"""trainlog.analysis.metrics: the metric registry agrees with the frames analyse() produces,
and every metric is documented (unit, description, the docs' Markdown table)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from builders import activities, samples, utc

from trainlog.analysis import metrics, pipeline
from trainlog.settings import AthleteSettings

TODAY = dt.date(2024, 3, 12)


@pytest.fixture(scope="module")
def analysis() -> pipeline.Analysis:
    """Two weeks: a hilly run with heart rate and samples, a ride without, a run the week after."""
    acts = activities(
        {"activity_id": "run", "start_utc": utc(2024, 3, 4, 9), "file_sha256": "f1", "elapsed_s": 600.0,
         "timer_s": 600.0, "distance_m": 1800.0, "ascent_device_m": 60.0, "descent_device_m": 0.0},
        {"activity_id": "ride", "sport": "cycling", "start_utc": utc(2024, 3, 6, 17), "file_sha256": "f2",
         "elapsed_s": 3600.0, "timer_s": 3600.0, "distance_m": 30000.0},
        {"activity_id": "late", "start_utc": utc(2024, 3, 11, 6), "file_sha256": "f3", "elapsed_s": 1800.0,
         "timer_s": 1800.0, "distance_m": 5000.0, "utc_offset_s": None},
    )
    n = 601
    smp = samples("run", utc(2024, 3, 4, 9), n=n, distance_m=[3.0 * i for i in range(n)],
                  altitude_m=[500.0 + 0.1 * i for i in range(n)], hr_bpm=[150.0] * n)
    return pipeline.analyse(acts, smp, AthleteSettings(timezone="Europe/Paris"), today=TODAY)


def test_the_per_activity_frame_has_the_activity_registrys_columns_and_dtypes(analysis):
    frame = analysis.per_activity
    assert frame.schema == pl.Schema(metrics.schema("activity"))  # names, order and dtypes
    assert frame.height == 3


def test_the_daily_frame_is_the_daily_registry_then_the_fitness_registry(analysis):
    expected = {**metrics.schema("daily"), **metrics.schema("fitness")}
    assert analysis.daily.schema == pl.Schema(expected)
    assert analysis.daily["date"].to_list() == [dt.date(2024, 3, 4) + dt.timedelta(days=i) for i in range(9)]


def test_the_weekly_frame_has_the_weekly_registrys_columns_and_dtypes(analysis):
    assert analysis.weekly.schema == pl.Schema(metrics.schema("weekly"))
    assert sorted(set(analysis.weekly["sport"])) == ["all", "cycling", "running"]


@pytest.mark.parametrize("table", list(metrics.TABLES))
def test_units_name_the_same_columns_as_the_schema_in_the_same_order(table):
    assert list(metrics.units(table)) == list(metrics.schema(table))
    assert len(metrics.schema(table)) == len(metrics.TABLES[table])  # no column declared twice


def test_the_tables_are_the_four_frames():
    assert list(metrics.TABLES) == ["activity", "daily", "fitness", "weekly"]
    with pytest.raises(KeyError):
        metrics.schema("samples")


#: A column's name ends in its unit (schema.py: "Units are in the column names").
SUFFIX_UNIT = {"_m": "m", "_s": "s", "_pct": "%", "_w": "W", "_s_per_km": "s/km", "_m_per_h": "m/h"}


@pytest.mark.parametrize("table", list(metrics.TABLES))
def test_every_metric_has_a_unit_and_a_description(table):
    for m in metrics.TABLES[table]:
        assert isinstance(m.unit, str), m.name
        assert m.description.strip() and "\n" not in m.description, m.name
        suffix = max((s for s in SUFFIX_UNIT if m.name.endswith(s)), key=len, default=None)
        if suffix is not None:
            assert m.unit == SUFFIX_UNIT[suffix], (m.name, m.unit)
        if m.dtype in (pl.Date,) or m.name in ("date", "week_start", "start_date"):
            assert m.unit == "local date", m.name


def test_units_worked_out_for_a_few_metrics():
    act = metrics.units("activity")
    assert (act["gap_s_per_km"], act["vertical_speed_m_per_h"], act["rpe"], act["km_effort"]) == ("s/km", "m/h", "CR-10", "km")
    assert act["start_utc"] == "UTC" and act["load"] == ""
    assert metrics.units("fitness")["ascent_ctl"] == "m/day" and metrics.units("fitness")["ramp"] == "/week"


@pytest.mark.parametrize("table", list(metrics.TABLES))
def test_markdown_lists_every_column_once_with_its_unit_and_description(table):
    lines = metrics.markdown(table).splitlines()
    assert lines[:2] == ["| column | unit | description |", "| --- | --- | --- |"]
    rows = lines[2:]
    assert len(rows) == len(metrics.TABLES[table])
    for row, m in zip(rows, metrics.TABLES[table]):
        assert row == f"| `{m.name}` | {m.unit} | {m.description} |"
    text = metrics.markdown(table)
    for m in metrics.TABLES[table]:
        assert text.count(f"`{m.name}`") == 1, m.name


def test_metric_is_frozen():
    m = metrics.ACTIVITY[0]
    with pytest.raises(AttributeError):
        m.unit = "km"  # type: ignore[misc]
