"""trainlog.errors: one tree under TrainlogError, messages that carry their context, picklable."""

from __future__ import annotations

import concurrent.futures as cf
import inspect
import multiprocessing
import pickle

import pytest

from trainlog import errors
from trainlog.errors import (
    ArchiveError,
    InvalidFitFile,
    InvalidValue,
    SettingsError,
    StoreError,
    TrainlogError,
    first_line,
)
from trainlog.ingest.fit.reference import decode_reference

ERRORS = [obj for _, obj in inspect.getmembers(errors, inspect.isclass) if issubclass(obj, BaseException)]


def test_the_module_declares_the_six_errors_of_its_docstring():
    assert {e.__name__ for e in ERRORS} == {
        "TrainlogError", "InvalidFitFile", "ArchiveError", "StoreError", "SettingsError", "InvalidValue"}
    for error in ERRORS:
        assert error.__name__ in errors.__doc__


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: e.__name__)
def test_every_error_is_a_trainlog_error_and_not_a_builtin_one(error):
    assert issubclass(error, TrainlogError) and issubclass(error, Exception)
    assert error.__bases__ == ((Exception,) if error is TrainlogError else (TrainlogError,))
    assert error.__doc__


@pytest.mark.parametrize("error", [ArchiveError, StoreError, SettingsError, InvalidValue])
def test_a_plain_error_carries_its_message(error):
    exc = error("/data/mara/dataset.json: dataset manifest is unreadable")
    with pytest.raises(TrainlogError, match="dataset manifest is unreadable"):
        raise exc
    assert str(exc) == "/data/mara/dataset.json: dataset manifest is unreadable"


def test_invalid_fit_file_names_the_file_the_reason_and_the_byte():
    exc = InvalidFitFile("runs/2024-03-01.fit", "bad CRC", 1234)
    assert str(exc) == "runs/2024-03-01.fit: bad CRC at byte 1234"
    assert (exc.name, exc.reason, exc.offset) == ("runs/2024-03-01.fit", "bad CRC", 1234)
    assert str(InvalidFitFile("a.fit", "truncated", 0)) == "a.fit: truncated at byte 0"  # byte 0 is a byte
    assert str(InvalidFitFile("a.fit", "not a FIT file")) == "a.fit: not a FIT file"
    assert InvalidFitFile("a.fit", "x").offset is None


@pytest.mark.parametrize("offset", [None, 0, 4096])
def test_invalid_fit_file_pickles_with_its_fields(offset):
    exc = InvalidFitFile("export.zip!/a/b.fit", "truncated", offset)
    back = pickle.loads(pickle.dumps(exc))
    assert type(back) is InvalidFitFile
    assert (back.name, back.reason, back.offset) == ("export.zip!/a/b.fit", "truncated", offset)
    assert str(back) == str(exc)


def test_errors_cross_processes_with_their_fields():
    # the importer's workers are spawned processes (trainlog.ingest.importer); the same here
    with cf.ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        made = pool.submit(InvalidFitFile, "w.fit", "bad CRC", 77).result()  # built there, returned here
        assert (made.name, made.reason, made.offset, str(made)) == ("w.fit", "bad CRC", 77, "w.fit: bad CRC at byte 77")
        with pytest.raises(InvalidFitFile) as err:  # raised there, re-raised here
            pool.submit(decode_reference, b"", "empty.fit").result()
    assert err.value.name == "empty.fit"
    assert str(err.value) == "empty.fit: empty or truncated FIT header (0 bytes)"


@pytest.mark.parametrize(
    ("exc", "line"),
    [
        (ValueError("one line"), "one line"),
        (ValueError("\n  first\nsecond\n"), "first"),
        (KeyError("k"), "'k'"),
        (ValueError(""), "ValueError"),
        (StoreError("   "), "StoreError"),
    ],
)
def test_first_line(exc, line):
    assert first_line(exc) == line
