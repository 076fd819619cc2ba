"""The committed sample_fit/ folder against its index, and the generator that wrote it."""

from __future__ import annotations

import csv
import functools
import hashlib
import pathlib
import subprocess
import sys
import warnings
from datetime import UTC, datetime, timedelta

import pytest

fitparse = pytest.importorskip("fitparse")

SAMPLE_DIR = pathlib.Path(__file__).resolve().parent.parent / "sample_fit"
INDEX_PATH = SAMPLE_DIR / "index.csv"
DISTANCE_TOLERANCE = 0.015  # the simulated watch's distance error is at most 0.8 %

with open(INDEX_PATH, newline="", encoding="utf-8") as _fh:
    INDEX = list(csv.DictReader(_fh))
BY_FILE = {row["file"]: row for row in INDEX}


def _row(tag: str) -> dict:
    """The single index row whose tags contain ``tag``."""
    rows = [row for row in INDEX if tag in row["tags"].split()]
    assert len(rows) == 1, f"expected one {tag!r} file, found {len(rows)}"
    return rows[0]


@functools.lru_cache(maxsize=4)
def _decode(rel: str) -> dict[str, list[dict]]:
    """All messages of a sample file by name; any fitparse warning fails the test (cached, read-only)."""
    data = (SAMPLE_DIR / rel).read_bytes()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        messages = list(fitparse.FitFile(data).get_messages())
    out: dict[str, list[dict]] = {}
    for message in messages:
        out.setdefault(message.name, []).append(message.get_values())
    return out


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC)


def _sha256(path: pathlib.Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("row", INDEX, ids=[row["file"] for row in INDEX])
def test_file_matches_index(row):
    msgs = _decode(row["file"])
    records, session = msgs["record"], msgs["session"][0]
    assert msgs["file_id"][0]["type"] == "activity"
    assert len(msgs["session"]) == 1 and len(msgs["activity"]) == 1
    assert session["sport"] == row["sport"] and session["sub_sport"] == row["sub_sport"]
    assert len(records) == int(row["n_records"])

    first, last = _utc(records[0]["timestamp"]), _utc(records[-1]["timestamp"])
    assert first == datetime.fromisoformat(row["start_utc"].replace("Z", "+00:00"))
    assert first == datetime.fromisoformat(row["start_local"])
    assert (last - first).total_seconds() == int(row["elapsed_s"]) == session["total_elapsed_time"]
    assert session["total_timer_time"] == int(row["timer_s"]) <= int(row["elapsed_s"])

    true_m = float(row["true_distance_m"])
    assert records[-1]["distance"] == pytest.approx(true_m, rel=DISTANCE_TOLERANCE)
    assert session["total_distance"] == pytest.approx(float(row["device_distance_m"]), abs=0.011)

    activity = msgs["activity"][0]
    offset_s = (activity["local_timestamp"] - activity["timestamp"]).total_seconds()
    assert offset_s == int(row["utc_offset_s"])

    def present(field):
        return any(r.get(field) is not None for r in records)

    assert present("heart_rate") == bool(int(row["has_hr"]))
    assert present("position_lat") == bool(int(row["has_gps"]))
    assert present("enhanced_altitude") == bool(int(row["has_altitude"]))
    if int(row["has_altitude"]):
        assert session["total_ascent"] == int(row["device_ascent_m"])
        # The watch's barometric total is close to, but not, the course's true ascent.
        assert session["total_ascent"] == pytest.approx(float(row["true_ascent_m"]), rel=0.1, abs=15)
    else:
        assert session.get("total_ascent") is None

    gaps = [(b["timestamp"] - a["timestamp"]).total_seconds() for a, b in zip(records, records[1:])]
    timer_stops = [e for e in msgs["event"] if e["event"] == "timer" and e["event_type"] == "stop_all"]
    assert min(gaps) >= 1
    if len(timer_stops) == 1:  # no pauses: smart recording never leaves more than 5 s
        assert max(gaps) <= 5


def test_index_covers_folder():
    on_disk = sorted(str(p.relative_to(SAMPLE_DIR)) for p in SAMPLE_DIR.rglob("*.fit"))
    assert on_disk == sorted(BY_FILE)
    size_mb = sum(p.stat().st_size for p in SAMPLE_DIR.rglob("*")) / 1e6
    assert size_mb < 25


def test_two_athletes_half_a_year_each():
    for athlete in ("mara", "tom"):
        starts = [datetime.fromisoformat(r["start_local"]) for r in INDEX if r["athlete"] == athlete]
        assert timedelta(weeks=24) < max(starts) - min(starts) < timedelta(weeks=27)
        assert len(starts) > 90


def _weekly_hours(athlete: str) -> dict:
    """Timer hours per local ISO week (Monday) of an athlete, duplicates left out."""
    weeks: dict = {}
    for r in INDEX:
        if r["athlete"] == athlete and not r["duplicate_of"]:
            day = datetime.fromisoformat(r["start_local"]).date()
            monday = day - timedelta(days=day.weekday())
            weeks[monday] = weeks.get(monday, 0.0) + int(r["timer_s"]) / 3600
    return dict(sorted(weeks.items()))


def test_mara_plan_has_recovery_weeks_an_illness_gap_and_a_taper():
    starts = sorted(datetime.fromisoformat(r["start_local"]) for r in INDEX if r["athlete"] == "mara")
    longest_gap = max(b - a for a, b in zip(starts, starts[1:]))
    assert longest_gap >= timedelta(days=9)
    hours = list(_weekly_hours("mara").values())
    training, race_week = hours[:-1], hours[-1]
    assert race_week > 50  # the race itself
    recovery = [h for prev, h in zip(training, training[1:]) if h < 0.6 * prev]
    assert len(recovery) >= 5  # every 3-4 weeks
    assert max(training[-2:]) < 0.6 * max(training)  # two taper weeks


def test_barkley_race_is_one_multi_day_file():
    row = _row("barkley")
    assert 55 * 3600 < int(row["elapsed_s"]) < 60 * 3600
    assert float(row["true_ascent_m"]) == pytest.approx(17_700, rel=0.01)
    assert 160_000 <= float(row["true_distance_m"]) <= 200_000
    laps = _decode(row["file"])["lap"]
    assert len(laps) == 5
    start = datetime.fromisoformat(row["start_local"])
    end = start + timedelta(seconds=int(row["elapsed_s"]))
    assert (end.date() - start.date()).days == 2


def test_edge_files():
    assert _row("treadmill")["sub_sport"] == "treadmill"
    assert (_row("treadmill")["has_gps"], _row("treadmill")["has_altitude"]) == ("0", "0")
    assert _row("nohr")["has_hr"] == "0"
    assert _row("hike")["sport"] == "hiking"
    assert _row("bike")["sport"] == "cycling"
    travel = _row("tzcross")
    start_offset_s = datetime.fromisoformat(travel["start_local"]).utcoffset().total_seconds()
    assert int(travel["utc_offset_s"]) != start_offset_s


def test_duplicate_is_the_same_run_from_another_service():
    dup = _row("duplicate")
    original = BY_FILE[dup["duplicate_of"]]
    assert dup["file"] != original["file"]
    assert (SAMPLE_DIR / dup["file"]).read_bytes() != (SAMPLE_DIR / original["file"]).read_bytes()
    a, b = _decode(dup["file"]), _decode(original["file"])
    assert a["file_id"][0]["manufacturer"] != b["file_id"][0]["manufacturer"]
    start_gap_s = abs((a["session"][0]["start_time"] - b["session"][0]["start_time"]).total_seconds())
    assert start_gap_s <= 60
    assert a["session"][0]["total_elapsed_time"] == pytest.approx(b["session"][0]["total_elapsed_time"], rel=0.02)


def test_walking_cadence_on_steep_climbs():
    records = _decode(_row("barkley")["file"])["record"]
    slow = sorted(r["cadence"] for r in records if 0.1 < r["enhanced_speed"] < 0.7)
    fast = sorted(r["cadence"] for r in records if r["enhanced_speed"] > 1.8)
    assert slow and fast
    assert slow[len(slow) // 2] < 65 < 78 < fast[len(fast) // 2]


@pytest.fixture(scope="module")
def sampledata():
    pytest.importorskip("garmin_fit_sdk")
    from trainlog_dev import sampledata

    return sampledata


REGENERATED = [
    _row("duplicate")["file"], _row("duplicate")["duplicate_of"], _row("treadmill")["file"],
    _row("tzcross")["file"], _row("nohr")["file"], _row("race50")["file"],
]


def test_regenerating_gives_identical_bytes(sampledata, tmp_path):
    rows = sampledata.generate(tmp_path, only=REGENERATED)
    assert sorted(r["file"] for r in rows) == sorted(REGENERATED)
    for row in rows:
        assert _sha256(tmp_path / row["file"]) == _sha256(SAMPLE_DIR / row["file"]), row["file"]
        assert {k: str(v) for k, v in row.items()} == BY_FILE[row["file"]]


def test_another_seed_gives_other_bytes(sampledata, tmp_path):
    rel = _row("race50")["file"]  # a race: its start time does not depend on the seed
    sampledata.generate(tmp_path, seed=sampledata.DEFAULT_SEED + 1, only=[rel])
    assert _sha256(tmp_path / rel) != _sha256(SAMPLE_DIR / rel)


def test_import_does_not_need_the_fit_sdk():
    code = "import sys, trainlog_dev.sampledata; assert 'garmin_fit_sdk' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_command_line_writes_the_requested_files(sampledata, tmp_path):
    rel = _row("treadmill")["file"]
    assert sampledata.main(["--out", str(tmp_path), "--only", rel]) == 0
    assert _sha256(tmp_path / rel) == _sha256(SAMPLE_DIR / rel)
