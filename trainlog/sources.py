"""Input discovery: paths -> FIT payloads, through folders, .fit.gz and zips.

Each input file ends as a :class:`Source`. A source either carries a loader
for its FIT bytes or already knows why it will not be imported (not a FIT
file, unreadable archive, missing path). Garmin Connect exports nest zips in
zips; Strava exports hold ``activities/*.fit.gz`` beside GPX and TCX files.
"""

from __future__ import annotations

import gzip
import io
import os
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from trainlog.errors import ArchiveError

#: Archive limits (a zip bomb or a hostile archive is refused, not unpacked).
MAX_ZIP_DEPTH = 3  # zip inside zip inside zip
MAX_ZIP_ENTRIES = 200_000
MAX_MEMBER_BYTES = 1 << 30  # one decompressed FIT / nested zip
MAX_RATIO = 200  # decompressed / compressed, for members over 1 MiB, and for a whole archive
MAX_ZIP_TOTAL_BYTES = 32 << 30  # everything one archive (nested ones included) decompresses to
RATIO_MIN_BYTES = 1 << 20  # below this, a high ratio is harmless (a zip of small FIT files)
ZIP_IN_MEMORY_BYTES = 64 << 20  # a bigger zip is read from disk, member by member
#: One FIT file, plain or decompressed (a 60-hour race at 1 s is ~10 MB; more is not a watch file).
MAX_FIT_BYTES = 256 << 20
MAX_GZIP_BYTES = MAX_FIT_BYTES

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
OTHER_FORMATS = {".gpx": "GPX", ".tcx": "TCX", ".kml": "KML", ".csv": "CSV", ".json": "JSON", ".pwx": "PWX"}


@dataclass
class Source:
    """One input file: where it came from and how to get its FIT bytes."""

    name: str  # display name; inside archives "outer.zip!/inner/run.fit"
    load: Callable[[], bytes] | None = None  # None when skip/fail is already known
    skip: str | None = None  # reason it is not an activity file
    fail: str | None = None  # one-line reason it cannot be read


def _gunzip(data: bytes, name: str) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            out = gz.read(MAX_GZIP_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ArchiveError(f"{name}: corrupt gzip data ({exc})") from None
    if len(out) > MAX_GZIP_BYTES:
        raise ArchiveError(f"{name}: refused, decompresses to more than {MAX_GZIP_BYTES >> 20} MiB")
    return out


def _kind(name: str) -> str:
    """'fit', 'fitgz', 'zip', 'gz' or 'other', from the file name."""
    low = name.lower()
    if low.endswith(".fit"):
        return "fit"
    if low.endswith(".fit.gz"):
        return "fitgz"
    if low.endswith(".zip"):
        return "zip"
    return "other"


def _other_reason(name: str) -> str:
    low = name.lower().removesuffix(".gz")
    ext = os.path.splitext(low)[1]
    fmt = OTHER_FORMATS.get(ext)
    return f"not a FIT file ({fmt})" if fmt else f"not a FIT file ({ext or 'no extension'})"


def _fit_loader(read: Callable[[], bytes], name: str, gz: bool) -> Callable[[], bytes]:
    def load() -> bytes:
        data = read()
        if gz or data[:2] == GZIP_MAGIC:
            data = _gunzip(data, name)
        return data

    return load


def _declared_entries(fh) -> int | None:
    """The entry count the archive's end record declares (read before parsing the directory)."""
    try:
        end = zipfile._EndRecData(fh)  # the stdlib's own reader of that record
    except (OSError, ValueError, struct.error, AttributeError):
        return None
    return None if not end else int(end[zipfile._ECD_ENTRIES_TOTAL])


def _unsafe_entry_name(filename: str) -> bool:
    """True for an absolute path, a drive letter or a '..' component (a path-traversal entry)."""
    parts = filename.replace("\\", "/").split("/")
    return filename.startswith(("/", "\\")) or ".." in parts or (len(filename) > 1 and filename[1] == ":")


def _zip_sources(data: bytes | Path, name: str, depth: int, budget: list[int] | None = None) -> Iterator[Source]:
    """Sources inside a zip (a file on disk, or a nested zip's bytes); nothing is ever extracted to disk.

    Members are read when their source is loaded, one at a time. ``budget`` is
    what the outermost archive may still decompress to (shared by nested
    archives), so a bomb spread over many members or levels is refused.
    """
    if depth > MAX_ZIP_DEPTH:
        yield Source(name, fail=f"refused: zips nested deeper than {MAX_ZIP_DEPTH} levels")
        return
    if budget is None:
        budget = [MAX_ZIP_TOTAL_BYTES]
    try:
        fh = open(data, "rb") if isinstance(data, Path) else io.BytesIO(data)
        size = fh.seek(0, io.SEEK_END)
    except OSError as exc:
        yield Source(name, fail=f"cannot read ({exc.strerror})")
        return
    declared = _declared_entries(fh)
    if declared is not None and declared > MAX_ZIP_ENTRIES:
        fh.close()
        yield Source(name, fail=f"refused: zip holds {declared} entries (limit {MAX_ZIP_ENTRIES})")
        return
    try:
        zf = zipfile.ZipFile(fh)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error) as exc:
        fh.close()
        yield Source(name, fail=f"corrupt zip archive ({exc})")
        return
    if len(infos) > MAX_ZIP_ENTRIES:
        yield Source(name, fail=f"refused: zip holds {len(infos)} entries (limit {MAX_ZIP_ENTRIES})")
        return
    total = sum(info.file_size for info in infos if not info.is_dir())
    if total > budget[0] or (total > RATIO_MIN_BYTES and total > MAX_RATIO * max(size, 1)):
        zf.close()
        yield Source(
            name,
            fail=f"refused: zip declares {total} bytes from {size} (zip bomb limits: "
            f"{MAX_ZIP_TOTAL_BYTES >> 30} GiB in all, {MAX_RATIO}x)",
        )
        return
    budget[0] -= total
    for info in infos:
        if info.is_dir():
            continue
        member = f"{name}!/{info.filename}"
        if _unsafe_entry_name(info.filename):
            yield Source(member, fail=f"refused: entry path {info.filename!r} points outside the archive")
            continue
        kind = _kind(info.filename)
        if kind == "other":
            yield Source(member, skip=_other_reason(info.filename))
            continue
        if info.file_size > MAX_MEMBER_BYTES or (
            info.file_size > RATIO_MIN_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        ):
            yield Source(member, fail=f"refused: entry decompresses to {info.file_size} bytes (zip bomb limits)")
            continue
        if kind == "fit" and info.file_size > MAX_FIT_BYTES:
            yield Source(member, fail=_too_big(info.file_size))
            continue

        def read(info=info, member=member) -> bytes:
            try:
                with zf.open(info) as fh:
                    out = fh.read(MAX_MEMBER_BYTES + 1)
            except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError) as exc:
                raise ArchiveError(f"{member}: cannot extract ({exc})") from None
            if len(out) > MAX_MEMBER_BYTES:
                raise ArchiveError(f"{member}: refused, decompresses to more than {MAX_MEMBER_BYTES >> 20} MiB")
            return out

        if kind == "zip":
            try:
                inner = read()
            except ArchiveError as exc:
                yield Source(member, fail=str(exc).split(": ", 1)[-1])
                continue
            yield from _zip_sources(inner, member, depth + 1, budget)
        else:
            yield Source(member, load=_fit_loader(read, member, gz=kind == "fitgz"))


def _file_sources(path: Path) -> Iterator[Source]:
    name = str(path)
    kind = _kind(path.name)
    if kind == "other":
        yield Source(name, skip=_other_reason(path.name))
    elif kind == "zip":
        try:  # a big export is read member by member from disk; small zips are held in memory (no open file each)
            data: bytes | Path = path if path.stat().st_size > ZIP_IN_MEMORY_BYTES else path.read_bytes()
        except OSError as exc:
            yield Source(name, fail=f"cannot read ({exc.strerror})")
            return
        yield from _zip_sources(data, name, depth=1)
    else:
        try:
            size = path.stat().st_size
        except OSError as exc:
            yield Source(name, fail=f"cannot read ({exc.strerror})")
            return
        if size > MAX_FIT_BYTES:
            yield Source(name, fail=_too_big(size))
            return
        yield Source(name, load=_fit_loader(path.read_bytes, name, gz=kind == "fitgz"))


def _too_big(size: int) -> str:
    return f"refused: {size >> 20} MiB is more than a FIT file holds (limit {MAX_FIT_BYTES >> 20} MiB)"


def iter_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Source]:
    """Every input file under ``paths`` (files, folders recursively, archives)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for sub in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _file_sources(sub)
        elif path.is_file():
            yield from _file_sources(path)
        elif path.exists():
            yield Source(str(path), fail="not a regular file")
        else:
            yield Source(str(path), fail="no such file or directory")
