"""The importer end to end: the shared corpus, archives, duplicates, time zones, atomicity."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import polars as pl
import pytest
from builders import CORPUS, ROOT, corpus_file, manifest, requires_corpus, tree

from trainlog import Store, import_paths
from trainlog.errors import StoreError
from trainlog.ingest.decode import decode
from trainlog.ingest.fit.framing import FIT_EPOCH_UNIX_S
from trainlog.words import OUTCOMES

FENIX_RUN = "elevate_running_loup-blanc.fit"  # trail run with activity message (local offset)
ROUNDTRIP = "goldencheetah_roundtrip_Fr955v19.28andStryd.fit"
ROUNDTRIP_SAVED = "goldencheetah_roundtrip_Fr955v19.28andStryd-saved.fit"  # same run re-saved by another tool
SETTINGS_FILE = "fitparse_nametest.FIT"


def _total(text: str) -> float | None:
    return None if text in ("", "None") else float(text)


@requires_corpus
@pytest.mark.slow
def test_corpus_every_file_has_one_outcome(corpus_import):
    store, report = corpus_import
    files = [p for p in CORPUS.rglob("*") if p.is_file()]
    assert len(report.results) == len(files)
    assert {r.name for r in report.results} == {str(p) for p in files}
    assert all(r.outcome in OUTCOMES for r in report.results)
    failed = [r for r in report.results if r.outcome == "failed"]
    for r in failed:  # one line, naming the problem
        assert r.detail and "\n" not in r.detail
    counts = report.counts()
    assert counts["imported"] > 200
    # the deliberately broken files with nothing readable are the only failures
    assert {Path(r.name).name for r in failed} <= {
        "elevate_macos-resource-fork_._empty.fit",
        "sports-alliance_others_empty-sessions.fit",
    }


@requires_corpus
@pytest.mark.slow
def test_corpus_values_equal_manifest(corpus_import):
    """Distance and device ascent of every activity file equal what the device wrote."""
    store, report = corpus_import
    acts = store.read("activities", "corpus")
    by_name = {Path(r.name).name: r for r in report.results}
    checked = 0
    for row in manifest():
        if int(row["n_sessions"] or 0) == 0:
            continue
        result = by_name[row["file"]]
        if result.outcome == "imported":
            legs = acts.filter(pl.col("activity_id").is_in(result.activity_ids))
            dist, asc = legs["distance_m"].to_list(), legs["ascent_device_m"].to_list()
        else:  # duplicates: decode the file itself
            assert result.outcome == "duplicate", (row["file"], result.line())
            data = (CORPUS / row["file"]).read_bytes()
            d = decode(gzip.decompress(data) if row["file"].endswith(".gz") else data, row["file"])
            dist = [s["distance_m"] for s in d.sessions]
            asc = [s["ascent_device_m"] for s in d.sessions]
        # MANIFEST gives the sum over a file's sessions, rounded to 0.1 m
        assert len(dist) == int(row["n_sessions"]), row["file"]
        want_dist, want_asc = _total(row["total_distance_m"]), _total(row["total_ascent_m"])
        if want_dist is not None:
            assert sum(d or 0.0 for d in dist) == pytest.approx(want_dist, abs=0.05 + 1e-6), row["file"]
        got_asc = None if all(a is None for a in asc) else sum(a or 0.0 for a in asc)
        assert got_asc == (pytest.approx(want_asc) if want_asc is not None else None), row["file"]
        checked += 1
    assert checked > 240


@requires_corpus
@pytest.mark.slow
def test_corpus_reimport_changes_nothing(corpus_import):
    store, _ = corpus_import
    before = tree(store.data_dir)
    report = import_paths(store, [CORPUS], "corpus")
    assert tree(store.data_dir) == before
    for r in report.results:
        if r.outcome == "duplicate":
            assert "already imported" in r.detail
        elif r.outcome == "skipped":
            assert "already seen" in r.detail or "not an activity file" in r.detail
        else:
            assert r.outcome == "failed"  # nothing readable: tried again, fails again
    assert report.counts()["imported"] == 0


def test_samples_and_laps_columns(store, copy_corpus):
    (path,) = copy_corpus(FENIX_RUN)
    report = import_paths(store, [path], "mara")
    assert report.counts()["imported"] == 1
    acts = store.read("activities", "mara")
    assert acts.height == 1
    act = acts.row(0, named=True)
    assert act["sport"] == "running" and act["sub_sport"] == "trail"
    assert act["distance_m"] == pytest.approx(36975.1, abs=0.05)
    assert act["ascent_device_m"] == 2578
    assert act["utc_offset_s"] == 7200  # local_timestamp - timestamp in the activity message
    assert act["device_manufacturer"] == "garmin" and act["device_product"] == "fenix6S"
    samples = store.read("samples", "mara")
    assert samples.height == act["n_records"] == 7509
    assert samples["lat_deg"].drop_nulls().is_between(-90, 90).all()
    assert samples["altitude_m"].min() < 420 and samples["altitude_m"].max() > 660  # enhanced_altitude, m
    assert samples["timestamp"].is_sorted()
    assert samples["hr_bpm"].drop_nulls().len() > 7000
    laps = store.read("laps", "mara")
    assert laps.height == 37 and laps["lap_index"].to_list() == list(range(37))
    assert laps["distance_m"].sum() == pytest.approx(act["distance_m"], rel=0.01)
    # the public API returns pandas through Polars
    assert len(store.read("activities", "mara").to_pandas()) == 1


def test_zip_and_fit_gz_inputs(store, tmp_path, copy_corpus):
    run, ride = copy_corpus(FENIX_RUN, "activityio_a6b862.fit")
    swim = corpus_file("activitylog2_garmin-swim.fit")
    # Strava-style: activities/*.fit.gz beside GPX; Garmin-style: a zip inside the zip
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("UploadedFiles_0-_Part1/swim.fit", swim.read_bytes())
    export = tmp_path / "export.zip"
    with zipfile.ZipFile(export, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("activities/123.fit.gz", gzip.compress(run.read_bytes()))
        zf.writestr("activities/124.gpx", "<gpx/>")
        zf.writestr("activities/125.tcx.gz", gzip.compress(b"<tcx/>"))
        zf.writestr("DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip", inner.getvalue())
    single_gz = tmp_path / "ride.fit.gz"
    single_gz.write_bytes(gzip.compress(ride.read_bytes()))
    report = import_paths(store, [export, single_gz], "mara")
    outcome = {r.name.replace(str(tmp_path), ""): (r.outcome, r.detail) for r in report.results}
    assert outcome["/export.zip!/activities/123.fit.gz"][0] == "imported"
    # GPX and TCX are read (tests/test_gpx.py, test_tcx.py): an empty GPX is not an activity, a <tcx> root is not TCX
    assert outcome["/export.zip!/activities/124.gpx"] == (
        "skipped", "GPX file of no tracks, routes or waypoints, not an activity")
    assert outcome["/export.zip!/activities/125.tcx.gz"] == ("failed", "not a TCX file (its root element is <tcx>)")
    nested = "/export.zip!/DI_CONNECT/DI-Connect-Uploaded-Files/UploadedFiles_0-_Part1.zip!/UploadedFiles_0-_Part1/swim.fit"
    assert outcome[nested][0] == "imported"
    assert outcome["/ride.fit.gz"][0] == "imported"
    assert set(store.read("activities", "mara")["sport"]) == {"running", "cycling", "swimming"}


def test_corrupt_zip_and_gzip_fail_with_reason(store, tmp_path):
    bad_zip = tmp_path / "broken.zip"
    bad_zip.write_bytes(b"PK\x03\x04 this is not a zip")
    bad_gz = tmp_path / "broken.fit.gz"
    bad_gz.write_bytes(b"\x1f\x8b\x08garbage")
    report = import_paths(store, [bad_zip, bad_gz], "mara")
    details = {Path(r.name).name: (r.outcome, r.detail) for r in report.results}
    assert details["broken.zip"][0] == "failed" and "corrupt zip" in details["broken.zip"][1]
    assert details["broken.fit.gz"][0] == "failed" and "gzip" in details["broken.fit.gz"][1]


def test_duplicate_same_bytes_and_cross_export(store, copy_corpus, tmp_path):
    original, saved = copy_corpus(ROUNDTRIP, ROUNDTRIP_SAVED)
    again = tmp_path / "again.fit"
    again.write_bytes(original.read_bytes())
    report = import_paths(store, [original, again], "mara")
    assert [r.outcome for r in report.results] == ["imported", "duplicate"]
    assert "same file as" in report.results[1].detail
    report = import_paths(store, [saved], "mara")  # another tool's export of the same run
    (result,) = report.results
    assert result.outcome == "duplicate" and ROUNDTRIP in result.detail
    assert store.read("activities", "mara").height == 1
    report = import_paths(store, [original], "mara")
    assert report.results[0].outcome == "duplicate" and "already imported" in report.results[0].detail


def test_same_run_for_two_athletes_is_kept_for_each(store, copy_corpus):
    (path,) = copy_corpus(FENIX_RUN)
    import_paths(store, [path], "mara")
    import_paths(store, [path], "tom")
    assert store.athletes() == ["mara", "tom"]
    assert store.read("activities").height == 2


def test_truncated_file_keeps_what_was_readable(store, tmp_path):
    data = corpus_file(FENIX_RUN).read_bytes()
    cut = tmp_path / "cut.fit"
    cut.write_bytes(data[: len(data) // 2])
    report = import_paths(store, [cut], "mara")
    (r,) = report.results
    assert r.outcome == "imported" and "partial" in r.detail and "truncated" in r.detail
    act = store.read("activities", "mara").row(0, named=True)
    assert act["partial"] is True
    assert "no session message" in act["import_note"]
    assert 1000 < act["n_records"] < 7509
    assert act["distance_m"] > 1000  # from the records kept


def test_skipped_and_failed_outcomes(store, tmp_path, copy_corpus):
    (settings,) = copy_corpus(SETTINGS_FILE)
    junk = tmp_path / "junk.fit"
    junk.write_bytes(os.urandom(64))
    empty = tmp_path / "empty.fit"
    empty.write_bytes(b"")
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    report = import_paths(store, [settings, junk, empty, notes, tmp_path / "missing.fit"], "mara")
    got = {Path(r.name).name: r for r in report.results}
    assert got[SETTINGS_FILE].outcome == "skipped" and "Settings file" in got[SETTINGS_FILE].detail
    assert got["junk.fit"].outcome == "failed" and "header" in got["junk.fit"].detail
    assert got["empty.fit"].outcome == "failed"
    assert got["notes.txt"].outcome == "skipped"
    assert got["missing.fit"].outcome == "failed" and "no such file" in got["missing.fit"].detail
    assert not report.ok


def test_failed_write_leaves_previous_dataset_intact(store, copy_corpus, monkeypatch):
    """A write that fails halfway (after some parts are written) changes nothing readable."""
    first, second = copy_corpus(FENIX_RUN, "activityio_a6b862.fit")
    import_paths(store, [first], "mara")
    before = {t: store.read(t, "mara") for t in ("activities", "samples", "laps", "files")}
    manifest_before = (store.athlete_dir("mara") / "dataset.json").read_bytes()

    calls = {"n": 0}
    real_write = pl.DataFrame.write_parquet

    def failing_write(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the first part is on disk, the second write dies
            raise OSError(28, "No space left on device")
        return real_write(self, *args, **kwargs)

    monkeypatch.setattr(pl.DataFrame, "write_parquet", failing_write)
    parts_before = {p.name for p in store.athlete_dir("mara").glob("*.parquet")}
    with pytest.raises(StoreError, match="no space left on device; the unfinished files of this commit were removed"):
        import_paths(store, [second], "mara")
    monkeypatch.undo()
    assert (store.athlete_dir("mara") / "dataset.json").read_bytes() == manifest_before
    assert {p.name for p in store.athlete_dir("mara").glob("*.parquet")} == parts_before  # the part written is gone
    for table, frame in before.items():
        assert store.read(table, "mara").equals(frame), table
    # the next import completes
    report = import_paths(store, [second], "mara")
    assert report.results[0].outcome == "imported"
    assert store.read("activities", "mara").height == 2
    listed = json.loads((store.athlete_dir("mara") / "dataset.json").read_text())["tables"]
    on_disk = {p.name for p in store.athlete_dir("mara").glob("*.parquet")}
    assert on_disk == {p for parts in listed.values() for p in parts}


def _cli(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "trainlog", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd or ROOT,
        timeout=300,
    )


@requires_corpus
def test_local_dates_do_not_depend_on_machine_tz(tmp_path):
    names = (FENIX_RUN, "fitparse_sample_mulitple_header.fit", "workoutizer_tests_data_2020-10-25-10-54-06.fit")
    files = [corpus_file(n) for n in names]
    dates = []
    for tz in ("Pacific/Kiritimati", "America/Adak"):  # UTC+14 and UTC-10/-9
        data = tmp_path / tz.replace("/", "_")
        env = {"TZ": tz}
        assert _cli("import", *files, "--data-dir", data, env=env).returncode == 0
        out = _cli("activities", "--json", "--data-dir", data, env=env)
        assert out.returncode == 0, out.stderr
        dates.append([(a["date_local"], a["start_local"]) for a in json.loads(out.stdout)])
    assert dates[0] == dates[1]
    assert dates[0][0][1].startswith("2018-05-27T09:33")  # 07:33 UTC, UTC+2 from the device


def test_cli_outcomes_and_exit_codes(tmp_path, copy_corpus):
    (good,) = copy_corpus(FENIX_RUN)
    data = tmp_path / "data"
    ok = _cli("import", good, "--data-dir", data, "--athlete", "mara")
    assert ok.returncode == 0, ok.stderr
    assert "imported" in ok.stdout and "1 imported, 0 duplicate, 0 skipped, 0 failed" in ok.stdout
    assert "Traceback" not in ok.stderr
    bad = tmp_path / "bad.fit"
    bad.write_bytes(b"\x0e\x10garbage-not-fit")
    res = _cli("import", good, bad, "--data-dir", data, "--athlete", "mara")
    assert res.returncode == 1
    assert f"failed    {bad}" in res.stderr and "Traceback" not in res.stderr
    assert "0 imported, 1 duplicate, 0 skipped, 1 failed" in res.stdout
    res = _cli("import", good, "--data-dir", data, "--athlete", "../evil")
    assert res.returncode == 1 and "invalid athlete name" in res.stderr and "Traceback" not in res.stderr
    res = _cli("import", "--data-dir", data)
    assert res.returncode == 2  # usage error: no path
    js = _cli("import", good, "--json", "--data-dir", data, "-a", "mara")
    doc = json.loads(js.stdout)
    assert doc["counts"]["duplicate"] == 1 and doc["files"][0]["outcome"] == "duplicate"
    acts = json.loads(_cli("activities", "--json", "--data-dir", data, "-a", "mara").stdout)
    assert len(acts) == 1 and acts[0]["sport"] == "running" and acts[0]["ascent_m"] == 2578
    env_data = _cli("activities", "--json", "-a", "mara", env={"TRAINLOG_DATA_DIR": str(data)})
    assert json.loads(env_data.stdout) == acts
    summary = json.loads(_cli("summary", "--json", "--data-dir", data, "-a", "mara").stdout)
    assert summary["weeks"][0]["week_start"] == "2021-08-30" and summary["weeks"][0]["activities"] == 1


def test_two_imports_at_once_store_each_activity_once(tmp_path, copy_corpus):
    paths = copy_corpus(FENIX_RUN, "activityio_a6b862.fit", "activityio_b4ba3c.fit", "activitylog2_310xt-run.fit")
    data = tmp_path / "data"
    cmd = [sys.executable, "-m", "trainlog", "import", "--data-dir", str(data), "-a", "mara", "--workers", "1"]
    procs = [
        subprocess.Popen(cmd + [str(p) for p in paths[:3]], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE),
        subprocess.Popen(cmd + [str(p) for p in paths[1:]], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE),
    ]
    for p in procs:
        p.communicate(timeout=300)
        assert p.returncode == 0
    acts = Store(data).read("activities", "mara")
    assert acts.height == 4 and acts["activity_id"].n_unique() == 4
    samples = Store(data).read("samples", "mara")
    assert samples.height == acts["n_records"].sum()


def _jumping_run(path, times_unix_s, elapsed_s):
    """A run at 3 m/s, one record per time, whose session says ``elapsed_s`` (the device's timer)."""
    pytest.importorskip("garmin_fit_sdk", reason="the dev dependency garmin-fit-sdk writes the test files")
    import numpy as np

    from trainlog_dev.fitwrite import Device, Recording, encode

    n = len(times_unix_s)
    rec = Recording(
        time_unix_s=np.asarray(times_unix_s, dtype=np.int64), distance_m=np.arange(n) * 3.0,
        speed_mps=np.full(n, 3.0), energy_kcal=np.arange(n) * 0.2, sport="running", sub_sport="generic",
        utc_offset_end_s=0, hr_bpm=np.full(n, 150), elapsed_s=elapsed_s, timer_s=elapsed_s,
    )
    path.write_bytes(encode(rec, Device(write_laps=False)))
    return path


def test_clock_jump_note_is_appended_to_the_import_note(store, tmp_path):
    # a watch whose clock was never set (times since power-on: already a note), reset back an hour mid-run
    power_on = FIT_EPOCH_UNIX_S + 100_000
    times = [power_on + i for i in range(60)] + [power_on - 3600 + 60 + i for i in range(61)]
    import_paths(store, [_jumping_run(tmp_path / "unset.fit", times, 120.0)], "mara")
    note = store.read("activities", "mara")["import_note"].item()
    assert note == (
        "device clock not set: times are relative to power-on; clock jump repaired: the clock went back 0:59:59"
        " after 1990-01-01 03:47:39 UTC, so the 61 samples from there on are moved to make that step 1 s"
    )
    stored = store.read("samples", "mara")["timestamp"].to_list()  # as recorded, in record order
    assert [(t - stored[0]).total_seconds() for t in (stored[59], stored[60])] == [59.0, 60.0 - 3600]


def test_clock_jump_note_uses_the_athletes_max_clock_jump_s(store, tmp_path):
    from trainlog.analysis.stored import save_settings_of, stored_analysis
    from trainlog.settings import AthleteSettings, ModelSettings

    start = 1_714_550_400
    times = [start + i for i in range(60)] + [start + 2 * 3600 + 60 + i for i in range(61)]  # a 2 h step
    path = _jumping_run(tmp_path / "two_hours.fit", times, 120.0)  # the timer ran 2 min, not 2 h
    save_settings_of(store, "tom", AthleteSettings(model=ModelSettings(max_clock_jump_s=3600)))
    for athlete in ("mara", "tom"):
        import_paths(store, [path], athlete)
    assert store.read("activities", "mara")["import_note"].item() is None  # below the default 6 h
    note = store.read("activities", "tom")["import_note"].item()
    assert note.startswith("clock jump repaired: the clock went forward 2:00:01 after 2024-05-01 08:00:59 UTC")
    moving = {a: stored_analysis(store, a).per_activity["moving_s"].item() for a in ("mara", "tom")}
    assert moving == {"mara": pytest.approx(59 + 10 + 60), "tom": pytest.approx(120.0)}  # a gap credits 10 s at most


def test_unreadable_settings_do_not_stop_an_import(store, tmp_path):
    start = 1_714_550_400
    times = [start + i for i in range(60)] + [start + 20 * 86400 + 60 + i for i in range(61)]
    path = _jumping_run(tmp_path / "reset.fit", times, 120.0)
    settings = store.settings_path("mara")
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("{not json")
    report = import_paths(store, [path], "mara")
    assert report.counts()["imported"] == 1
    assert "clock jump repaired" in store.read("activities", "mara")["import_note"].item()  # the default 6 h


def test_each_decoding_worker_runs_polars_on_one_thread():
    from trainlog.ingest import importer

    pool = importer._Pool(2)
    try:
        assert [pool.executor.submit(pl.thread_pool_size).result() for _ in range(4)] == [1, 1, 1, 1]
    finally:
        pool.close()


def test_a_file_whose_rows_do_not_fit_their_columns_fails_alone():
    import datetime as dt

    from trainlog.ingest import importer
    from trainlog.ingest.decoded import DecodedFile
    from trainlog.ingest.tables import rows_of

    start = dt.datetime(2024, 5, 1, 8, tzinfo=dt.UTC)
    recs = pl.DataFrame({"timestamp": [start + dt.timedelta(seconds=i) for i in range(10)]},
                        schema={"timestamp": pl.Datetime("us", "UTC")}).with_columns(
        [pl.lit(None, pl.Float64).alias(c) for c in ("lat_deg", "lon_deg", "distance_m", "altitude_m", "speed_mps",
                                                     "hr_bpm", "cadence_rpm", "power_w", "temperature_c")])
    session = {"start_utc": start, "end_utc": start + dt.timedelta(seconds=9), "elapsed_s": 9.0, "sport": "running"}
    now = dt.datetime.now(dt.UTC)
    good, bad = (rows_of(DecodedFile(f"{n}.fit", "activity", sessions=[session], records=recs), n * 64, "mara", now)
                 for n in "ab")
    bad.activities[0]["leg"] = 40_000  # over Int16
    results = [importer.FileResult(f"{n}.fit", "imported", "", n * 64) for n in "ab"]
    built = importer._frames([(0, good), (1, bad)], results)
    assert built["activities"]["file_sha256"].to_list() == ["a" * 64] and built["samples"].height == 10
    assert results[0].outcome == "imported"
    assert results[1].outcome == "failed" and results[1].detail.startswith("cannot store (")


def test_a_decoding_worker_runs_polars_on_one_thread_and_freezes_its_objects_at_exit(monkeypatch):
    """The pool's initializer: one Polars thread a worker (the workers fill the cores), and gc.freeze at the
    worker's exit (the pool's shutdown waits for it: 0.2 -> 0.04 s with it)."""
    import atexit
    import gc

    from trainlog.ingest import worker_started

    registered = []
    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    monkeypatch.setattr(atexit, "register", registered.append)
    worker_started()
    assert os.environ["POLARS_MAX_THREADS"] == "1"
    assert registered == [gc.freeze]
