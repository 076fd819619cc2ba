"""``trainlog plan``: generate, show, set, import, export, and the plan in ``trainlog summary``,
run as a user runs them (a subprocess) on the sample athlete's whole history."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from builders import ROOT, SAMPLE_FIT, tree

from trainlog.settings import ModelSettings

#: The sample athlete's "today" for these tests, and her goal race 16 weeks later.
TODAY = "2025-11-20"
RACE = (dt.date.fromisoformat(TODAY) + dt.timedelta(weeks=16)).isoformat()
MODEL = ModelSettings()


def cli(*args: object, data: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "trainlog", *map(str, args), "--data-dir", str(data)],
        capture_output=True, text=True, cwd=ROOT, timeout=300, input=stdin, env={**os.environ},
    )


def ok(res: subprocess.CompletedProcess) -> str:
    assert res.returncode == 0 and not res.stderr.strip(), res.stderr
    return res.stdout


def one_error_line(res: subprocess.CompletedProcess) -> str:
    assert res.returncode != 0 and "Traceback" not in res.stderr, res.stderr
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    return lines[0]


@pytest.fixture(scope="module")
def mara_dir(tmp_path_factory) -> Path:
    """The sample athlete mara's whole history imported, her goal race 16 weeks after :data:`TODAY` (read only)."""
    data = tmp_path_factory.mktemp("plan") / "data"
    ok(cli("import", SAMPLE_FIT / "mara", "-a", "mara", data=data))
    ok(cli("athlete", "set", "-a", "mara", "--goal-date", RACE, data=data))
    return data


@pytest.fixture
def data(mara_dir, tmp_path) -> Path:
    """A copy of :func:`mara_dir` a test may change."""
    copy = tmp_path / "data"
    shutil.copytree(mara_dir, copy)
    return copy


@pytest.fixture
def planned(data) -> Path:
    """:func:`data` with a generated plan."""
    ok(cli("plan", "generate", "-a", "mara", "--today", TODAY, data=data))
    return data


def show(data: Path, today: str = TODAY) -> dict:
    return json.loads(ok(cli("plan", "show", "-a", "mara", "--today", today, "--json", data=data)))


def test_generate_then_show_on_the_sample_athlete_gives_a_fresh_race_morning_and_a_peak_or_says_why(data):
    out = ok(cli("plan", "generate", "-a", "mara", "--today", TODAY, data=data))
    assert "Saved as revision 1." in out
    rep = show(data)
    assert rep["race"] == {"name": "Barkley Marathons", "date": RACE, "ascent_m": 17698.0}
    weeks = rep["weeks"]
    assert [w["week_start"] for w in weeks][0] == "2025-11-17" and weeks[-1]["kind"] == "race"
    assert dt.date.fromisoformat(weeks[-1]["week_start"]) <= dt.date.fromisoformat(RACE) < \
        dt.date.fromisoformat(weeks[-1]["week_start"]) + dt.timedelta(days=7)
    for w in weeks:  # the names of the interface
        assert {"week_start", "kind", "planned_hours", "planned_ascent_m", "planned_load", "done_hours",
                "done_ascent_m", "done_load", "compliance"} <= set(w)
        assert set(w["compliance"]) == {"hours", "ascent", "load"}
    morning = rep["projection"]["race_morning"]
    assert set(morning) >= {"ctl", "atl", "tsb", "ascent_ctl"}
    assert MODEL.taper_form_min <= morning["tsb"] <= MODEL.taper_form_max
    assert morning["tsb"] == pytest.approx(morning["ctl"] - morning["atl"])
    # the peak week reaches the share of the race's ascent, or a warning says why not
    top = max(w["planned_ascent_m"] for w in weeks)
    target = MODEL.plan_peak_share * 17698.0
    if top < target:
        assert any("short of the 50% target" in w for w in rep["projection"]["warnings"]), rep["projection"]
        assert "short of the 50% target" in out  # generate said so too, with the reason
        assert "too close" in out or "available" in out
    assert any(w["kind"] == "peak" and w["long_sessions"] >= 2 for w in weeks)  # a back-to-back block
    assert {"date", "advised_load", "advised_ascent_m", "target_tsb"} <= set(rep["today"])
    assert rep["today"]["date"] == TODAY


def test_summary_json_carries_todays_advice_and_race_morning(planned):
    rep = show(planned)
    summary = json.loads(ok(cli("summary", "-a", "mara", "--today", TODAY, "--json", data=planned)))
    assert summary["plan"]["today"] == rep["today"]
    assert summary["plan"]["race_morning"] == rep["projection"]["race_morning"]
    advice = summary["plan"]["today"]
    assert advice["advised_load"] >= 0 and advice["rest"] == (advice["advised_load"] <= 0.5)
    text = ok(cli("summary", "-a", "mara", "--today", TODAY, data=planned))
    assert ("today: rest" if advice["rest"] else f"today: load {advice['advised_load']:.0f}") in text
    # on a Monday, the week's first day (the plan's form is followed from the week's start), the advice is the
    # plan's load for the day; later in the week it makes up for what was done more or less than planned
    monday = json.loads(ok(cli("plan", "show", "-a", "mara", "--today", "2025-11-17", "--json", data=planned)))["today"]
    assert monday["advised_load"] == pytest.approx(monday["planned_load"], abs=0.01)
    assert f"race morning ({RACE})" in text


def test_show_text_lists_the_weeks_race_morning_and_today(planned):
    text = ok(cli("plan", "show", "-a", "mara", "--today", "2026-01-10", data=planned))
    assert "Plan for Barkley Marathons on" in text and "revision 1 (generate)" in text
    assert "2025-11-17  base" in text
    assert "Race morning (" in text and "Today (2026-01-10):" in text
    # weeks over by then are coloured: ok / off / miss per hours, ascent and load
    line = next(li for li in text.splitlines() if li.startswith("2025-11-24"))
    assert line.rstrip().split("| ")[-1].count("/") == 2


def test_without_a_plan_show_follows_the_last_28_days(data):
    rep = show(data)
    assert rep["revision"] is None and rep["weeks"] == []
    assert rep["projection"]["follows"] == "pattern"
    assert rep["projection"]["race_morning"] == rep["projection"]["pattern_race_morning"]
    assert "No plan yet" in ok(cli("plan", "show", "-a", "mara", "--today", TODAY, data=data))


def test_set_changes_one_week_as_a_new_revision_and_the_projection_follows(planned):
    before = show(planned)
    week = before["weeks"][1]
    out = ok(cli("plan", "set", week["week_start"], "-a", "mara", "--ascent", "1000", "--hours", "4", data=planned))
    assert "Saved as revision 2" in out
    after = show(planned)
    changed = after["weeks"][1]
    assert (changed["planned_ascent_m"], changed["planned_hours"]) == (1000.0, 4.0)
    assert changed["planned_descent_m"] == 1000.0  # the descent follows the ascent
    assert changed["planned_load"] == pytest.approx(week["planned_load"] * 4 / week["planned_hours"])
    assert after["weeks"][2] == before["weeks"][2]
    assert after["projection"]["race_morning"]["ctl"] < before["projection"]["race_morning"]["ctl"]
    # any day of the week names it; the same values again change nothing
    sunday = (dt.date.fromisoformat(week["week_start"]) + dt.timedelta(days=6)).isoformat()
    assert "Nothing changed" in ok(cli("plan", "set", sunday, "-a", "mara", "--ascent", "1000", "--hours", "4",
                                       data=planned))


def test_set_plans_and_clears_a_session(planned):
    day = "2025-11-29"
    ok(cli("plan", "set", day, "-a", "mara", "--session", "long", "--hours", "5", "--ascent", "2000",
           "--note", "loop recce", data=planned))
    rep = show(planned)
    assert rep["days"][0]["date"] == day and rep["days"][0]["session"] == "long"
    assert rep["days"][0]["load"] == pytest.approx(100 * 5 * 0.75**2)  # long: IF 0.75
    ok(cli("plan", "set", day, "-a", "mara", "--clear", data=planned))
    assert show(planned)["days"] == []


@pytest.mark.parametrize("args, message", [
    (["2025-11-17", "--hours", "-3"], "planned_hours -3.0 is out of range 0..168 h"),
    (["2025-11-17", "--hours", "nan"], "planned_hours nan is out of range"),
    (["2025-11-17", "--ascent", "1e9"], "planned_ascent_m 1000000000.0 is out of range"),
    (["2030-01-07", "--hours", "3"], "no planned week holds 2030-01-07"),
    (["2025-11-17"], "nothing to set"),
    (["2025-11-22", "--session", "long"], "a session needs --hours"),
    (["2025-11-22", "--session", "easy", "--hours", "30"], "hours 30.0 is out of range 0..24 h"),
    (["2025-11-22", "--clear"], "no session is planned on 2025-11-22"),
    (["2025-11-17", "--note", "a\x1b[2Jb"], "contains control characters"),
    (["2026-02-30", "--hours", "3"], "DATE '2026-02-30' is not a date"),
])
def test_a_bad_set_is_one_line_and_saves_nothing(planned, args, message):
    before = tree(planned / "athletes" / "mara")
    line = one_error_line(cli("plan", "set", *args, "-a", "mara", data=planned))
    assert message in line, line
    assert "\x1b" not in line
    assert {k: v for k, v in tree(planned / "athletes" / "mara").items() if "derived" not in k} == \
        {k: v for k, v in before.items() if "derived" not in k}


def test_export_then_import_round_trips_and_a_bad_file_saves_nothing(planned, tmp_path):
    csv_path = tmp_path / "plan.csv"
    assert "Wrote the plan" in ok(cli("plan", "export", csv_path, "-a", "mara", data=planned))
    text = csv_path.read_text()
    assert text.splitlines()[0] == "row,date,type,hours,ascent_m,descent_m,load,long_sessions,note"
    assert text == ok(cli("plan", "export", "-a", "mara", data=planned))  # "-": standard output
    line = one_error_line(cli("plan", "export", csv_path, "-a", "mara", data=planned))
    assert "exists" in line and "--force" in line
    before = show(planned)
    edited = text.replace(f"week,{before['weeks'][0]['week_start']},base,", f"week,{before['weeks'][0]['week_start']},build,")
    csv_path.write_text(edited)
    out = ok(cli("plan", "import", csv_path, "-a", "mara", "--today", TODAY, data=planned))
    assert f"Imported {len(before['weeks'])} weeks and 0 sessions" in out and "revision 2" in out
    after = show(planned)
    assert after["weeks"][0]["kind"] == "build" and after["source"] == "import"
    assert [w["planned_ascent_m"] for w in after["weeks"]] == [w["planned_ascent_m"] for w in before["weeks"]]
    # one bad row: one line naming the line, nothing saved
    lines = edited.splitlines()
    lines[3] = lines[3].replace(",build,", ",sprint,").replace(",recovery,", ",sprint,").replace(",base,", ",sprint,")
    csv_path.write_text("\n".join(lines) + "\n")
    line = one_error_line(cli("plan", "import", csv_path, "-a", "mara", "--today", TODAY, data=planned))
    assert "line 4" in line and "'sprint'" in line
    assert show(planned)["revision"] == 2


def test_plan_commands_without_a_plan_or_a_goal_say_what_to_do(data):
    assert "no plan yet" in one_error_line(cli("plan", "set", "2025-11-17", "-a", "mara", "--hours", "3", data=data))
    assert "no plan yet" in one_error_line(cli("plan", "export", "-a", "mara", data=data))
    ok(cli("athlete", "set", "-a", "mara", "--reset", "goal.date", data=data))
    line = one_error_line(cli("plan", "generate", "-a", "mara", "--today", TODAY, data=data))
    assert "the goal has no date" in line and "--goal-date" in line
    ok(cli("athlete", "set", "-a", "mara", "--goal-date", "2025-11-01", data=data))
    line = one_error_line(cli("plan", "generate", "-a", "mara", "--today", TODAY, data=data))
    assert "is not after 2025-11-20" in line


def test_generate_dry_run_saves_nothing_and_a_second_generate_keeps_the_first_as_a_revision(data):
    out = ok(cli("plan", "generate", "-a", "mara", "--today", TODAY, "--dry-run", data=data))
    assert "Not saved (--dry-run)." in out
    assert show(data)["revision"] is None
    ok(cli("plan", "generate", "-a", "mara", "--today", TODAY, data=data))
    ok(cli("plan", "set", "2025-11-17", "-a", "mara", "--hours", "3", data=data))
    out = ok(cli("plan", "generate", "-a", "mara", "--today", TODAY, data=data))
    assert "Saved as revision 3; the plan before it is revision 2." in out
    old = json.loads(ok(cli("plan", "show", "-a", "mara", "--today", TODAY, "--revision", "2", "--json", data=data)))
    assert old["weeks"][0]["planned_hours"] == 3.0
    assert "has no revision 9" in one_error_line(cli("plan", "show", "-a", "mara", "--revision", "9", data=data))
