"""Inputs (trainlog/ingest/sources.py): every path inside an imported folder gets exactly one
outcome and never stops the batch; nested zips are read from a temporary file, never
whole into memory. Through ``python -m trainlog import`` in a subprocess, as a user meets it.
"""

from __future__ import annotations

import functools
import os
import socket
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from builders import ROOT, SAMPLE_FIT, drop_file_capabilities, zip_bytes

from trainlog.ingest import sources

SAMPLES = sorted((SAMPLE_FIT / "mara").glob("*.fit"))
def run_import(*args, data: Path, modes_apply: bool = False, env: dict | None = None):
    """``python -m trainlog import ARGS`` in a subprocess; ``modes_apply``: file modes bind even as root."""
    preexec = drop_file_capabilities if (modes_apply and os.geteuid() == 0) else None
    return subprocess.run(
        [sys.executable, "-m", "trainlog", "import", *map(str, args), "-a", "mara", "--data-dir", str(data), "--workers", "1"],
        capture_output=True, text=True, cwd=ROOT, timeout=300, preexec_fn=preexec, env={**os.environ, **(env or {})},
    )


def outcome_lines(res) -> dict[str, str]:
    """{path: 'outcome: detail'} from the per-file lines (stdout and stderr), each path once."""
    got: dict[str, str] = {}
    for line in (res.stdout + res.stderr).splitlines():
        word, _, rest = line.partition(" ")
        if word in ("imported", "duplicate", "skipped", "failed"):
            name, _, detail = rest.strip().partition(": ")
            assert name not in got, f"two outcomes for {name}"
            got[name] = f"{word}: {detail}"
    return got


def test_every_path_in_a_folder_gets_one_outcome(tmp_path, modes_apply):
    inbox = tmp_path / "in"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "good.fit").write_bytes(SAMPLES[0].read_bytes())
    (inbox / "sub" / "also.fit").write_bytes(SAMPLES[1].read_bytes())
    os.mkfifo(inbox / "pipe.fit")  # never opened: it would block
    (inbox / "dangling.fit").symlink_to(tmp_path / "nowhere.fit")
    (inbox / "self.fit").symlink_to(inbox / "self.fit")  # ELOOP
    (inbox / "sub" / "up").symlink_to(inbox)  # a folder loop
    locked = inbox / "locked"
    locked.mkdir()
    (locked / "hidden.fit").write_bytes(SAMPLES[2].read_bytes())
    locked.chmod(0)
    secret = inbox / "secret.fit"
    secret.write_bytes(SAMPLES[3].read_bytes())
    secret.chmod(0)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(inbox / "sock.fit"))
    try:
        res = run_import(inbox, data=tmp_path / "data", modes_apply=modes_apply)
    finally:
        sock.close()
        locked.chmod(0o755)
    assert "Traceback" not in res.stderr
    got = outcome_lines(res)
    assert got == {
        f"{inbox}/dangling.fit": "failed: dangling symlink (its target does not exist)",
        f"{inbox}/good.fit": "imported: " + got[f"{inbox}/good.fit"].split(": ", 1)[1],
        f"{inbox}/locked": "failed: permission denied",
        f"{inbox}/pipe.fit": "failed: not a regular file",
        f"{inbox}/secret.fit": "failed: permission denied",
        f"{inbox}/self.fit": "failed: symlink loop",
        f"{inbox}/sock.fit": "failed: not a regular file",
        f"{inbox}/sub/also.fit": "imported: " + got[f"{inbox}/sub/also.fit"].split(": ", 1)[1],
        f"{inbox}/sub/up": "failed: symlink loop",
    }, res.stdout + res.stderr
    assert res.returncode == 1
    assert res.stdout.strip().splitlines()[-1].startswith("2 imported, 0 duplicate, 0 skipped, 7 failed")


def test_unreadable_file_given_as_an_argument_fails_alone(tmp_path, modes_apply):
    secret = tmp_path / "secret.fit"
    secret.write_bytes(SAMPLES[4].read_bytes())
    secret.chmod(0)
    fifo = tmp_path / "pipe.fit"
    os.mkfifo(fifo)
    res = run_import(SAMPLES[5], secret, fifo, tmp_path / "missing.fit", SAMPLES[6], data=tmp_path / "data",
                     modes_apply=modes_apply)
    assert "Traceback" not in res.stderr and res.returncode == 1
    got = outcome_lines(res)
    assert got[str(secret)] == "failed: permission denied"
    assert got[str(fifo)] == "failed: not a regular file"
    assert got[str(tmp_path / "missing.fit")] == "failed: no such file or directory"
    assert got[str(SAMPLES[5])].startswith("imported") and got[str(SAMPLES[6])].startswith("imported")


#: Stored, not deflated: padding members are listed but never read.
_zip = functools.partial(zip_bytes, compression=zipfile.ZIP_STORED)


def test_nested_zip_is_read_from_a_temporary_file_not_memory(tmp_path):
    """A 48 MiB inner zip (a FIT file and padding) is listed and read with a few MiB of Python memory."""
    padding = os.urandom(1 << 20) * 48  # stored: listed as "not a FIT file", never read
    inner = _zip({"activities/run.fit": SAMPLES[7].read_bytes(), "padding.bin": padding})
    outer = tmp_path / "export.zip"
    outer.write_bytes(_zip({"DI_CONNECT/part1.zip": inner}))
    del padding, inner
    tracemalloc.start()
    try:
        found = list(sources.iter_sources([outer]))
        data = next(s for s in found if s.name.endswith("run.fit")).load()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert data == SAMPLES[7].read_bytes()
    assert sorted(s.name.split("!/", 1)[1] for s in found) == ["DI_CONNECT/part1.zip!/activities/run.fit",
                                                               "DI_CONNECT/part1.zip!/padding.bin"]
    assert peak < 8 << 20, f"peak Python memory {peak >> 20} MiB"


def test_nested_zip_through_the_cli_leaves_no_temporary_file(tmp_path):
    inner = _zip({"activities/a.fit": SAMPLES[8].read_bytes(), "activities/b.fit": SAMPLES[9].read_bytes()})
    outer = tmp_path / "export.zip"
    outer.write_bytes(_zip({"part1.zip": inner, "c.fit": SAMPLES[10].read_bytes()}, compression=zipfile.ZIP_DEFLATED))
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    res = run_import(outer, data=tmp_path / "data", env={"TMPDIR": str(tmp)})
    assert res.returncode == 0, res.stderr
    got = outcome_lines(res)
    assert [v.split(":")[0] for v in got.values()] == ["imported"] * 3
    assert f"{outer}!/part1.zip!/activities/b.fit" in got
    assert not list(tmp.iterdir())  # the inner zip's copy was unnamed, and is gone


def test_nested_zip_over_the_member_limit_is_refused_while_copying(tmp_path, monkeypatch):
    """An inner zip whose header under-declares its size is stopped at MAX_MEMBER_BYTES during the copy."""
    monkeypatch.setattr(sources, "MAX_MEMBER_BYTES", 1 << 20)
    inner = _zip({"run.fit": SAMPLES[11].read_bytes(), "pad.bin": os.urandom(2 << 20)})
    outer = tmp_path / "export.zip"
    outer.write_bytes(_zip({"inner.zip": inner, "ok.fit": SAMPLES[12].read_bytes()}))
    got = {s.name.split("!/", 1)[1]: s for s in sources.iter_sources([outer])}
    assert got["inner.zip"].fail == f"refused: entry decompresses to {len(inner)} bytes (zip bomb limits)"
    assert got["ok.fit"].load() == SAMPLES[12].read_bytes()
    with zipfile.ZipFile(outer) as zf:  # the copy itself stops at the limit too (a lying header)
        with pytest.raises(sources.ArchiveError, match="decompresses to more than 1 MiB"):
            sources._spill(zf, zf.getinfo("inner.zip"), "inner.zip")


def test_entries_of_nested_zips_share_the_archive_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_ZIP_ENTRIES", 10)
    inner = _zip({f"run{i}.txt": b"x" for i in range(6)})
    outer = tmp_path / "export.zip"
    outer.write_bytes(_zip({"a.zip": inner, "b.zip": inner}))
    found = list(sources.iter_sources([outer]))
    refused = [s for s in found if s.fail]
    assert len(refused) == 1 and refused[0].name.endswith("b.zip")
    assert refused[0].fail == "refused: zip holds 6 entries, more than the 2 left of the archive's limit of 10"
    assert sum(1 for s in found if s.skip) == 6


def test_fit_gz_member_larger_than_a_fit_file_is_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(sources, "MAX_FIT_BYTES", 100_000)
    outer = tmp_path / "export.zip"
    outer.write_bytes(_zip({"big.fit.gz": os.urandom(200_000), "ok.fit": SAMPLES[0].read_bytes()}))
    got = {s.name.split("!/", 1)[1]: s for s in sources.iter_sources([outer])}
    assert "more than a FIT file holds" in got["big.fit.gz"].fail
    assert got["ok.fit"].load


def test_zips_inside_one_archive_are_limited(tmp_path, monkeypatch):
    """Each nested zip holds an open temporary file until the import ends: their number is bounded."""
    monkeypatch.setattr(sources, "MAX_NESTED_ZIPS", 2)
    inner = _zip({"run.fit": SAMPLES[0].read_bytes()})
    outer = tmp_path / "export.zip"
    outer.write_bytes(_zip({"a.zip": inner, "b.zip": _zip({"c.zip": inner}), "d.zip": inner}))
    got = {s.name.split("!/", 1)[1]: s for s in sources.iter_sources([outer])}
    assert got["a.zip!/run.fit"].load() == SAMPLES[0].read_bytes()
    assert got["b.zip!/c.zip"].fail == "refused: more than 2 zips inside one archive"
    assert got["d.zip"].fail == "refused: more than 2 zips inside one archive"
    assert len(got) == 3


def test_a_file_that_grows_after_it_was_measured_is_read_whole_or_refused(tmp_path, monkeypatch):
    """_read_regular reads the size fstat gave and then what is left up to the limit (a file still being written:
    a sync client's, a watch's mount): nothing is cut off, and past the limit it is refused."""
    path = tmp_path / "growing.fit"
    path.write_bytes(b"x" * 1000)
    real_fstat = os.fstat

    def measured_earlier(fd):
        info = real_fstat(fd)
        return os.stat_result((*info[:6], 400, *info[7:]))  # st_size: as it was when listed

    monkeypatch.setattr(sources.os, "fstat", measured_earlier)
    assert sources._read_regular(path, 1000) == b"x" * 1000
    with pytest.raises(sources.ArchiveError, match="growing.fit"):
        sources._read_regular(path, 999)
