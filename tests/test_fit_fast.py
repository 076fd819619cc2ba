"""The compiled fast path against fitparse: every corpus file decoded both ways.

The fast path (trainlog.ingest.fit.fast, fitfast for records) must give exactly what
the reference (trainlog.ingest.fit.reference.decode_reference, fitparse only) gives for every
field trainlog stores, or refuse the file (Unsupported) so decode() falls back.
No tolerance is needed: fitfast's speed/altitude expansion that can be one raw
unit low (0.001 m/s, 0.2 m) is avoided by reading the base field.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest
from builders import CORPUS, SAMPLE_FIT, corpus_available, corpus_file, requires_corpus
from polars.testing import assert_frame_equal

from trainlog.errors import InvalidFitFile
from trainlog.ingest.decode import decode
from trainlog.ingest.decoded import RECORD_COLUMNS
from trainlog.ingest.fit import fast as fit_fast
from trainlog.ingest.fit import framing
from trainlog.ingest.fit.reference import decode_reference

SUMMARY_FIELDS = ("file_type", "sessions", "laps", "device", "utc_offset_s", "partial", "notes", "rr_intervals", "wellness")
LARGE = "muktihari-fit_big_activity.fit"  # 100k records, the fast path
RUN = "sports-alliance_runs_fit_6782987395.fit"  # a Garmin run, the fast path
ZERO_HEADER_CRC = "fitparse-rs_ZeroHeaderCrc.fit"
COMPRESSED_SPEED = "fitparse_compressed-speed-distance.fit"


def corpus_names() -> list[str]:
    if not corpus_available():
        return ["(corpus absent)"]
    return sorted(p.name for p in CORPUS.iterdir() if p.is_file() and p.name != "MANIFEST.tsv")


def reference_or_error(data: bytes, name: str):
    try:
        return decode_reference(data, name)
    except InvalidFitFile as exc:
        return exc


def assert_same(ref, got) -> None:
    for attr in SUMMARY_FIELDS:
        assert getattr(got, attr) == getattr(ref, attr), attr
    if ref.records is None:
        assert got.records is None
    else:
        assert_frame_equal(got.records, ref.records, check_exact=True)


@requires_corpus
@pytest.mark.slow
@pytest.mark.parametrize("name", corpus_names())
def test_corpus_file_decodes_as_fitparse_does(monkeypatch, name):
    """With both readers of the record stream: in place (trainlog.ingest.fit.records, taken when it can), then
    fitfast."""
    data = corpus_file(name).read_bytes()
    ref = reference_or_error(data, name)
    for records in ("in place", "fitfast"):
        if records == "fitfast":
            monkeypatch.setattr(fit_fast, "_read_in_place", lambda *args: None)
        if isinstance(ref, InvalidFitFile):
            with pytest.raises(InvalidFitFile):
                decode(data, name)
            with pytest.raises((fit_fast.Unsupported, InvalidFitFile)):
                fit_fast.decode_fast(data, name)
            continue
        assert_same(ref, decode(data, name))
        try:
            fast = fit_fast.decode_fast(data, name)
        except fit_fast.Unsupported:
            continue  # decode() fell back to fitparse: checked above
        assert_same(ref, fast)


@requires_corpus
def test_most_of_the_corpus_takes_the_fast_path():
    taken = 0
    for name in corpus_names():
        try:
            fit_fast.decode_fast(corpus_file(name).read_bytes(), name)
            taken += 1
        except (fit_fast.Unsupported, InvalidFitFile):
            pass
    # 235 of 271: the others are damaged, chained or odd (benchmarks/README.md); two BingiWatch pool
    # swims list timestamp twice in a record definition and go to fitparse (same values)
    assert taken >= 230


@requires_corpus
def test_most_fast_path_files_read_their_records_in_place(monkeypatch):
    read = []
    real = fit_fast._read_in_place
    monkeypatch.setattr(fit_fast, "_read_in_place", lambda *args: read.append(real(*args) is not None) or real(*args))
    for name in corpus_names():
        try:
            fit_fast.decode_fast(corpus_file(name).read_bytes(), name)
        except (fit_fast.Unsupported, InvalidFitFile):
            pass
    assert sum(read) >= 210  # 224 of the 227 with records in December 2026 (the others: compressed timestamps)


@requires_corpus
@pytest.mark.parametrize(("name", "reason"), [(COMPRESSED_SPEED, "compressed speed/distance")])
def test_files_fitfast_gets_wrong_are_refused(name, reason):
    data = corpus_file(name).read_bytes()
    with pytest.raises(fit_fast.Unsupported, match=reason):
        fit_fast.decode_fast(data, name)
    assert_same(decode_reference(data, name), decode(data, name))


def _zero_header_crc(data: bytes) -> bytes:
    """``data`` as a device that leaves the header CRC at 0 writes it (file CRC recomputed)."""
    body = data[:12] + b"\0\0" + data[14:-2]
    return body + framing.fit_crc(body).to_bytes(2, "little")


def test_zero_header_crc_takes_the_fast_path_and_a_bad_file_crc_is_still_refused():
    path = next(SAMPLE_FIT.glob("tom/*_running.fit"))
    data = _zero_header_crc(path.read_bytes())
    assert data[0] == 14 and data[12:14] == b"\0\0"
    fixed = framing.with_header_crc(data)  # what fitfast is given
    assert framing.fit_crc(fixed[:12]) == int.from_bytes(fixed[12:14], "little")
    assert framing.fit_crc(fixed[:-2]) == int.from_bytes(fixed[-2:], "little")
    fast = fit_fast.decode_fast(data, path.name)
    assert fast.n_records > 1000
    assert_same(decode_reference(data, path.name), fast)
    damaged = bytearray(data)
    damaged[len(data) // 2] ^= 0x01  # the file CRC no longer matches: still caught
    with pytest.raises(fit_fast.Unsupported, match="checksum|CRC"):
        fit_fast.decode_fast(bytes(damaged), path.name)


@requires_corpus
def test_zero_header_crc_corpus_file_takes_the_fast_path():
    data = corpus_file(ZERO_HEADER_CRC).read_bytes()
    assert data[12:14] == b"\0\0"
    assert_same(decode_reference(data, ZERO_HEADER_CRC), fit_fast.decode_fast(data, ZERO_HEADER_CRC))


@requires_corpus
def test_compressed_speed_distance_keeps_speed_and_distance():
    decoded = decode(corpus_file(COMPRESSED_SPEED).read_bytes(), COMPRESSED_SPEED)
    assert decoded.records["distance_m"].drop_nulls().len() > 0
    assert decoded.records["speed_mps"].drop_nulls().len() > 0


@pytest.fixture(scope="module")
def large() -> bytes:
    return corpus_file(LARGE).read_bytes()


@requires_corpus
@pytest.mark.slow
def test_large_file_takes_the_fast_path(large):
    fast = fit_fast.decode_fast(large, LARGE)
    assert fast.n_records > 90_000
    assert_same(decode_reference(large, LARGE), fast)


@pytest.fixture(scope="module")
def run() -> bytes:
    return corpus_file(RUN).read_bytes()


@requires_corpus
@pytest.mark.parametrize("fraction", [0.3, 0.999])
def test_truncated_file_keeps_what_fitparse_keeps(run, fraction):
    cut = run[: int(len(run) * fraction)]
    with pytest.raises(fit_fast.Unsupported, match="truncated"):
        fit_fast.decode_fast(cut, RUN)
    decoded = decode(cut, RUN)
    assert decoded.partial
    assert decoded.n_records > 0
    assert_same(decode_reference(cut, RUN), decoded)


@requires_corpus
def test_damaged_byte_is_refused_and_kept_up_to_the_damage(run):
    damaged = bytearray(run)
    damaged[len(run) // 2] ^= 0x01  # a value bit: the framing is intact, the file CRC is not
    damaged = bytes(damaged)
    with pytest.raises(fit_fast.Unsupported, match="checksum|CRC"):
        fit_fast.decode_fast(damaged, RUN)
    decoded = decode(damaged, RUN)
    assert decoded.partial
    assert_same(decode_reference(damaged, RUN), decoded)


@requires_corpus
def test_chained_file_is_refused():
    data = corpus_file("fitparse_activity-settings.fit").read_bytes()
    with pytest.raises(fit_fast.Unsupported):
        fit_fast.decode_fast(data, "chained")


@requires_corpus
def test_without_fitfast_decode_uses_fitparse(monkeypatch, run):
    monkeypatch.setitem(sys.modules, "fitfast", None)  # import fitfast -> ImportError
    with pytest.raises(fit_fast.Unsupported, match="fitfast not installed"):
        fit_fast.decode_fast(run, RUN)
    assert decode(run, RUN).n_records > 0


def test_not_a_fit_file_is_refused():
    with pytest.raises(fit_fast.Unsupported):
        fit_fast.decode_fast(b"hello world, not FIT", "x.fit")
    with pytest.raises(InvalidFitFile):
        decode(b"hello world, not FIT", "x.fit")


def test_records_frame_fills_missing_timestamps_forward():
    nan = float("nan")
    t0 = 1_700_000_000.0
    cols = {
        "timestamp": np.array([nan, t0, nan, t0 + 2]),
        "heart_rate": np.array([100.0, 101.0, 102.0, nan]),
        "speed": np.array([1.234, nan, 2.0, 3.0]),
        "enhanced_speed": np.array([1.233, 5.0, 1.999, 2.999]),
    }
    frame, relative = fit_fast._records_frame(cols, 4)
    assert not relative
    assert frame["timestamp"].dt.epoch("s").to_list() == [t0, t0, t0 + 2]  # the first row has no time yet
    assert frame["hr_bpm"].to_list() == [101.0, 102.0, None]
    assert frame["speed_mps"].to_list() == [5.0, 2.0, 3.0]  # speed first, enhanced where speed is missing
    assert tuple(frame.columns) == RECORD_COLUMNS


def _messages(data: bytes):
    """(offset, header byte, global number, field definitions bytes) of each message of a file."""
    for pos, h, d in framing.walk(data, framing.read_header(data)):
        yield pos, h, d.global_num, d.fields


def _record_definition(data: bytes) -> int:
    """Offset of the first record (global 20) definition message with two fields or more."""
    return next(pos for pos, h, kind, fields in _messages(data) if h & 0x40 and kind == 20 and len(fields) >= 6)


@pytest.mark.parametrize("base_type", [0x15, 0x3F, 0x72])
def test_unknown_base_type_is_refused_before_fitfast(capfd, base_type):
    """A base type byte out of the FIT profile (here after one with high bits set) is refused by the
    scan: fitfast 0.1.0 would panic on it (a Rust message on stderr)."""
    data = bytearray(next(SAMPLE_FIT.glob("mara/*_running.fit")).read_bytes())
    pos = _record_definition(bytes(data))
    assert data[pos + 6 + 2] & 0x80  # the first field's base type has the endian bit (e.g. 0x86)
    data[pos + 6 + 3 + 2] = base_type  # the second field's
    with pytest.raises(fit_fast.Unsupported, match="unknown base type"):
        fit_fast.decode_fast(bytes(data), "odd.fit")
    assert "panicked" not in capfd.readouterr().err


@requires_corpus
def test_developer_field_of_unknown_base_type_is_refused_before_fitfast(capfd):
    """A developer field whose field_description gives a base type out of the profile: fitfast
    0.1.0 panics on it, so the scan refuses the file (found by benchmarks/fuzz.py)."""
    for path in sorted(CORPUS.glob("*.fit")):
        data = path.read_bytes()
        try:
            fit_fast.decode_fast(data, path.name)
        except fit_fast.Unsupported:
            continue
        for pos, h, kind, fields in _messages(data):
            if kind == 206 and not h & 0x40 and 2 in fields[0::3]:  # field_description, fit_base_type_id
                offset = sum(fields[1:3 * list(fields[0::3]).index(2):3])
                damaged = bytearray(data)
                damaged[pos + 1 + offset] = 0x15
                with pytest.raises(fit_fast.Unsupported, match="developer field of an unknown base type"):
                    fit_fast.decode_fast(bytes(damaged), path.name)
                # and a field_description defined without fit_base_type_id (its number changed)
                definition = max(d for d, dh, dkind, _ in _messages(data) if dh & 0x40 and dkind == 206 and d < pos)
                renamed = bytearray(data)
                renamed[definition + 6 + 3 * list(fields[0::3]).index(2)] = 0xFE
                with pytest.raises(fit_fast.Unsupported, match="developer field of an unknown base type"):
                    fit_fast.decode_fast(bytes(renamed), path.name)
                assert "panicked" not in capfd.readouterr().err
                return
    pytest.fail("no corpus file on the fast path has developer fields")


@pytest.mark.parametrize("duplicate", ["invalid_last", "invalid_first"])
def test_records_defining_a_field_twice_are_refused_and_keep_the_valid_copy(duplicate):
    """Some Garmin and Zwift files list record field 5 (distance) twice, one copy 0xFFFFFFFF."""
    import fit_raw

    start = 1_714_550_400
    data = fit_raw.distance_twice_run(start, 121, duplicate=duplicate)
    with pytest.raises(fit_fast.Unsupported, match="records define a field twice"):
        fit_fast.decode_fast(data, "twice.fit")
    ref = decode_reference(data, "twice.fit")
    assert ref.records["distance_m"].to_list() == [3.0 * i for i in range(121)]
    assert_same(ref, decode(data, "twice.fit"))
    clean = fit_raw.distance_twice_run(start, 121, duplicate=None)  # distance once: the fast path, same records
    assert_same(decode_reference(clean, "clean.fit"), fit_fast.decode_fast(clean, "clean.fit"))
    assert_frame_equal(fit_fast.decode_fast(clean, "clean.fit").records, ref.records, check_exact=True)


# --------------------------------------------------------------------------- side messages through fitfast.parse


def _both_side_paths(monkeypatch, data: bytes, name: str):
    """decode_fast with the side messages from fitfast.parse (sidefast), then from fitparse; Unsupported as a value."""
    out = []
    for adapter in (fit_fast.side_messages, lambda side: None):
        monkeypatch.setattr(fit_fast, "side_messages", adapter)
        try:
            out.append(fit_fast.decode_fast(data, name))
        except (fit_fast.Unsupported, InvalidFitFile) as exc:
            out.append(type(exc))
    monkeypatch.undo()
    return out


def _takes_sidefast(data: bytes) -> bool:
    side, _, _, exact, _ = fit_fast._scan(data)
    return exact and fit_fast.side_messages(side) is not None


@requires_corpus
@pytest.mark.slow
def test_side_messages_from_fitfast_equal_fitparse_on_the_corpus(monkeypatch):
    taken = 0
    for name in corpus_names():
        data = corpus_file(name).read_bytes()
        adapted, reference = _both_side_paths(monkeypatch, data, name)
        if isinstance(reference, type):
            assert adapted is reference, name
            continue
        assert_same(reference, adapted)
        taken += _takes_sidefast(data)
    assert taken > 100  # 137 of the corpus's 229 fast-path files in December 2026


def _generated(**device) -> bytes:
    pytest.importorskip("garmin_fit_sdk", reason="the dev dependency garmin-fit-sdk writes the test files")
    from trainlog_dev.fitwrite import Device, Recording, encode

    n = 1200
    t0 = 1_546_334_760 if not device.pop("relative", False) else framing.FIT_EPOCH_UNIX_S + 1000
    rec = Recording(
        time_unix_s=t0 + np.arange(n), distance_m=np.arange(n) * 2.71, speed_mps=np.full(n, 2.713),
        energy_kcal=np.arange(n) * 0.19, sport="running", sub_sport="trail", utc_offset_end_s=-(9 * 3600 + 30 * 60),
        hr_bpm=np.full(n, 141.0), altitude_m=100 + np.sin(np.arange(n) / 50) * 20, lap_starts=[0, 333, 777],
    )
    return encode(rec, Device(**device))


@pytest.mark.parametrize(
    "device",
    [
        {}, {"relative": True}, {"manufacturer": "wahoo_fitness", "product": 31},
        {"manufacturer": "favero_electronics", "product": 12}, {"manufacturer": "development", "product": 9},
        {"write_laps": False, "altitude_field": "altitude"},
    ],
    ids=["garmin", "relative-clock", "wahoo", "favero", "development", "one-lap"],
)
def test_side_messages_from_fitfast_equal_fitparse_on_generated_files(monkeypatch, device):
    data = _generated(**device)
    assert _takes_sidefast(data)
    adapted, reference = _both_side_paths(monkeypatch, data, "gen.fit")
    assert_same(reference, adapted)
    assert_same(decode_reference(data, "gen.fit"), adapted)


def test_side_messages_fitfast_cannot_vouch_for_go_to_fitparse(monkeypatch):
    data = _generated(product_name="Forerunner 255")  # a string field: fitparse reads the side file
    assert not _takes_sidefast(data)
    adapted, reference = _both_side_paths(monkeypatch, data, "named.fit")
    assert_same(reference, adapted)
    assert_same(decode_reference(data, "named.fit"), adapted)


def test_the_time_before_each_hrv_message_is_the_last_recorded_one():
    # fast._preceding_times (one NumPy pass) against its definition, a record at a time: records without a
    # time (NaN) are skipped, a count of 0 or one past the records is allowed
    def one_at_a_time(ts, after):
        out = []
        for n in after:
            times = [t for t in ts[:n] if not np.isnan(t)]
            out.append(int(np.round(times[-1] * 1_000_000)) if times else None)
        return out

    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        ts = 1.7e9 + np.cumsum(rng.uniform(0, 2, n))
        ts[rng.uniform(size=n) < 0.3] = np.nan
        after = [int(k) for k in rng.integers(0, n + 3, int(rng.integers(0, 15)))]
        assert fit_fast._preceding_times({"timestamp": ts}, after) == one_at_a_time(ts, after)
    assert fit_fast._preceding_times({}, [1, 2]) == [None, None]
