"""One athlete's roster row (trainlog/analysis/coach.py): the Coach page's figures, flags and default day."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys

import pytest
from builders import ROOT, SAMPLE_FIT, build_data_dir

from trainlog.analysis import coach
from trainlog.analysis.pipeline import STALE_DAYS, extended, summary_of_analysis
from trainlog.analysis.stored import settings_of, stored_analysis
from trainlog.settings import ModelSettings
from trainlog.store import Store, roster


@pytest.fixture(scope="module")
def two(tmp_path_factory) -> Store:
    """The dashboard's subset (mara and tom), built once for this module (tests copy it before writing)."""
    return build_data_dir(tmp_path_factory.mktemp("coach-data"))


def test_default_day_is_today_unless_training_stopped_long_ago():
    today = dt.date(2026, 12, 2)
    assert coach.default_day(None, today) == (today, False)
    assert coach.default_day(today - dt.timedelta(days=STALE_DAYS), today) == (today, False)
    last = today - dt.timedelta(days=STALE_DAYS + 1)
    assert coach.default_day(last, today) == (last, True)


def test_a_row_holds_the_summary_of_its_day(two):
    for athlete in two.athletes():
        r = coach.row(two, athlete)
        settings = settings_of(two, athlete)
        base = stored_analysis(two, athlete, settings)
        assert r["stale"] and r["as_of"] == base.daily["date"].max()  # the sample data ended long ago
        s = summary_of_analysis(extended(base, settings, r["as_of"]), settings, r["as_of"])
        assert (r["ctl"], r["tsb"], r["acwr"], r["acwr_band"]) == (
            s["form"]["ctl"], s["form"]["tsb"], s["acwr"]["value"], s["acwr"]["band"])
        assert r["week_ascent_m"] == s["this_week"]["ascent_m"] and r["activities"] == s["n_activities"]
        assert json.loads(r["detail"])["summary"]["form"]["ctl"] == s["form"]["ctl"]
        assert r["flags"] == coach.load_flags(s, settings.model) and r["n_flags"] == len(r["flags"])
        assert r["error"] is None and r["last_import_utc"] is not None
        frame = roster.conform([r])  # every value fits the roster's columns
        assert frame.row(0, named=True)["athlete"] == athlete


def summary(*, building=False, acwr_band="sweet spot", monotony_band="ok", ramp=1.0, sources=None) -> dict:
    return {"form": {"building_history": building, "ramp": ramp}, "acwr": {"band": acwr_band},
            "monotony": {"band": monotony_band}, "load_sources": sources or {"hr": 3, "power": 1, "gap": 0}}


def test_load_flags_follow_the_bands_and_stay_quiet_while_building_history():
    model = ModelSettings()
    assert coach.load_flags(summary(), model) == []
    loud = summary(acwr_band="danger", monotony_band="flag", ramp=model.ramp_warn_per_week + 0.1, sources={"rpe": 2})
    assert coach.load_flags(loud, model) == [coach.ACWR_SPIKE, coach.MONOTONY_FLAG, coach.RAMP, coach.ESTIMATED]
    assert coach.load_flags(summary(monotony_band="warn"), model) == [coach.MONOTONY_WARN]
    assert coach.load_flags(summary(ramp=model.ramp_warn_per_week), model) == []  # "more than" the limit
    assert coach.load_flags({**loud, "form": {"building_history": True, "ramp": 99.0}}, model) == [coach.ESTIMATED]
    relabelled = ModelSettings(acwr_band_labels=("low", "good", "high", "spike"))
    assert coach.load_flags(summary(acwr_band="spike"), relabelled) == [coach.ACWR_SPIKE]


def test_damaged_settings_give_an_error_row_not_an_exception(two, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(two.data_dir, data)
    store = Store(data)
    store.settings_path("tom").write_text("{ not json")
    r = coach.row(store, "tom")
    assert r["flags"] == [coach.ERROR] and r["n_flags"] == 1 and "settings" in r["error"] and "\n" not in r["error"]
    assert r["ctl"] is None and roster.conform([r]).height == 1


def test_an_athlete_without_data_has_an_empty_row_and_nothing_is_created(tmp_path):
    store = Store(tmp_path / "data")
    r = coach.row(store, "nobody")
    assert r["activities"] == 0 and r["error"] is None and r["flags"] == []
    assert store.athletes() == [] and not (tmp_path / "data" / "athletes" / "nobody").exists()


def test_refresh_updates_a_roster_that_exists_and_creates_none(two, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(two.data_dir, data)
    store = Store(data)
    assert coach.refresh(store, "mara") is False and roster.read(data) is None
    roster.update(data, [{"athlete": "mara", "ctl": -1.0}, {"athlete": "tom", "ctl": -2.0}])
    assert coach.refresh(store, "mara") is True
    frame = roster.read(data)
    assert frame["ctl"][0] == coach.row(store, "mara")["ctl"] and frame["ctl"][1] == -2.0


def test_trainlog_import_keeps_an_existing_roster_row_up_to_date(two, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(two.data_dir, data)
    roster.update(data, [{"athlete": "mara", "activities": 0}])
    older = sorted((SAMPLE_FIT / "mara").glob("*.fit"))[:3]  # before the subset's first day
    proc = subprocess.run([sys.executable, "-m", "trainlog", "import", *map(str, older), "-a", "mara", "--data-dir",
                           str(data), "--workers", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    after = roster.read(data).row(0, named=True)
    assert after["activities"] == coach.row(Store(data), "mara")["activities"] > 0


def test_refresh_leaves_an_unreadable_roster_alone(two, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(two.data_dir, data)
    roster.conform([{"athlete": "mara"}, {"athlete": "tom"}]).drop("n_flags").write_parquet(roster.path_of(data))
    before = roster.path_of(data).read_bytes()
    assert coach.refresh(Store(data), "mara") is False
    assert roster.path_of(data).read_bytes() == before  # not rebuilt from one row: batch analyse does that
