"""trainlog.export (tables.py, files.py, fit.py, gpx.py) and ``trainlog export``: the data out, as tables and as
activity files that trainlog takes back as duplicates."""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

import polars as pl
import pytest
from builders import EXPORT_FILES, ROOT, SAMPLE_FIT, activities, samples, utc
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from trainlog.analysis.stored import activity_table, stored_analysis
from trainlog.cli import cli
from trainlog.errors import InvalidValue, StoreError
from trainlog.export import tables
from trainlog.export.files import export_activities, file_name
from trainlog.export.fit import encode_activity
from trainlog.export.gpx import TPX_NS, encode_gpx
from trainlog.export.tables import export_tables
from trainlog.ingest.decode import decode
from trainlog.ingest.importer import import_paths
from trainlog.store import Store, entries, schema, wellness
from trainlog.words import Outcome

GPX = "{http://www.topografix.com/GPX/1/1}"
TPX = f"{{{TPX_NS}}}"
INDEX = {row["file"]: row for row in csv.DictReader((SAMPLE_FIT / "index.csv").open(encoding="utf-8"))}
TREADMILL, EASY, INTERVALS, BIKE = EXPORT_FILES


def documented_activity_columns(store) -> list[str]:
    """The activities' columns: the required ones, and the optional ones the activity table has (an export's metadata)."""
    present = activity_table(store, "tom").columns
    return [c.name for c in tables.ACTIVITY_COLUMNS] + [c.name for c in tables.OPTIONAL_ACTIVITY_COLUMNS if c.name in present]


def read_csv(path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def header(path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()[0].split(",")


# ---- tables

@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_the_tables_have_the_documented_columns(export_store, tmp_path, fmt):
    written = export_tables(export_store, "tom", tmp_path / "out", fmt)
    assert [p.name for p in written] == [f"{name}.{fmt}" for name in
                                         ("activities", "daily", "samples", "wellness", "comments")]
    columns = {p.stem: (header(p) if fmt == "csv" else pl.read_parquet(p).columns) for p in written}
    assert columns == {
        "activities": documented_activity_columns(export_store),
        "daily": [c.name for c in tables.DAILY_COLUMNS],
        "samples": list(schema.SAMPLES),
        "wellness": list(wellness.DAILY_SCHEMA),
        "comments": [c.name for c in tables.COMMENT_COLUMNS],
    }


def test_what_the_athlete_and_coach_entered_is_exported(export_store, tmp_path):
    export_store = Store(shutil.copytree(export_store.data_dir, tmp_path / "data"))  # the shared one stays as it is
    aid = activity_table(export_store, "tom")["activity_id"][0]
    entries.rate(export_store, "tom", aid, rpe=6.0, feel=2, note="cold, heavy legs")
    entries.comment(export_store, "tom", aid, "coach1", "=rest tomorrow")
    wellness.add(export_store, "tom", dt.date(2026, 3, 2), {"resting_hr_bpm": 48.0, "sleep_h": 7.5, "soreness": 2})
    export_tables(export_store, "tom", tmp_path / "out")
    tmp_path = tmp_path / "out"
    row = next(r for r in read_csv(tmp_path / "activities.csv") if r["activity_id"] == aid)
    assert (row["rpe"], row["feel"], row["note"], row["n_comments"]) == ("6.0", "2", "cold, heavy legs", "1")
    assert float(row["load_rpe"]) == pytest.approx(6.0 * float(row["moving_s"]) / 60 * 100 / (7 * 60))
    comments = read_csv(tmp_path / "comments.csv")
    assert [(c["activity_id"], c["author"], c["text"]) for c in comments] == [(aid, "coach1", "'=rest tomorrow")]
    days = read_csv(tmp_path / "wellness.csv")
    assert [(d["date"], d["resting_hr_bpm"], d["sleep_h"], d["soreness"], d["hrv_rmssd_ms"]) for d in days] == [
        ("2026-03-02", "48.0", "7.5", "2", "")]


def test_every_column_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Your data out"):]
    section = section[:section.index("\n## ", 3)]
    for column in (*tables.ACTIVITY_COLUMNS, *tables.OPTIONAL_ACTIVITY_COLUMNS, *tables.DAILY_COLUMNS,
                   *tables.SAMPLE_COLUMNS, *tables.COMMENT_COLUMNS):
        assert f"| `{column.name}` | {column.unit} | {column.meaning} |" in section


def test_activities_csv_holds_the_analysis_values_and_local_starts_with_their_offset(export_store, tmp_path):
    export_tables(export_store, "tom", tmp_path)
    rows = read_csv(tmp_path / "activities.csv")
    table = activity_table(export_store, "tom")
    assert [r["activity_id"] for r in rows] == table["activity_id"].to_list()  # oldest first
    for row, expected in zip(rows, table.iter_rows(named=True)):
        truth = INDEX[expected["source_file"].split("sample_fit/")[1]]
        assert row["start_local"] == truth["start_local"]  # e.g. 2026-03-06T13:16:00+01:00
        assert dt.datetime.fromisoformat(row["start_utc"]) == expected["start_utc"]
        for name in ("elapsed_s", "timer_s", "moving_s", "distance_m", "ascent_m", "descent_m", "load", "avg_hr_bpm"):
            assert float(row[name]) == expected[name], name  # every digit: Python floats written exactly
        assert (row["sport"], row["sub_sport"], row["load_source"]) == (expected["sport"], expected["sub_sport"],
                                                                        expected["load_source"])
        assert row["rpe"] == ""  # missing: empty
    assert rows[0]["sub_sport"] == "treadmill" and rows[-1]["sport"] == "cycling"


def test_daily_holds_the_fatigue_figures(export_store, tmp_path):
    export_tables(export_store, "tom", tmp_path, "parquet")
    daily = stored_analysis(export_store, "tom").daily
    exported = pl.read_parquet(tmp_path / "daily.parquet")
    assert exported["date"].to_list() == daily["date"].to_list()  # every day, rest days included
    for column in tables.DAILY_COLUMNS:
        assert exported[column.name].to_list() == daily[column.source or column.name].to_list(), column.name
    text = read_csv(export_tables(export_store, "tom", tmp_path / "csv")[1])
    bike = next(r for r in text if r["date"] == "2026-03-06")
    row = daily.filter(pl.col("date") == dt.date(2026, 3, 6)).row(0, named=True)
    assert (float(bike["load"]), float(bike["ctl"]), float(bike["tsb"]), float(bike["ascent_m"])) == (
        row["load"], row["ctl"], row["tsb"], row["ascent_m"])
    assert bike["n_activities"] == "1"
    assert float(bike["ascent_ctl_m_per_day"]) == row["ascent_ctl"]


def test_samples_are_the_stored_ones_as_recorded(export_store, tmp_path):
    export_tables(export_store, "tom", tmp_path, "parquet")
    exported = pl.read_parquet(tmp_path / "samples.parquet")
    stored = export_store.read("samples", "tom")
    order = activity_table(export_store, "tom")["activity_id"].to_list()
    expected = pl.concat([stored.filter(pl.col("activity_id") == a) for a in order])
    assert_frame_equal(exported, expected)
    lines = (export_tables(export_store, "tom", tmp_path / "csv")[2]).read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(schema.SAMPLES)
    assert lines[1] == f"{order[0]},2026-01-13T17:37:00+00:00,,,0.0,,0.0,93.0,0.0,,24.0"  # the treadmill: no position


def test_from_and_to_are_local_days_both_included(export_store, tmp_path):
    written = export_tables(export_store, "tom", tmp_path, "csv", dt.date(2026, 3, 1), dt.date(2026, 3, 3))
    acts, daily, samples_ = (read_csv(p) for p in written[:3])
    assert [a["start_local"][:10] for a in acts] == ["2026-03-01", "2026-03-03"]
    assert [d["date"] for d in daily] == ["2026-03-01", "2026-03-02", "2026-03-03"]
    assert {s["activity_id"] for s in samples_} == {a["activity_id"] for a in acts}
    assert len(samples_) == sum(int(INDEX[p.relative_to(SAMPLE_FIT).as_posix()]["n_records"]) for p in (EASY, INTERVALS))
    # a range after the last activity: its days of rest, fitness falling, and no activity
    later = export_tables(export_store, "tom", tmp_path / "later", "csv", dt.date(2026, 3, 7), dt.date(2026, 3, 9))
    rest = read_csv(later[1])
    assert read_csv(later[0]) == [] and [d["load"] for d in rest] == ["0.0"] * 3
    assert float(rest[0]["ctl"]) > float(rest[-1]["ctl"])


def test_csv_text_guards_against_spreadsheet_formulas():
    frame = pl.DataFrame({"name": ["=HYPERLINK(\"x\")", "Col de Balme", None], "load": [-1.5, 2.0, None]})
    assert tables.csv_text(frame) == 'name,load\n"\'=HYPERLINK(""x"")",-1.5\nCol de Balme,2.0\n,\n'
    assert next(csv.reader(io.StringIO(tables.csv_text(frame).splitlines()[1]))) == ["'=HYPERLINK(\"x\")", "-1.5"]


def test_a_disk_that_fails_mid_file_leaves_no_half_file(export_store, tmp_path, monkeypatch):
    def half_then_full(frame, fh, *args, **kwargs):
        fh.write(b"PAR1 half a file")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pl.DataFrame, "write_parquet", half_then_full)
    with pytest.raises(InvalidValue, match=r"activities\.parquet: cannot write \(no space left on device\)"):
        export_tables(export_store, "tom", tmp_path, "parquet")
    assert list(tmp_path.iterdir()) == []  # neither the file nor its temporary


# ---- errors

def test_errors_are_one_line_and_name_what_is_wrong(export_store, tmp_path):
    a_file = tmp_path / "a-file"
    a_file.write_text("x")
    cases = [
        (StoreError, "no data for athlete 'nobody'", dict(athlete="nobody")),
        (InvalidValue, "the first day 2026-03-06 .* is after the last day 2026-03-01",
         dict(first=dt.date(2026, 3, 6), last=dt.date(2026, 3, 1))),
        (InvalidValue, "nothing to export: tom has no activity from 2020-01-01 to 2020-01-31; "
                       "the activities run from 2026-01-13 to 2026-03-06",
         dict(first=dt.date(2020, 1, 1), last=dt.date(2020, 1, 31))),
        (InvalidValue, "a-file is a file, not a folder", dict(out_dir=a_file)),
        (InvalidValue, "a-file/out: cannot create the folder", dict(out_dir=a_file / "out")),
        (InvalidValue, "format 'xlsx' is not a table format", dict(fmt="xlsx")),
    ]
    for error, message, args in cases:
        kwargs = {"athlete": "tom", "out_dir": tmp_path / "out", **args}
        with pytest.raises(error, match=message) as caught:
            export_tables(export_store, **kwargs)
        assert "\n" not in str(caught.value)
        if "fmt" not in args:
            with pytest.raises(error, match=message):
                export_activities(export_store, **kwargs)
    assert not (tmp_path / "out").exists()  # nothing created when the export was refused
    with pytest.raises(InvalidValue, match="nothing to export: tom has no activity from 2026-03-07 on"):
        export_activities(export_store, "tom", tmp_path / "out", "gpx", first=dt.date(2026, 3, 7))


# ---- activity files

def round_trip(store, path, fmt, tmp_path):
    """Import ``path`` into a fresh athlete, export its one activity as ``fmt``: (activity row, exported file)."""
    report = import_paths(store, [path], "tom", workers=1)
    assert report.counts()["imported"] == 1
    [exported] = export_activities(store, "tom", tmp_path / "out", fmt)
    return activity_table(store, "tom").row(0, named=True), exported


@pytest.mark.parametrize("path", [BIKE, TREADMILL], ids=["bike", "treadmill"])
def test_a_fit_export_decodes_to_its_activity_and_imports_as_a_duplicate(store, tmp_path, path):
    activity, exported = round_trip(store, path, "fit", tmp_path)
    assert exported.name == file_name(activity, "fit") == (
        f"{activity['start_local']:%Y-%m-%d_%H%M}_{activity['sport']}_{activity['activity_id']}.fit")
    decoded = decode(exported.read_bytes(), exported.name)
    [session] = decoded.sessions
    assert session["start_utc"] == activity["start_utc"]
    assert session["elapsed_s"] == pytest.approx(activity["elapsed_s"], abs=1)
    assert session["distance_m"] == pytest.approx(activity["distance_m"], rel=0.005)
    assert (session["sport"], session["sub_sport"]) == (activity["sport"], activity["sub_sport"])
    assert (session["ascent_device_m"], session["timer_s"]) == (activity["ascent_device_m"], activity["timer_s"])
    assert decoded.n_records == activity["n_records"]
    assert decoded.utc_offset_s == activity["utc_offset_s"]
    assert len(decoded.laps) == store.read("laps", "tom").height
    assert decoded.device == {"manufacturer": activity["device_manufacturer"], "product": activity["device_product"],
                              "serial": activity["device_serial"]}
    stored = store.read("samples", "tom").drop("activity_id")
    assert_frame_equal(decoded.records, stored, check_exact=False, abs_tol=0.01)  # cm, 0.2 m altitude, mm/s
    again = import_paths(store, [exported], "tom", workers=1)
    assert [r.outcome for r in again.results] == [Outcome.DUPLICATE]
    assert store.read("activities", "tom").height == 1


def test_fit_records_keep_power_fractional_cadence_and_every_stream():
    start = utc(2026, 3, 1, 8)
    recorded = samples("a-0", start, n=4, distance_m=[0.0, 3.1, 6.2, 9.3], altitude_m=[-12.4, 0.0, 1500.2, 4810.6],
                       speed_mps=[3.1, 3.1, 3.1, 3.1], hr_bpm=[120.0, 121.0, None, 123.0]).with_columns(
        pl.Series("lat_deg", [45.9, 45.90001, None, -33.5]), pl.Series("lon_deg", [6.8, 6.80001, None, 179.99]),
        pl.Series("cadence_rpm", [88.0, 88.5, 89.25, None]), pl.Series("power_w", [250.0, None, 300.0, 0.0]),
        pl.Series("temperature_c", [-4.0, 12.0, None, 31.0]))
    activity = {"activity_id": "a-0", "sport": "running", "sub_sport": "trail", "start_utc": start, "utc_offset_s": 3600,
                "elapsed_s": 3.0, "timer_s": 3.0, "distance_m": 9.3, "ascent_device_m": None, "descent_device_m": None,
                "calories_kcal": None, "avg_hr_bpm": None, "max_hr_bpm": None, "device_manufacturer": None,
                "device_product": None, "device_serial": None}
    decoded = decode(encode_activity(activity, recorded, schema.empty("laps")), "a.fit")
    assert_frame_equal(decoded.records, recorded.drop("activity_id"), check_exact=False, abs_tol=1e-6, rel_tol=1e-6)
    assert len(decoded.laps) == 1 and decoded.utc_offset_s == 3600


def test_a_gpx_export_is_gpx_1_1_with_the_garmin_extensions(store, tmp_path):
    activity, exported = round_trip(store, BIKE, "gpx", tmp_path)
    root = ET.parse(exported).getroot()
    assert (root.tag, root.get("version")) == (f"{GPX}gpx", "1.1")
    assert root.find(f"{GPX}trk/{GPX}type").text == "cycling"
    points = root.findall(f"{GPX}trk/{GPX}trkseg/{GPX}trkpt")
    stored = store.read("samples", "tom")
    assert len(points) == stored.height == activity["n_records"]  # every sample has a position
    first, sample = points[0], stored.row(0, named=True)
    assert (float(first.get("lat")), float(first.get("lon"))) == pytest.approx((sample["lat_deg"], sample["lon_deg"]),
                                                                                abs=1e-7)
    assert first.find(f"{GPX}time").text == sample["timestamp"].strftime("%Y-%m-%dT%H:%M:%SZ") == "2026-03-06T12:16:00Z"
    assert float(first.find(f"{GPX}ele").text) == pytest.approx(sample["altitude_m"], abs=0.05)
    tpx = first.find(f"{GPX}extensions/{TPX}TrackPointExtension")
    assert [(e.tag.removeprefix(TPX), float(e.text)) for e in tpx] == [
        ("atemp", sample["temperature_c"]), ("hr", sample["hr_bpm"]), ("cad", sample["cadence_rpm"])]


def test_gpx_leaves_out_samples_without_a_position_and_says_so(store, tmp_path):
    start = utc(2026, 3, 1, 8)
    recorded = samples("a-0", start, n=3, hr_bpm=[120.0, 121.0, 122.0]).with_columns(
        pl.Series("lat_deg", [None, 45.9, 45.91]), pl.Series("lon_deg", [None, 6.8, 6.81]),
        pl.Series("power_w", [None, 250.0, None]))
    activity = {"sport": "running", "start_utc": start, "start_local": start.replace(tzinfo=None),
                "name": "Morning \x07run <& co>"}
    data, left_out = encode_gpx(activity, recorded, "trainlog test")
    root = ET.fromstring(data)
    assert left_out == 1 and len(root.findall(f"{GPX}trk/{GPX}trkseg/{GPX}trkpt")) == 2
    assert root.find(f"{GPX}trk/{GPX}name").text == "Morning run <& co>"  # escaped, the control character left out
    assert root.find(f"{GPX}trk/{GPX}desc").text.startswith("1 of 3 samples without a position are left out")
    assert [p.text for p in root.iter(f"{GPX}power")] == ["250"]
    # an activity without any position: no file, and a note
    import_paths(store, [TREADMILL], "tom", workers=1)
    notes = []
    written = export_activities(store, "tom", tmp_path / "out", "gpx", on_note=lambda name, text: notes.append(text))
    assert written == [] and notes == ["no GPX written: none of its samples has a position (a GPX track needs one)"]


def test_each_leg_of_a_multisport_file_is_a_file_and_imports_again_as_a_duplicate(store, tmp_path):
    start = utc(2026, 3, 1, 8)
    legs = [{"activity_id": f"abc-{leg}", "file_sha256": "abc", "leg": leg, "n_legs": 2, "athlete": "me",
             "sport": sport, "start_utc": start + dt.timedelta(minutes=30 * leg), "utc_offset_s": 3600,
             "elapsed_s": 1799.0, "timer_s": 1799.0, "distance_m": 100.0 * 1799} for leg, sport in enumerate(
                 ("cycling", "running"))]
    recorded = pl.concat([samples(leg["activity_id"], leg["start_utc"], n=1800, distance_m=[100.0 * i for i in range(1800)])
                          for leg in legs])
    with store.transaction("me") as tx:
        tx.append("activities", activities(*legs))
        tx.append("samples", recorded)
    notes = []
    written = export_activities(store, "me", tmp_path, "fit", on_note=lambda name, text: notes.append((name, text)))
    assert [p.name for p in written] == ["2026-03-01_0900_cycling_abc-0.fit", "2026-03-01_0930_running_abc-1.fit"]
    assert notes == []
    for path, leg in zip(written, legs):
        [session] = decode(path.read_bytes(), path.name).sessions
        assert (session["start_utc"], session["elapsed_s"], session["sport"]) == (leg["start_utc"], 1799.0, leg["sport"])
    again = import_paths(store, written, "me", workers=1)  # each leg is matched against the legs of the stored file
    assert [r.outcome for r in again.results] == [Outcome.DUPLICATE] * 2, again.results
    assert all("same activity as" in r.detail for r in again.results)


def test_a_gpx_export_imports_as_a_duplicate(store, tmp_path):
    pytest.importorskip("trainlog.ingest.gpx")
    _, exported = round_trip(store, BIKE, "gpx", tmp_path)
    again = import_paths(store, [exported], "tom", workers=1)
    assert [r.outcome for r in again.results] == [Outcome.DUPLICATE], again.results
    assert store.read("activities", "tom").height == 1


# ---- the command

def run(*args):
    return CliRunner().invoke(cli, ["export", *(str(a) for a in args)], catch_exceptions=False)


def test_export_command_prints_one_line_per_file_and_a_count(export_store, tmp_path):
    out = tmp_path / "new" / "folder"
    res = run("-a", "tom", "--data-dir", export_store.data_dir, "--from", "2026-03-01", "--to", "2026-03-03", out)
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == [str(out / f"{name}.csv") for name in
                                       ("activities", "daily", "samples", "wellness", "comments")] + [
                                           f"5 files written to {out}"]
    res = run("-a", "tom", "--data-dir", export_store.data_dir, "--format", "gpx", "--json", tmp_path / "gpx")
    report = json.loads(res.output)
    assert report["count"] == len(report["files"]) == 3  # the treadmill run has no position: no file
    assert report["notes"] == [{"file": file_name(activity_table(export_store, "tom").row(0, named=True), "gpx"),
                                "note": "no GPX written: none of its samples has a position (a GPX track needs one)"}]
    res = run("-a", "tom", "--data-dir", export_store.data_dir, "-f", "fit", "--from", "2026-03-06", tmp_path / "fit")
    assert res.output.splitlines()[-1] == f"1 file written to {tmp_path / 'fit'}"


@pytest.mark.parametrize(("args", "code", "message"), [
    (["-a", "nobody"], 1, "Error: no data for athlete 'nobody'"),
    (["--from", "2026-03-06", "--to", "2026-03-01"], 1, "Error: --from 2026-03-06 is after --to 2026-03-01"),
    (["--from", "2026-13-01"], 1, "Error: --from '2026-13-01' is not a date (YYYY-MM-DD)"),
    (["--from", "2027-01-01"], 1, "Error: nothing to export: tom has no activity from 2027-01-01 on"),
    (["--format", "xlsx"], 2, "Invalid value for '--format'"),
])
def test_export_command_errors_are_one_line(export_store, tmp_path, args, code, message):
    res = run("-a", "tom", "--data-dir", export_store.data_dir, *args, tmp_path / "out")
    assert res.exit_code == code
    assert message in res.output
    if code == 1:
        assert len(res.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_out_being_a_file_is_one_line_without_a_traceback(export_store, tmp_path):
    data = export_store.data_dir
    target = tmp_path / "export.csv"
    target.write_text("keep me")
    res = subprocess.run([sys.executable, "-m", "trainlog", "export", "-a", "tom", "--data-dir", str(data), str(target)],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 1 and res.stdout == ""
    assert res.stderr.splitlines() == [f"Error: {target} is a file, not a folder: give a folder to write the export in"]
    assert target.read_text() == "keep me"


def test_help_has_examples():
    text = CliRunner().invoke(cli, ["export", "--help"]).output
    assert "Examples:" in text and "trainlog export -a mara --format parquet --from 2026-01-01" in text
    assert text.count("  trainlog export ") == 4


def test_wellness_alone_is_exported(tmp_path):
    store = Store(tmp_path / "data")
    wellness.add(store, "mara", dt.date(2026, 3, 2), {"hrv_rmssd_ms": 60.0, "illness": True})
    written = export_tables(store, "mara", tmp_path / "out")
    assert [p.name for p in written][3] == "wellness.csv"
    assert [(r["date"], r["hrv_rmssd_ms"], r["illness"]) for r in read_csv(tmp_path / "out" / "wellness.csv")] == [
        ("2026-03-02", "60.0", "true")]
    assert read_csv(tmp_path / "out" / "activities.csv") == []
