"""trainlog.analysis.listing: the activities list of ``trainlog activities`` (rows and lines)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from trainlog.analysis.listing import COLUMNS, activity_lines, activity_notes, activity_rows, roster_lines
from trainlog.store import roster


def row(**changes: object) -> dict:
    """One row as :func:`activity_rows` gives it."""
    r = dict.fromkeys(COLUMNS)
    r.update(activity_id="3f2a9c0d1e2b4a5c-0", date_local="2026-03-13", start_local="2026-03-13T06:47:00",
             sport="running", sub_sport="trail", distance_m=160934.0, elapsed_s=59 * 3600 + 12 * 60 + 3,
             ascent_m=17705.4, load=1017.4, load_source="hr", ascent_confirmed=False, excluded=False, partial=False)
    r.update(changes)
    return r


def test_one_line_per_activity_under_the_header():
    assert activity_lines([row(), row(sport=None, sub_sport="generic", distance_m=None, load=None, ascent_m=None,
                                   start_local=None, date_local=None, activity_id="b")]) == [
        "date       time  sport                   km  duration ascent m   load  id                  notes",
        "2026-03-13 06:47 running/trail       160.93  59:12:03    17705   1017  3f2a9c0d1e2b4a5c-0",
        "                 unknown                     59:12:03        -         b",
    ]


def test_an_estimated_load_is_starred_and_explained():
    lines = activity_lines([row(load=50.0, load_source="duration")])
    assert lines[1].split()[6] == "50*"
    assert lines[-1] == "* load estimated from duration alone (no heart rate, power, usable pace or rating)"


def test_notes_of_a_suspect_confirmed_excluded_or_partial_run():
    suspect = row(ascent_flag="too_fast", ascent_device_m=3000.0, ascent_computed_m=2900.4)
    assert activity_notes(suspect) == "suspect ascent (too fast to be true; watch 3000 m, track 2900 m)"
    assert activity_notes(row(ascent_flag="device_disagrees", ascent_confirmed=True, ascent_device_m=None,
                              ascent_computed_m=100.0, excluded=True, partial=True)) == (
        "confirmed ascent (watch and track disagree; watch - m, track 100 m); excluded from the goal; partial")
    assert activity_notes(row(ascent_flag="new\x1b[2J")).startswith("suspect ascent (new\\x1b[2J;")
    assert activity_notes(row()) == ""
    lines = activity_lines([suspect])
    assert lines[1].endswith("suspect ascent (too fast to be true; watch 3000 m, track 2900 m)")
    assert lines[-1].startswith("suspect ascents are left out of the goal")
    assert not activity_lines([row(ascent_flag="too_fast", ascent_confirmed=True)])[-1].startswith("suspect")


def test_a_sport_from_a_file_is_escaped():
    assert "run\\x1b[2J" in activity_lines([row(sport="run\x1b[2J", sub_sport=None)])[1]


def test_rows_are_json_ready_with_local_and_utc_starts():
    start = dt.datetime(2026, 3, 13, 5, 47, tzinfo=dt.UTC)
    table = pl.DataFrame([{**dict.fromkeys(COLUMNS), "activity_id": "a", "start_utc": start,
                           "start_local": dt.datetime(2026, 3, 13, 6, 47, 30), "distance_m": 1000.0}])
    [got] = activity_rows(table)
    assert list(got)[:4] == ["activity_id", "date_local", "start_local", "start_utc"]
    assert set(got) == {*COLUMNS, "date_local", "start_local", "start_utc"}
    assert (got["date_local"], got["start_local"], got["start_utc"]) == (
        "2026-03-13", "2026-03-13T06:47:30", "2026-03-13T05:47:00+00:00")
    assert got["distance_m"] == 1000.0


def test_roster_lines_align_the_figures_and_show_errors():
    rows = [{"athlete": "mara", "as_of": dt.date(2026, 3, 15), "ctl": 75.2, "tsb": -48.8, "acwr": 1.84,
             "week_ascent_m": 17810.0, "best_7day_ascent_m": 17810.0, "readiness": "flag",
             "flags": ["readiness flag", "acwr spike"]},
            {"athlete": "zed", "error": "cannot read the dataset", "flags": ["error"]}]
    out = roster_lines(roster.conform(rows))
    assert out[0].split() == ["athlete", "day", "CTL", "TSB", "ACWR", "week", "m+", "best", "7d", "m+", "ready", "flags"]
    assert out[1].split() == ["mara", "2026-03-15", "75", "-49", "1.84", "17810", "17810", "flag", "readiness", "flag,",
                              "acwr", "spike"]
    assert out[2].split()[:8] == ["zed", "-", "-", "-", "-", "-", "-", "-"] and out[2].endswith("error: cannot read the dataset")
    assert out[0].index("CTL") + 3 == out[1].index("75") + 2 and out[0].index("ACWR") + 4 == out[1].index("1.84") + 4
