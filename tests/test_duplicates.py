"""The importer's duplicate rule (trainlog.ingest.duplicates): the stored files' spans, and their lookup by start
time against a walk over every span."""

from __future__ import annotations

import datetime as dt

import polars as pl
from builders import activities, utc
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from trainlog.ingest.duplicates import DUPLICATE_START_S, Spans, file_spans, find_duplicate
from trainlog.store import Store
from trainlog.words import MANUAL_SOURCE

T0 = utc(2025, 6, 1, 7)


def spans_frame(rows: list[tuple[dt.datetime, float, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"start_utc": pl.Datetime("us", "UTC"), "elapsed_s": pl.Float64,
                                      "source_file": pl.String, "file_sha256": pl.String}, orient="row")


def walked(spans: list[tuple[dt.datetime, float, str, str]], start: dt.datetime) -> list:
    """The rule's spans near ``start`` by a walk over all of them, in the order they were added."""
    return [s for s in spans if abs((s[0] - start).total_seconds()) <= DUPLICATE_START_S]


def test_the_window_holds_both_ends_and_nothing_beyond():
    stored = [(T0 + dt.timedelta(seconds=s), 3600.0, f"f{s}.fit", f"sha{s}") for s in (-61, -60, 0, 60, 61)]
    near = Spans(spans_frame(stored)).near(T0)
    assert [n[2] for n in near] == ["f-60.fit", "f0.fit", "f60.fit"]


def test_stored_spans_come_first_in_their_order_then_the_batch_in_its_own():
    stored = [(T0 + dt.timedelta(seconds=30), 3600.0, "b.fit", "b"), (T0, 3600.0, "a.fit", "a")]
    spans = Spans(spans_frame(stored))
    spans.append((T0 - dt.timedelta(seconds=10), 3600.0, "d.fit", "d"))
    spans.append((T0 - dt.timedelta(seconds=20), 3600.0, "c.fit", "c"))
    assert [n[2] for n in spans.near(T0)] == ["b.fit", "a.fit", "d.fit", "c.fit"]
    assert find_duplicate(T0, 3600.0, spans) == ("b.fit", "b")  # the first that matches, as added
    assert find_duplicate(T0, 2000.0, spans) is None  # elapsed times too far apart (5 %, at least 60 s)


def test_no_stored_file_and_a_batch_alone():
    spans = Spans()
    assert spans.near(T0) == []
    spans.append((T0, 1800.0, "x.fit", "x"))
    assert find_duplicate(T0 + dt.timedelta(seconds=59), 1850.0, spans) == ("x.fit", "x")


moments = st.integers(min_value=-600, max_value=600).map(lambda s: T0 + dt.timedelta(seconds=s, microseconds=s % 7))


@hsettings(max_examples=60, deadline=None)
@given(stored=st.lists(moments, max_size=30), added=st.lists(moments, max_size=10), asked=st.lists(moments, max_size=5))
def test_the_lookup_equals_a_walk_over_every_span(stored, added, asked):
    rows = [(t, 3600.0, f"s{k}.fit", f"s{k}") for k, t in enumerate(stored)]
    batch = [(t, 3600.0, f"a{k}.fit", f"a{k}") for k, t in enumerate(added)]
    spans = Spans(spans_frame(rows))
    for span in batch:
        spans.append(span)
    for start in asked:
        assert spans.near(start) == walked(rows, start) + walked(batch, start)


def test_file_spans_are_files_then_legs_and_leave_out_sessions_typed_by_hand(tmp_path):
    store = Store(tmp_path)
    with store.transaction("ada") as tx:
        tx.append("activities", activities(
            {"activity_id": "m1", "start_utc": T0, "elapsed_s": 1200.0, "source_file": "multi.fit",
             "file_sha256": "m", "n_legs": 2},
            {"activity_id": "m2", "start_utc": T0 + dt.timedelta(minutes=20), "elapsed_s": None,
             "source_file": "multi.fit", "file_sha256": "m", "n_legs": 2},
            {"activity_id": "r", "start_utc": T0 - dt.timedelta(days=1), "elapsed_s": 3600.0, "source_file": "run.fit",
             "file_sha256": "r", "n_legs": 1},
            {"activity_id": "h", "start_utc": T0 - dt.timedelta(days=2), "elapsed_s": 3600.0,
             "source_file": MANUAL_SOURCE, "file_sha256": "h", "n_legs": 1},
        ))
    with store.transaction("ada") as tx:
        rows = file_spans(tx).rows()
    assert rows == [
        (T0, 1200.0, "multi.fit", "m"),  # the whole file: its first start, its legs' elapsed times summed
        (T0 - dt.timedelta(days=1), 3600.0, "run.fit", "r"),
        (T0, 1200.0, "multi.fit", "m"),  # then each leg of a multisport file
        (T0 + dt.timedelta(minutes=20), 0.0, "multi.fit", "m"),
    ]
