"""trainlog.analysis.incremental: the kept analysis brought up to date equals a whole analysis, to the last bit.

Random sequences of imports, exclusions, ratings, sessions entered by hand and removed, and settings changes
(hypothesis), each followed by the analysis ``trainlog`` keeps on disk (updated from the one before) and by a
whole :func:`trainlog.analysis.pipeline.analyse` of the same tables: every frame must be equal, exactly.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import shutil

import polars as pl
import pytest
from builders import SAMPLE_FIT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from trainlog import Store, import_paths
from trainlog.analysis import activity, incremental, stored
from trainlog.analysis.pipeline import analyse
from trainlog.errors import InvalidValue, SettingsError, StoreError
from trainlog.ingest.manual import ManualActivity, add_activity, remove_activity
from trainlog.settings import AthleteSettings, Goal, ModelSettings
from trainlog.store import choices, entries
from trainlog.words import MANUAL_SOURCE

ATHLETE = "mara"
# runs on consecutive days, a long weekend run among them: the 60 h windows span several runs
FILES = sorted((SAMPLE_FIT / "mara").glob("*.fit"))[40:52]
FAR = sorted((SAMPLE_FIT / "mara").glob("*.fit"))[-1]  # months after them
BASE = AthleteSettings(timezone="Europe/Madrid")


def whole(store: Store, settings: AthleteSettings):
    tables = store.read_all(ATHLETE, stored.ANALYSED_TABLES)
    return analyse(tables["activities"], tables["samples"], settings, choices=tables["choices"],
                   ratings=tables["ratings"])


def assert_same(store: Store, settings: AthleteSettings) -> None:
    kept = stored.stored_analysis(store, ATHLETE, settings)
    fresh = whole(store, settings)
    for name in stored.ANALYSIS_FRAMES:
        same(getattr(kept, name), getattr(fresh, name), name)


def same(got: pl.DataFrame, want: pl.DataFrame, name: str) -> None:
    try:
        assert_frame_equal(got, want, check_exact=True)
    except AssertionError as error:
        raise AssertionError(f"{name}: {error}") from None


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    """A data directory with the first four runs imported and analysed."""
    store = Store(tmp_path_factory.mktemp("incremental") / "data")
    import_paths(store, FILES[:4], ATHLETE, workers=1)
    stored.save_settings_of(store, ATHLETE, BASE)
    stored.stored_analysis(store, ATHLETE)
    return store


def _ids(store: Store) -> list[str]:
    return sorted(store.read_all(ATHLETE, ("activities",))["activities"]["activity_id"].to_list())


def _settings(settings: AthleteSettings, change: str, store: Store) -> AthleteSettings:
    starts = store.read_all(ATHLETE, ("activities",))["activities"]["start_utc"].sort()
    day = (starts[len(starts) // 2] + dt.timedelta(hours=2)).date()
    model = settings.model
    return {
        "dated_lthr": lambda: settings.with_change(day, {"lthr_bpm": 150.0 + len(settings.thresholds)}),
        "plain_hr_max": lambda: dataclasses.replace(settings, hr_max_bpm=185.0 if settings.hr_max_bpm != 185.0 else 192.0),
        "start_ctl": lambda: dataclasses.replace(settings, start_ctl=None if settings.start_ctl else 40.0),
        "start_ctl_and_weight": lambda: dataclasses.replace(settings, start_ctl=None if settings.start_ctl else 40.0,
                                                            weight_kg=60.0 if settings.weight_kg != 60.0 else 61.0),
        "dated_lthr_and_ctl_days": lambda: dataclasses.replace(
            settings.with_change(day, {"lthr_bpm": 151.0 + len(settings.thresholds)}),
            model=dataclasses.replace(model, ctl_days=model.ctl_days + 2)),
        "ctl_days": lambda: dataclasses.replace(settings, model=dataclasses.replace(model, ctl_days=model.ctl_days + 1)),
        "goal_name": lambda: dataclasses.replace(settings, goal=dataclasses.replace(settings.goal, name="Tor des Géants")),
        "time_limit": lambda: dataclasses.replace(settings, goal=dataclasses.replace(settings.goal, time_limit_h=30.0)),
        "hysteresis": lambda: dataclasses.replace(settings, model=dataclasses.replace(model, hysteresis_m=5.0)),
        "timezone": lambda: dataclasses.replace(settings, timezone="America/Denver"),
    }[change]()


STEPS = st.one_of(
    st.tuples(st.just("import"), st.integers(4, len(FILES) - 1)),
    st.tuples(st.sampled_from(["exclude", "include", "confirm", "rpe", "feel", "clear_rpe"]), st.integers(0, 20)),
    st.tuples(st.just("manual"), st.integers(0, 20)),
    st.tuples(st.just("remove_manual"), st.integers(0, 20)),
    st.tuples(st.just("settings"), st.sampled_from(["dated_lthr", "plain_hr_max", "start_ctl", "ctl_days", "goal_name",
                                                    "time_limit", "hysteresis", "timezone", "start_ctl_and_weight",
                                                    "dated_lthr_and_ctl_days"])),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEPS, min_size=1, max_size=5))
def test_an_updated_analysis_equals_a_whole_one(started, tmp_path_factory, steps):
    store = Store(tmp_path_factory.mktemp("run") / "data")
    shutil.copytree(started.data_dir, store.data_dir)
    settings_now = BASE
    for kind, k in steps:
        ids = _ids(store)
        target = ids[k % len(ids)] if isinstance(k, int) else None
        if kind == "import":
            import_paths(store, [FILES[k]], ATHLETE, workers=1)
        elif kind in choices.ACTIONS:
            choices.record(store, ATHLETE, target, kind)
        elif kind in ("rpe", "clear_rpe", "feel"):
            given_ = {"rpe": {"rpe": 3.0 + k % 7}, "clear_rpe": {"rpe": None}, "feel": {"feel": 1 + k % 5}}[kind]
            entries.rate(store, ATHLETE, target, **given_)
        elif kind == "manual":
            start = dt.datetime(2025, 11, 11, 17, 0) + dt.timedelta(days=k % 9, hours=k)
            try:
                add_activity(store, ATHLETE, ManualActivity("strength_training", start, 2700.0 + 600 * k, rpe=6.0),
                             settings_now)
            except InvalidValue:  # the same session twice is refused: nothing changed
                pass
        elif kind == "remove_manual":
            manual = store.read_all(ATHLETE, ("activities",))["activities"].filter(pl.col("source_file") == MANUAL_SOURCE)
            if manual.height:
                remove_activity(store, ATHLETE, manual["activity_id"][k % manual.height])
        else:
            settings_now = _settings(settings_now, k, store)
            stored.save_settings_of(store, ATHLETE, settings_now)
        assert_same(store, settings_now)


@pytest.fixture
def walking(started, tmp_path, monkeypatch):
    """(a copy of the started store, the number of activities of each walk of the per-sample steps)."""
    store = Store(tmp_path / "data")
    shutil.copytree(started.data_dir, store.data_dir)
    walked = []
    walk = activity.sample_metrics
    monkeypatch.setattr(activity, "sample_metrics", lambda s, *a, **k: walked.append(s["activity_id"].n_unique())
                        or walk(s, *a, **k))
    return store, walked


def test_a_new_run_walks_its_own_samples_and_its_neighbours_only(walking):
    store, walked = walking
    report = import_paths(store, [FAR], ATHLETE, workers=1)  # months after the four: no neighbour
    stored.analyse_imported(store, report)
    assert walked == [1]
    assert_same(store, BASE)


def test_a_new_run_among_neighbours_walks_them_all_in_one_pass(walking):
    """The runs the new run's best windows read are computed with it (one pass of the per-sample steps), and the
    result is still a whole analysis's."""
    store, walked = walking
    report = import_paths(store, [FILES[4]], ATHLETE, workers=1)  # the day after the four
    stored.analyse_imported(store, report)
    assert len(walked) == 1 and walked[0] > 1, walked
    assert_same(store, BASE)


def test_neighbours_past_a_chunk_of_samples_are_computed_in_their_own_pass(walking, monkeypatch):
    """A guess that would hold more than a chunk of samples at once (a batch of runs over years) is left to
    _windows' own pass, as before: two walks, the same result."""
    store, walked = walking
    monkeypatch.setattr(incremental, "CHUNK_SAMPLES", 1)
    stored.analyse_imported(store, import_paths(store, [FILES[4]], ATHLETE, workers=1))
    assert len(walked) == 2 and walked[0] == 1, walked
    assert_same(store, BASE)


def test_the_neighbours_guessed_are_those_around_each_new_run():
    """Two new runs years apart: the runs around each, not the years between (a 60 h goal reads 3 + 2 days
    before a day, the guess a day more each way for the local offset)."""
    kept = pl.DataFrame({"activity_id": ["2016-a", "2016-b", "2019", "2025-a", "2025-b"],
                         "date": [dt.date(2016, 5, 1), dt.date(2016, 4, 20), dt.date(2019, 1, 1),
                                  dt.date(2025, 6, 3), dt.date(2025, 6, 20)]})
    new = pl.DataFrame({"activity_id": ["n1", "n2"],
                        "start_utc": [dt.datetime(2016, 5, 3, 7, tzinfo=dt.UTC), dt.datetime(2025, 6, 1, 7, tzinfo=dt.UTC)],
                        "elapsed_s": [3600.0, None]})
    assert incremental._neighbours(kept, new, {"n1", "n2"}, AthleteSettings()) == {"2016-a", "2025-a"}
    assert incremental._neighbours(kept, new, set(), AthleteSettings()) == set()


def test_a_second_run_after_a_first_alone(tmp_path):
    """A history of one run is computed as one among others: the second run's update equals a whole analysis."""
    store = Store(tmp_path / "data")
    for path in FILES[:2]:
        import_paths(store, [path], ATHLETE, workers=1)
        stored.stored_analysis(store, ATHLETE)
        assert_same(store, AthleteSettings())
    entries.rate(store, ATHLETE, _ids(store)[0], rpe=8.0)
    assert_same(store, AthleteSettings())


def test_a_fitness_setting_saved_with_a_threshold_one_recomputes_the_series(started, tmp_path):
    """One save changing a starting fitness and a value no metric reads (or a threshold): the series follows."""
    store = Store(tmp_path / "data")
    shutil.copytree(started.data_dir, store.data_dir)
    for settings_now in (dataclasses.replace(BASE, start_ctl=55.0, start_atl=50.0, weight_kg=60.0),
                         dataclasses.replace(BASE, start_ctl=20.0, lthr_bpm=158.0)):
        stored.save_settings_of(store, ATHLETE, settings_now)
        assert_same(store, settings_now)


def test_a_damaged_new_part_is_one_line(started, tmp_path):
    """The new run's samples part damaged after its import: the store's one-line error, not Polars' traceback."""
    store = Store(tmp_path / "data")
    shutil.copytree(started.data_dir, store.data_dir)
    import_paths(store, [FAR], ATHLETE, workers=1)
    newest = store.athlete_dir(ATHLETE) / store.manifest(ATHLETE).tables["samples"][-1]
    newest.write_bytes(newest.read_bytes()[:200])
    with pytest.raises(StoreError, match="cannot read athlete mara's dataset"):
        stored.stored_analysis(store, ATHLETE)


def test_a_best_window_over_whole_runs_is_their_ascent(started):
    """Windows add whole micrometres of each run's cumulative ascent: over whole runs, their ascent exactly."""
    kept = stored.stored_analysis(started, ATHLETE)
    first = kept.per_activity.sort("start_utc").row(0, named=True)  # alone on its day, nothing in the 60 h before
    assert kept.days.filter(pl.col("date") == first["start_date"])["activity_id"].to_list() == [first["activity_id"]]
    window = kept.windows.filter(pl.col("date") == first["start_date"])["window_ascent_m"][0]
    assert window == round(first["ascent_m"] * 1e6) / 1e6


@pytest.mark.parametrize("change, touched", [
    ({"goal": Goal(name="UTMB", ascent_m=10000.0)}, {incremental.NOTHING}),
    ({"available_hours_per_week": 9.0}, {incremental.NOTHING}),
    ({"start_ctl": 30.0}, {incremental.NOTHING, incremental.FITNESS}),
    ({"model": ModelSettings(ctl_days=40.0)}, {incremental.NOTHING, incremental.FITNESS}),
    ({"lthr_bpm": 160.0}, {incremental.NOTHING, incremental.ACTIVITIES}),
    ({"lthr_bpm": 160.0, "start_ctl": 30.0}, {incremental.NOTHING, incremental.ACTIVITIES, incremental.FITNESS}),
    ({"timezone": "Asia/Tokyo"}, None),
    ({"goal": Goal(time_limit_h=30.0)}, None),
    ({"model": ModelSettings(hysteresis_m=5.0)}, None),
])
def test_what_a_settings_change_touches(change, touched):
    assert incremental.settings_change(AthleteSettings(), AthleteSettings(**change)) == touched


@pytest.mark.parametrize("name", sorted(incremental.UNANALYSED_MODEL | incremental.FITNESS_MODEL))
def test_the_model_constants_said_not_to_touch_the_activities_do_not(started, name):
    """A guard on the lists: changing a constant listed as unread (or read by the fitness columns only) leaves
    the per-activity frames (and, unread, every frame) as they were."""
    tables = started.read_all(ATHLETE, stored.ANALYSED_TABLES)
    base = analyse(tables["activities"], tables["samples"], BASE)
    value = getattr(BASE.model, name)
    if isinstance(value, tuple):
        candidates = [tuple(v * 0.9 if isinstance(v, float) else str(v).upper() for v in value)]
    else:
        candidates = [type(value)(value * 0.9), value + 1, type(value)(value * 1.1)]
    changed = None
    for new in candidates:
        try:
            changed = dataclasses.replace(BASE, model=dataclasses.replace(BASE.model, **{name: new}))
            break
        except SettingsError:  # a value its checks refuse: the next one
            continue
    assert changed is not None and changed != BASE, f"no other value of {name} is accepted"
    other = analyse(tables["activities"], tables["samples"], changed)
    frames = ("per_activity", "windows", "days") if name in incremental.FITNESS_MODEL else stored.ANALYSIS_FRAMES
    for frame in frames:
        same(getattr(other, frame), getattr(base, frame), frame)
