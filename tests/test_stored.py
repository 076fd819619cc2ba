"""trainlog.analysis.stored: one athlete's settings and analysis, kept on disk beside the data."""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import pytest
from builders import SAMPLE_FIT
from polars.testing import assert_frame_equal

from trainlog import Store, import_paths
from trainlog.analysis import activity, stored
from trainlog.analysis.pipeline import analyse
from trainlog.settings import AthleteSettings

FILES = sorted((SAMPLE_FIT / "mara").glob("2026-03-0*.fit"))[:3]


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("stored") / "data")
    report = import_paths(store, FILES[:2], "mara", workers=1)
    assert report.counts()["imported"] == 2
    return store


@pytest.fixture
def store(imported, tmp_path):
    shutil.copytree(imported.data_dir, tmp_path / "data")
    return Store(tmp_path / "data")


@pytest.fixture
def runs(monkeypatch):
    """How many times the analysis was computed (rather than read back)."""
    calls = []

    def counted(*args, **kwargs):
        calls.append(1)
        return analyse(*args, **kwargs)

    monkeypatch.setattr(stored, "analyse", counted)
    return calls


def test_the_analysis_is_computed_once_then_read_back(store, runs):
    first = stored.stored_analysis(store, "mara")
    again = stored.stored_analysis(store, "mara")
    assert len(runs) == 1
    for name in stored.ANALYSIS_FRAMES:
        assert_frame_equal(getattr(again, name), getattr(first, name))
    tables = store.read_all("mara", ("activities", "samples", "choices"))
    fresh = analyse(tables["activities"], tables["samples"], AthleteSettings(), choices=tables["choices"])
    assert_frame_equal(first.per_activity, fresh.per_activity)


@pytest.mark.parametrize(("threshold", "ahead"), [(1, True), (10**9, False)])
def test_a_long_history_imports_numba_while_its_samples_are_read(store, monkeypatch, threshold, ahead):
    """A whole analysis of at least COMPILED_FROM_SAMPLES samples (here: 1) starts Numba's import in a thread
    before it reads the samples; a shorter one does not (its kernels run in plain Python)."""
    from trainlog.analysis import elevation

    started = []
    monkeypatch.setattr(elevation, "COMPILED_FROM_SAMPLES", threshold)
    monkeypatch.setattr(elevation, "import_numba_ahead", lambda: started.append(1))
    stored.stored_analysis(store, "mara")
    assert started == ([1] if ahead else [])


def test_the_numba_thread_is_joined_when_the_samples_cannot_be_read(store, monkeypatch):
    from trainlog.analysis import elevation
    from trainlog.errors import StoreError

    done = []
    monkeypatch.setattr(elevation, "COMPILED_FROM_SAMPLES", 1)
    monkeypatch.setattr(elevation, "import_numba_ahead", lambda: done.append(1))

    def unreadable(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr(store, "scan", unreadable)
    with pytest.raises(StoreError, match="disk gone"):
        stored.stored_analysis(store, "mara")
    assert done == [1]


def test_new_settings_recompute_it(store, runs):
    before = stored.metrics_of(store, "mara")
    stored.save_settings_of(store, "mara", AthleteSettings(sex="female", hr_max_bpm=175.0, hr_rest_bpm=50.0))
    after = stored.metrics_of(store, "mara")
    assert len(runs) == 2 and stored.settings_of(store, "mara").hr_max_bpm == 175.0
    assert after["load"].to_list() != before["load"].to_list()  # HR load: same beats, another max
    stored.metrics_of(store, "mara")
    assert len(runs) == 2


@pytest.fixture
def sampled(monkeypatch):
    """The activities whose samples the analysis walked, per call."""
    calls = []
    walk = activity.sample_metrics

    def spied(samples, *args, **kwargs):
        calls.append(sorted(samples["activity_id"].unique().to_list()))
        return walk(samples, *args, **kwargs)

    monkeypatch.setattr(activity, "sample_metrics", spied)
    return calls


def test_a_threshold_change_recomputes_only_the_runs_it_affects(store, runs, sampled):
    first, second = stored.metrics_of(store, "mara").sort("start_utc")["activity_id"].to_list()
    day_two = stored.metrics_of(store, "mara").sort("start_utc")["start_date"][1]
    assert sampled == [[first, second]] and len(runs) == 1
    settings = AthleteSettings().with_change(day_two, {"lthr_bpm": 150.0})
    stored.save_settings_of(store, "mara", settings)
    kept = stored.stored_analysis(store, "mara")
    assert sampled[1:] == [[second]] and len(runs) == 1  # the run before the change was not walked again
    tables = store.read_all("mara", ("activities", "samples", "choices", "ratings"))
    fresh = analyse(tables["activities"], tables["samples"], settings, choices=tables["choices"],
                    ratings=tables["ratings"])
    for name in stored.ANALYSIS_FRAMES:  # the same figures as a whole analysis
        assert_frame_equal(getattr(kept, name), getattr(fresh, name), check_exact=True)
    del sampled[:]
    stored.save_settings_of(store, "mara", settings.with_change(day_two, {"lthr_bpm": 150.0}))  # no change
    stored.stored_analysis(store, "mara")
    assert sampled == [] and len(runs) == 1
    stored.save_settings_of(store, "mara", dataclasses.replace(settings, sex="male"))  # not a threshold: all again
    stored.stored_analysis(store, "mara")
    assert sampled == [[first, second]] and len(runs) == 2


def test_new_data_update_it_from_the_new_samples(store, runs, sampled):
    assert stored.metrics_of(store, "mara").height == 2
    del sampled[:]
    report = import_paths(store, FILES[2:], "mara", workers=1)
    stored.analyse_imported(store, report)  # what trainlog import does after storing
    new = report.results[0].activity_ids
    # the new run and the runs its windows' days read, in one pass
    assert len(runs) == 1 and len(sampled) == 1 and set(new) < set(sampled[0])
    kept = stored.stored_analysis(store, "mara")
    assert kept.per_activity.height == 3 and len(runs) == 1
    tables = store.read_all("mara", ("activities", "samples", "choices", "ratings"))
    fresh = analyse(tables["activities"], tables["samples"], AthleteSettings(), choices=tables["choices"],
                    ratings=tables["ratings"])
    for name in stored.ANALYSIS_FRAMES:  # the same figures as a whole analysis, to the last bit
        assert_frame_equal(getattr(kept, name), getattr(fresh, name), check_exact=True)
    del sampled[:]
    stored.analyse_imported(store, import_paths(store, FILES[2:], "mara", workers=1))  # a duplicate: nothing new
    assert len(runs) == 1 and sampled == []


def test_an_import_that_compacts_the_samples_reads_only_the_new_runs_samples(store, runs, monkeypatch):
    """The import past COMPACT_PARTS rewrites every samples part into one: the analysis kept on disk is updated
    from the new run's samples (the compacted part is not taken for every run changed), to the same figures."""
    from trainlog.analysis import incremental
    from trainlog.store import dataset

    stored.stored_analysis(store, "mara")
    told = []
    update = incremental.update

    def spied(*args):
        told.append(args[5])  # new_samples
        return update(*args)

    monkeypatch.setattr(incremental, "update", spied)
    monkeypatch.setattr(dataset, "COMPACT_PARTS", 1)  # the next commit compacts every table
    report = import_paths(store, FILES[2:], "mara", workers=1)
    assert store.manifest("mara").tables["samples"][0].endswith("-c.parquet")
    stored.analyse_imported(store, report)
    assert told == [set(report.results[0].activity_ids)] and len(runs) == 1
    kept = stored.stored_analysis(store, "mara")
    tables = store.read_all("mara", ("activities", "samples", "choices", "ratings"))
    fresh = analyse(tables["activities"], tables["samples"], AthleteSettings(), choices=tables["choices"],
                    ratings=tables["ratings"])
    for name in stored.ANALYSIS_FRAMES:
        assert_frame_equal(getattr(kept, name), getattr(fresh, name), check_exact=True)


def test_parts_gone_without_a_compaction_are_read():
    """A part the analysis read that is gone and was not retired by a compaction (a repair left it out) is read,
    with every other part that differs."""
    from trainlog.store import Manifest

    then = {"samples-000001-aa.parquet", "samples-000002-bb.parquet"}
    now = {"samples-000003-cc-c.parquet"}
    retired = Manifest(generation=3, tables={}, retired=[("samples-000001-aa.parquet", 0.0),
                                                          ("samples-000002-bb.parquet", 0.0)])
    assert stored._changed_parts(now | {"samples-000004-dd.parquet"}, then, retired) == (
        ["samples-000004-dd.parquet"], True)
    partly = Manifest(generation=3, tables={}, retired=[("samples-000001-aa.parquet", 0.0)])
    assert stored._changed_parts(now, then, partly) == (sorted(now | then), False)
    assert stored._changed_parts(then | {"samples-000003-cc.parquet"}, then, retired) == (
        ["samples-000003-cc.parquet"], False)


def test_settings_default_when_none_were_saved(store):
    assert stored.settings_of(store, "mara") == AthleteSettings()
    assert not store.settings_path("mara").exists()


def test_activity_table_has_the_local_start_and_the_metrics_oldest_first(store):
    table = stored.activity_table(store, "mara")
    assert table["start_utc"].is_sorted() and table.height == 2
    assert {"start_local", "load", "ascent_m", "goal_counted"} <= set(table.columns)
    for r in table.iter_rows(named=True):  # the sample files are named by their local start
        assert f"{r['start_local']:%Y-%m-%d_%H%M}" in r["source_file"], r["source_file"]
        assert r["start_local"] != r["start_utc"].replace(tzinfo=None)  # Mara's watch is not on UTC


def test_local_today_is_the_athletes_date():
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):  # UTC+14 and UTC-11: never the same date
        import zoneinfo

        expected = dt.datetime.now(zoneinfo.ZoneInfo(zone)).date()
        assert stored.local_today(AthleteSettings(timezone=zone)) in (expected, expected + dt.timedelta(days=1))
    assert stored.local_today(AthleteSettings(timezone="Pacific/Kiritimati")) != stored.local_today(
        AthleteSettings(timezone="Pacific/Pago_Pago"))
