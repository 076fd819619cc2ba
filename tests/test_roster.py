"""The roster table (trainlog/store/roster.py): one row per athlete, updated under a lock, queried by SQL conditions."""

from __future__ import annotations

import concurrent.futures as cf
import datetime as dt
import errno
import multiprocessing

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from trainlog.errors import InvalidValue, StoreError
from trainlog.store import roster


def rows(*specs: tuple[str, float | None]) -> list[dict]:
    return [{"athlete": name, "acwr": acwr, "as_of": dt.date(2026, 11, 1 + i), "flags": ["acwr spike"] if acwr and acwr > 1.5
             else [], "n_flags": int(bool(acwr and acwr > 1.5))} for i, (name, acwr) in enumerate(specs)]


def test_update_creates_replaces_and_keeps_rows_sorted(tmp_path):
    assert roster.read(tmp_path) is None and roster.stamp(tmp_path) is None
    roster.update(tmp_path, rows(("tom", 1.2), ("ada", 1.6)))
    first = roster.read(tmp_path)
    assert first["athlete"].to_list() == ["ada", "tom"] and first.schema == pl.Schema(roster.ROSTER)
    roster.update(tmp_path, rows(("tom", 0.9), ("cyd", None)))  # tom's row replaced, cyd's added, ada's kept
    after = roster.read(tmp_path)
    assert after["athlete"].to_list() == ["ada", "cyd", "tom"]
    assert after["acwr"].to_list() == [1.6, None, 0.9]
    assert roster.stamp(tmp_path) is not None
    roster.update(tmp_path, [], keep=["tom"])  # the athletes whose dataset is gone leave the roster
    assert roster.read(tmp_path)["athlete"].to_list() == ["tom"]


def test_rows_take_the_roster_schema_whatever_they_hold():
    frame = roster.conform([{"athlete": "a", "ctl": 50, "as_of": dt.date(2026, 1, 1), "unknown": 3}])
    assert frame.schema == pl.Schema(roster.ROSTER)
    assert frame.row(0, named=True)["ctl"] == 50.0 and frame["tsb"].to_list() == [None]
    assert roster.conform([]).schema == pl.Schema(roster.ROSTER)


def test_a_damaged_roster_is_one_line_left_alone_by_one_row_and_rebuilt_by_a_whole_batch(tmp_path):
    damaged = b"PAR1 not really a parquet file"
    roster.path_of(tmp_path).write_bytes(damaged)
    with pytest.raises(StoreError, match=r"cannot read the roster .*batch analyse") as err:
        roster.read(tmp_path)
    assert "\n" not in str(err.value)
    with pytest.raises(StoreError, match="cannot read the roster"):  # one athlete's refresh never shrinks it to one row
        roster.update(tmp_path, rows(("ada", 1.0)))
    assert roster.path_of(tmp_path).read_bytes() == damaged
    roster.update(tmp_path, rows(("ada", 1.0), ("bob", 2.0)), rebuild=True)  # a batch over every athlete
    assert roster.read(tmp_path)["athlete"].to_list() == ["ada", "bob"]


def test_a_row_computed_before_the_one_in_the_roster_does_not_replace_it(tmp_path):
    """A batch's row, written a moment after ``trainlog import`` refreshed the same athlete, is older."""
    early, late = dt.datetime(2026, 12, 2, 5, 0, tzinfo=dt.UTC), dt.datetime(2026, 12, 2, 5, 1, tzinfo=dt.UTC)
    roster.update(tmp_path, [{"athlete": "ann", "activities": 20, "updated_utc": late},
                             {"athlete": "ben", "activities": 1, "updated_utc": early}])
    roster.update(tmp_path, [{"athlete": "ann", "activities": 5, "updated_utc": early},
                             {"athlete": "ben", "activities": 2, "updated_utc": late},
                             {"athlete": "cat", "activities": 3, "updated_utc": early}])
    assert roster.read(tmp_path).select("athlete", "activities").rows() == [("ann", 20), ("ben", 2), ("cat", 3)]
    roster.update(tmp_path, [{"athlete": "ann", "activities": 21}])  # a row without a time replaces (synthetic rows)
    assert roster.read(tmp_path)["activities"][0] == 21


def test_a_roster_from_another_trainlog_missing_a_column_is_refused(tmp_path):
    roster.conform(rows(("ada", 1.0))).drop("n_flags").write_parquet(roster.path_of(tmp_path))
    with pytest.raises(StoreError, match="no column 'n_flags'"):
        roster.read(tmp_path)


def test_a_full_disk_leaves_the_roster_as_it_was(tmp_path, monkeypatch):
    roster.update(tmp_path, rows(("ada", 1.0)))
    before = roster.path_of(tmp_path).read_bytes()

    def full(path, write, **kwargs):
        with open(path.with_name(".partial"), "wb") as fh:
            write(fh)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(roster, "replace_atomic", full)
    with pytest.raises(StoreError, match=r"cannot write the roster: .*; the roster is as it was") as err:
        roster.update(tmp_path, rows(("bob", 2.0)))
    assert "\n" not in str(err.value)
    assert roster.path_of(tmp_path).read_bytes() == before


def _write_many(data_dir: str, prefix: str, n: int) -> None:
    for i in range(n):
        roster.update(data_dir, rows((f"{prefix}{i:02d}", i / 10)))


def test_two_writers_at_once_lose_no_row(tmp_path):
    """Each update reads, changes and replaces the file under the roster's lock: two processes updating
    different athletes at the same time keep every row."""
    with cf.ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = [pool.submit(_write_many, str(tmp_path), prefix, 15) for prefix in ("a", "b")]
        for future in done:
            future.result()
    assert roster.read(tmp_path).height == 30


@pytest.fixture
def frame():
    return roster.conform(rows(("ada", 1.6), ("bob", None), ("cyd", 0.8), ("dan", 1.9)))


def test_query_where_sort_and_limit(frame):
    assert roster.query(frame, "acwr > 1.5")["athlete"].to_list() == ["ada", "dan"]
    assert roster.query(frame, "athlete like 'c%' or n_flags > 0", "-acwr")["athlete"].to_list() == ["dan", "ada", "cyd"]
    assert roster.query(frame, None, "-acwr")["athlete"].to_list() == ["dan", "ada", "cyd", "bob"]  # nulls last
    assert roster.query(frame, None, "acwr")["athlete"].to_list() == ["cyd", "ada", "dan", "bob"]
    assert roster.query(frame, "as_of >= DATE '2026-11-03'", "athlete", limit=1)["athlete"].to_list() == ["cyd"]
    assert roster.query(frame, "array_length(flags) > 0")["athlete"].to_list() == ["ada", "dan"]
    assert "detail" not in roster.query(frame).columns
    assert roster.query(frame, "athlete <> 'select * from read_parquet(x)'").height == 4  # words in a string are text
    assert_frame_equal(roster.query(frame, "  ", " "), frame.drop("detail"))


@pytest.mark.parametrize(("where", "sort", "message"), [
    ("acwr >", None, r"--where 'acwr >': .*examples"),
    ("acwr", None, r"--where 'acwr': .*Boolean"),
    ("nope > 1", None, r"--where 'nope > 1': no column 'nope'; the columns are athlete, as_of"),
    ("as_of > '2026-01-01'", None, r"DATE '2026-11-01'"),
    ("acwr > 1; drop table roster", None, r"--where .*unexpected token"),
    ("athlete in (select athlete from read_parquet('/etc/passwd'))", None, r"no subquery, no table function"),
    ("athlete in (SELECT 1)", None, r"no subquery"),
    ("read_csv('/etc/passwd') is not null", None, r"no subquery, no table function"),
    (None, "-nope", r"--sort '-nope': no column 'nope'"),
])
def test_query_mistakes_are_one_line(frame, where, sort, message):
    with pytest.raises(InvalidValue, match=message) as err:
        roster.query(frame, where, sort)
    assert "\n" not in str(err.value)
