"""The ascent audit (trainlog.analysis.audit, ``trainlog audit ascent``): device vs computed vs used, and the flag."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from builders import requires_corpus

from trainlog import Store
from trainlog.analysis import audit
from trainlog.analysis.pipeline import analyse_activities
from trainlog.settings import AthleteSettings

UTC = dt.UTC


def table(*rows: dict) -> pl.DataFrame:
    """An activity_table-like frame: the columns audit.ascent reads (and one it must drop)."""
    defaults = {"sport": "running", "source_file": "x.fit", "ascent_computed_m": None, "ascent_m": 0.0,
                "ascent_source": "none", "altitude_spikes": None, "ascent_flag": None, "ascent_confirmed": False,
                "goal_counted": True, "load": 50.0}
    full = [{**defaults, **r, "start_local": r["start_utc"].replace(tzinfo=None) if r["start_utc"] else None}
            for r in rows]
    return pl.DataFrame(full, schema_overrides={"start_utc": pl.Datetime("us", "UTC"), "ascent_device_m": pl.Float64,
                                                "ascent_computed_m": pl.Float64, "altitude_spikes": pl.Int64,
                                                "ascent_flag": pl.String})


def test_ascent_lists_the_runs_with_a_device_total_oldest_first():
    got = audit.ascent(table(
        {"activity_id": "late", "start_utc": dt.datetime(2026, 3, 2, tzinfo=UTC), "ascent_device_m": 1500.0,
         "ascent_computed_m": 300.0, "ascent_m": 300.0, "ascent_source": "computed", "altitude_spikes": 2,
         "ascent_flag": "device_disagrees", "goal_counted": False},
        {"activity_id": "no-device", "start_utc": dt.datetime(2026, 3, 1, tzinfo=UTC), "ascent_device_m": None,
         "ascent_computed_m": 120.0, "ascent_m": 120.0, "ascent_source": "computed", "altitude_spikes": 0},
        {"activity_id": "undated", "start_utc": None, "ascent_device_m": 0.0},
        {"activity_id": "early", "start_utc": dt.datetime(2026, 2, 27, tzinfo=UTC), "ascent_device_m": 500.0,
         "ascent_computed_m": 450.0, "ascent_m": 500.0, "ascent_source": "device", "altitude_spikes": 0},
    ))
    assert got.columns == list(audit.ASCENT_COLUMNS)
    assert got["activity_id"].to_list() == ["early", "late", "undated"]  # no device total: not listed
    # computed - device, m: null without an altitude track
    assert got["difference_m"].to_list() == [-50.0, -1200.0, None]
    assert got.row(1, named=True)["ascent_flag"] == "device_disagrees"


def test_the_audit_command_needs_data():
    from click.testing import CliRunner

    from trainlog.cli import cli

    result = CliRunner().invoke(cli, ["audit", "ascent", "-a", "nobody", "--data-dir", os.devnull + "-none"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


@pytest.fixture(scope="module")
def audited_corpus(corpus_import, tmp_path_factory):
    """The imported corpus (a private copy), its audit by the CLI in a subprocess (JSON and text), and the
    per-activity metrics computed again from the stored frames."""
    store, _ = corpus_import
    data = tmp_path_factory.mktemp("audit") / "data"
    shutil.copytree(store.data_dir, data)

    def run(*extra: str) -> str:
        done = subprocess.run([sys.executable, "-m", "trainlog", "audit", "ascent", "-a", "corpus", "--data-dir",
                               str(data), *extra], capture_output=True, text=True, timeout=600, check=False,
                              cwd=Path(__file__).resolve().parent.parent)
        assert done.returncode == 0, done.stderr
        return done.stdout

    copy = Store(data)
    acts, samples = copy.read("activities", "corpus"), copy.read("samples", "corpus")
    metrics = analyse_activities(acts, samples, AthleteSettings()).join(acts.select("activity_id", "source_file"),
                                                                      on="activity_id")
    return json.loads(run("--json")), run(), metrics


@requires_corpus
@pytest.mark.slow
def test_the_audit_of_the_corpus_matches_the_per_activity_metrics(audited_corpus):
    rows, _, metrics = audited_corpus
    with_device = metrics.filter(pl.col("ascent_device_m").is_not_null())
    assert sorted(r["activity_id"] for r in rows) == sorted(with_device["activity_id"].to_list())
    assert len(rows) > 150
    by_id = {m["activity_id"]: m for m in with_device.iter_rows(named=True)}
    for r in rows:
        m = by_id[r["activity_id"]]
        for name in ("sport", "source_file", "ascent_source", "altitude_spikes", "ascent_flag", "ascent_confirmed",
                     "goal_counted"):
            assert r[name] == m[name], (r["source_file"], name)
        for name in ("ascent_device_m", "ascent_computed_m", "ascent_m"):
            assert r[name] == (pytest.approx(m[name]) if m[name] is not None else None), (r["source_file"], name)
        if m["ascent_computed_m"] is None:
            assert r["difference_m"] is None
        else:
            assert r["difference_m"] == pytest.approx(m["ascent_computed_m"] - m["ascent_device_m"])
        if r["ascent_flag"] is not None:
            assert r["goal_counted"] is False
    # oldest first by the UTC start (local times may run backwards across time zones), undated last
    order = with_device.sort("start_utc", "activity_id", nulls_last=True)["activity_id"].to_list()
    assert [r["activity_id"] for r in rows] == order
    # a TomTom ride whose device said 0 m while its track climbs 319 m: the track is used, and flagged
    tomtom = next(r for r in rows if r["source_file"].endswith("fitfiler_tomtom-runner3-ride.fit"))
    assert (tomtom["ascent_device_m"], tomtom["ascent_source"], tomtom["ascent_flag"]) == (
        0.0, "computed", "device_disagrees")
    assert tomtom["ascent_m"] == pytest.approx(tomtom["ascent_computed_m"]) and tomtom["ascent_m"] > 300


@requires_corpus
@pytest.mark.slow
def test_the_audit_table_has_one_line_per_run_and_the_counts(audited_corpus):
    rows, text, _ = audited_corpus
    lines = text.rstrip("\n").splitlines()
    assert lines[0].split()[:6] == ["date", "time", "sport", "device", "m", "computed"]
    body = lines[1:-1]
    assert [line.split()[-1] for line in body] == [r["activity_id"] for r in rows]
    flagged = [r for r in rows if r["ascent_flag"]]
    assert lines[-1] == f"corpus: {len(rows)} runs with a device total, {len(flagged)} flagged"
    for line, r in zip(body, rows):
        assert (r["ascent_flag"] or "") in line
        if r["ascent_device_m"] is not None:
            assert f"{r['ascent_device_m']:.0f}" in line
        assert not math.isnan(r["ascent_m"])
