"""trainlog.ingest.plan_csv: a plan written in a spreadsheet, read and written back."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from trainlog.errors import InvalidValue
from trainlog.ingest.plan_csv import MAX_BYTES, parse_plan, plan_text, read_plan
from trainlog.store.plans import Race

RACE = Race("Barkley Marathons", dt.date(2027, 3, 19), 17698.0)
HEADER = "row,date,type,hours,ascent_m,descent_m,load,long_sessions,note\n"


def test_a_plan_with_weeks_and_sessions_reads_with_defaults_for_empty_cells():
    plan = parse_plan(HEADER + "week,2027-01-06,build,12,5000,,,,\n"  # a Wednesday: the plan keeps its Monday
                      "week,2027-03-15,race,2,500,400,30,,\n"
                      "day,2027-01-09,long,4,1500,,,,hills above the lake\n", RACE, load_per_hour=40.0)
    weeks = plan.weeks.to_dicts()
    assert weeks[0] == {"week_start": dt.date(2027, 1, 4), "kind": "build", "planned_hours": 12.0,
                        "planned_ascent_m": 5000.0, "planned_descent_m": 5000.0, "long_sessions": 1,
                        "planned_load": 480.0, "note": None}
    assert (weeks[1]["planned_descent_m"], weeks[1]["planned_load"], weeks[1]["long_sessions"]) == (400.0, 30.0, 0)
    assert plan.days.to_dicts() == [{"date": dt.date(2027, 1, 9), "session": "long", "hours": 4.0, "ascent_m": 1500.0,
                                     "load": None, "note": "hills above the lake"}]
    assert plan.race == RACE and plan.source == "import"


def test_semicolons_decimal_commas_a_byte_order_mark_and_any_column_order_are_read(tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes("\ufeffType;Row;Date;Hours;Ascent_m\nbuild;week;2027-01-04;12,5;4000,5\n".encode())
    plan = read_plan(path, RACE, 50.0)
    assert plan.weeks.row(0, named=True)["planned_hours"] == 12.5
    assert plan.weeks.row(0, named=True)["planned_ascent_m"] == 4000.5


@pytest.mark.parametrize("body, message", [
    ("", "the plan file is empty"),
    ("row,date,type\n", "missing column hours"),
    ("row,date,type,hours,speed\n", "unknown column 'speed'"),
    (HEADER, "no week rows"),
    (HEADER + "week,2027-01-04,build,12,5000,,,,,extra\n", "line 2: 10 cells for 9 columns"),
    (HEADER + "month,2027-01-04,build,12\n", "line 2: row 'month' is not week or day"),
    (HEADER + "week,2027-02-30,build,12\n", "line 2: date '2027-02-30' is not a date"),
    (HEADER + "week,2027-01-04,build,\n", "line 2: hours is empty"),
    (HEADER + "week,2027-01-04,build,twelve\n", "line 2: hours 'twelve' is not a number"),
    (HEADER + "week,2027-01-04,build,inf\n", "line 2: hours 'inf' is not a finite number"),
    (HEADER + "week,2027-01-04,build,200\n", "line 2: week of 2027-01-04: planned_hours 200.0 is out of range 0..168 h"),
    (HEADER + "week,2027-01-04,sprint,12\n", "line 2: week of 2027-01-04: kind 'sprint' is not one of"),
    (HEADER + "week,2027-01-04,build,12,,,,2.5\n", "line 2: long_sessions 2.5 is not a whole number"),
    (HEADER + "week,2027-01-04,build,12\nweek,2027-01-05,build,10\n", "line 3: week of 2027-01-04 is in the file twice"),
    (HEADER + "week,2027-01-04,build,12\nday,2027-01-05,nap,1\n", "line 3: session of 2027-01-05: type 'nap'"),
    (HEADER + "week,2027-01-04,build,12\nday,2027-01-05,easy,25\n", "line 3: session of 2027-01-05: hours 25.0"),
    (HEADER + "week,2027-01-04,build,12,,,,,\"a\nb\"\n", "contains control characters"),
])
def test_every_bad_file_is_one_line_naming_the_line(body, message):
    with pytest.raises(InvalidValue) as err:
        parse_plan(body, RACE, 50.0, "plan.csv")
    assert message in str(err.value) and str(err.value).startswith("plan.csv"), str(err.value)
    assert "\n" not in str(err.value)


def test_unreadable_huge_and_non_utf8_files_are_one_line(tmp_path):
    with pytest.raises(InvalidValue, match="cannot read the plan file"):
        read_plan(tmp_path / "missing.csv", RACE, 50.0)
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (MAX_BYTES + 1))
    with pytest.raises(InvalidValue, match="a plan file is at most 1,000,000 bytes"):
        read_plan(big, RACE, 50.0)
    latin = tmp_path / "latin.csv"
    latin.write_bytes((HEADER + "week,2027-01-04,build,12,,,,,caf\xe9\n").encode("latin-1"))
    with pytest.raises(InvalidValue, match="not UTF-8 text"):
        read_plan(latin, RACE, 50.0)


def test_export_then_read_gives_the_same_plan_and_notes_never_become_formulas():
    text = HEADER + ("week,2027-01-04,build,12.5,5000,4800,480,2,=HYPERLINK(\"http://x\")\n"
                     "week,2027-01-11,recovery,8,3000,3000,300,1,\"easy, with a comma\"\n"
                     "day,2027-01-09,long,4,1500,,200,,+1 day\n")
    plan = parse_plan(text, RACE, 50.0)
    written = plan_text(plan)
    assert ',"\'=HYPERLINK' in written and ",'+1 day" in written  # a spreadsheet shows them as text
    again = parse_plan(written, RACE, 50.0)
    assert again.weeks.equals(plan.weeks) and again.days.equals(plan.days)
    assert again.weeks["note"].to_list() == ['=HYPERLINK("http://x")', "easy, with a comma"]
    assert plan.days["load"].to_list() == [200.0]
    assert isinstance(plan.weeks, pl.DataFrame)
