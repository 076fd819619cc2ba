"""The decoders' entry point (trainlog.ingest.decode.decode): the fast path on a clean file,
the fitparse reference on a chained or damaged one, one DecodedFile shape either way."""

from __future__ import annotations

import polars as pl
import pytest
from builders import SAMPLE_FIT
from polars.testing import assert_frame_equal

from trainlog.errors import InvalidFitFile
from trainlog.ingest import decode as decode_module
from trainlog.ingest.decode import decode
from trainlog.ingest.decoded import RECORD_COLUMNS, DecodedFile
from trainlog.ingest.fit import fast
from trainlog.ingest.fit.reference import decode_reference

RUNS = sorted(SAMPLE_FIT.glob("mara/*_running.fit"))
SCHEMA = {"timestamp": pl.Datetime("us", "UTC"), **{c: pl.Float64 for c in RECORD_COLUMNS if c != "timestamp"}}


@pytest.fixture
def paths_taken(monkeypatch) -> list[str]:
    """Which decoder each decode() call ended in: "fast", or "reference" after the fast path refused."""
    taken: list[str] = []
    real_fast, real_reference = fast.decode_fast, decode_module.decode_reference

    def fast_spy(data: bytes, name: str) -> DecodedFile:
        out = real_fast(data, name)
        taken.append("fast")
        return out

    def reference_spy(data: bytes, name: str) -> DecodedFile:
        taken.append("reference")
        return real_reference(data, name)

    monkeypatch.setattr(fast, "decode_fast", fast_spy)
    monkeypatch.setattr(decode_module, "decode_reference", reference_spy)
    return taken


def assert_shape(decoded: DecodedFile) -> None:
    assert isinstance(decoded, DecodedFile)
    assert dict(decoded.records.schema) == SCHEMA
    assert decoded.sessions and set(decoded.sessions[0]) >= {"start_utc", "elapsed_s", "distance_m", "sport"}


def assert_same(got: DecodedFile, expected: DecodedFile) -> None:
    for attr in ("file_type", "sessions", "laps", "device", "utc_offset_s", "partial", "notes", "rr_intervals", "wellness"):
        assert getattr(got, attr) == getattr(expected, attr), attr
    assert_frame_equal(got.records, expected.records, check_exact=True)


def test_a_clean_file_takes_the_fast_path(paths_taken):
    data = RUNS[0].read_bytes()
    decoded = decode(data, RUNS[0].name)
    assert paths_taken == ["fast"]
    assert_shape(decoded)
    assert not decoded.partial and decoded.n_records > 1000
    assert_same(decoded, decode_reference(data, RUNS[0].name))


def test_a_chained_file_goes_to_the_reference(paths_taken):
    first, second = RUNS[0].read_bytes(), RUNS[1].read_bytes()
    decoded = decode(first + second, "chained.fit")
    assert paths_taken == ["reference"]
    assert_shape(decoded)
    # fitparse reads both files: the records and sessions of the two runs
    assert decoded.n_records == decode(first, "a").n_records + decode(second, "b").n_records
    assert len(decoded.sessions) == 2


def test_a_damaged_file_goes_to_the_reference_and_keeps_what_came_before(paths_taken):
    data = RUNS[0].read_bytes()
    cut = data[: len(data) * 6 // 10]
    decoded = decode(cut, "cut.fit")
    assert paths_taken == ["reference"]
    assert decoded.partial and decoded.notes[0].startswith("truncated")
    assert 0 < decoded.n_records < decode(data, "whole.fit").n_records
    assert dict(decoded.records.schema) == SCHEMA
    assert_same(decoded, decode_reference(cut, "cut.fit"))


def test_a_flipped_byte_goes_to_the_reference(paths_taken):
    data = bytearray(RUNS[0].read_bytes())
    data[len(data) // 2] ^= 0x01  # framing intact, the file CRC no longer matches
    decoded = decode(bytes(data), "flipped.fit")
    assert paths_taken == ["reference"]
    assert decoded.partial and "CRC" in decoded.notes[0]


def test_not_fit_fails_in_one_line_naming_the_file():
    with pytest.raises(InvalidFitFile, match=r"^notes\.txt: not a FIT file") as err:
        decode(b"a note, not a FIT file at all", "notes.txt")
    assert "\n" not in str(err.value)
