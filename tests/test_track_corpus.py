"""Every real GPX and TCX file of ../shared/track_corpus, against the totals its MANIFEST gives.

Each file ends in one of the four outcomes with no traceback; an activity's
distance is within 1 % of the MANIFEST's (the laps' own for TCX, the haversine
within segments for GPX), its elapsed time equal (first to last point, legs
of a multisport file together), and heart rate is there when the file has it.
"""

from __future__ import annotations

import pytest
from builders import TRACK_CORPUS, requires_track_corpus, track_manifest

from trainlog import Store, import_paths
from trainlog.ingest.decode import decode
from trainlog.ingest.xmltrack import InvalidTrackFile

pytestmark = requires_track_corpus

ROWS = track_manifest() if (TRACK_CORPUS / "MANIFEST.tsv").is_file() else []
ACTIVITIES = [r for r in ROWS if r["kind"] == "activity"]
#: The one activity file trainlog does not take, and why: every point's time is 1901-12-13 20:45:52, the 32-bit
#: time_t minimum a converter wrote for "no time" (its MANIFEST note: "the times are garbage").
PLACEHOLDER_TIMES = {"gpxpy_test_files_Mojstrovka.gpx"}


def _ids(rows: list[dict]) -> list[str]:
    return [r["file"] for r in rows]


@pytest.mark.parametrize("row", ACTIVITIES, ids=_ids(ACTIVITIES))
def test_each_activity_has_the_files_own_totals(row):
    decoded = decode((TRACK_CORPUS / row["file"]).read_bytes(), row["file"])
    if row["file"] in PLACEHOLDER_TIMES:
        assert not decoded.is_activity and "placeholders" in decoded.file_type
        return
    assert decoded.is_activity, decoded.file_type
    sessions = decoded.sessions
    distance = sum(s["distance_m"] or 0.0 for s in sessions)
    expected = float(row["distance_m"])
    assert distance == pytest.approx(expected, rel=0.01, abs=0.05)
    start = min(s["start_utc"] for s in sessions)
    end = max(s["start_utc"].timestamp() + s["elapsed_s"] for s in sessions)
    assert round(end - start.timestamp(), 1) == pytest.approx(float(row["elapsed_s"]), abs=0.01)  # the MANIFEST rounds to 0.1 s
    assert len(sessions) == (int(row["n_tracks_or_activities"]) if row["format"] == "tcx" else 1)
    has_hr = decoded.records is not None and decoded.records["hr_bpm"].is_not_null().any()
    assert has_hr == (row["has_hr"] == "1")


def test_every_file_ends_in_one_of_the_four_outcomes(tmp_path):
    store = Store(tmp_path / "data")
    report = import_paths(store, [TRACK_CORPUS], "corpus", workers=1)
    outcome = {r.name.rsplit("/", 1)[-1]: r for r in report.results}
    for row in ROWS:
        r = outcome[row["file"]]
        assert "\n" not in r.detail and "Traceback" not in r.detail
        if row["kind"] == "broken":
            assert r.outcome == "failed" and r.detail.startswith("not a GPX file (the XML does not parse")
        elif row["kind"] == "not-activity" or row["file"] in PLACEHOLDER_TIMES:
            assert r.outcome == "skipped" and r.detail.endswith("not an activity"), r.detail
        elif "same 2018-05-13 activity" in row["notes"] or "same activity as the Movescount" in row["notes"]:
            assert r.outcome in ("imported", "duplicate")  # the Suunto and Sports Tracker copies of one run: one stored
        else:
            assert r.outcome == "imported", (row["file"], r.detail)
    pair = [outcome["sports-lib_samples_gpx_movescount.gpx"], outcome["sports-lib_samples_gpx_sports-tracker.gpx"]]
    assert sorted(r.outcome for r in pair) == ["duplicate", "imported"]
    acts = store.read("activities", "corpus")
    assert acts["sport"].null_count() == 0  # the file's, else default_sport
    legs = acts.filter(acts["source_file"].str.ends_with("multi-session.tcx"))
    assert legs["sport"].to_list() == ["running", "cycling", "running", "cycling"]


def test_a_broken_file_is_one_line():
    with pytest.raises(InvalidTrackFile) as err:
        decode((TRACK_CORPUS / "gpsbabel_reference_track_trackfilter_discard_err.gpx").read_bytes(), "bad.gpx")
    assert str(err.value).startswith("bad.gpx: not a GPX file (the XML does not parse: syntax error: line 1, column 0")
