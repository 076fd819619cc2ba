"""Input discovery: paths -> FIT, GPX and TCX payloads and export metadata, through folders, .gz and zips.

Each input file ends as a :class:`Source`. A source either carries a loader
for its bytes or already knows why it will not be imported (not an activity
file, unreadable archive, missing path, a FIFO, a symlink loop, a folder it
may not read). Garmin Connect exports nest zips in zips; Strava exports hold
``activities/*.fit.gz`` beside GPX and TCX files.

Memory: one FIT file is read whole (at most :data:`MAX_FIT_BYTES`); a zip is
read member by member, from its file on disk or, for a zip inside a zip, from
a temporary file the inner zip is copied to in chunks (unnamed: the system
deletes it once the import no longer holds it). No archive is ever held whole
in memory except a small top-level one (:data:`ZIP_IN_MEMORY_BYTES`).
"""

from __future__ import annotations

import errno
import gzip
import io
import os
import stat
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from trainlog.errors import ArchiveError

#: Archive limits (a zip bomb or a hostile archive is refused, not unpacked).
MAX_ZIP_DEPTH = 3  # zip inside zip inside zip
MAX_NESTED_ZIPS = 256  # zips inside one archive (each holds an open temporary file until the import ends)
MAX_ZIP_ENTRIES = 100_000  # in one archive, the zips inside it included (a big Garmin export: ~20,000)
MAX_MEMBER_BYTES = 1 << 30  # one decompressed nested zip (copied to a temporary file, never into memory)
MAX_RATIO = 200  # decompressed / compressed, for members over 1 MiB, and for a whole archive
MAX_ZIP_TOTAL_BYTES = 32 << 30  # everything one archive (nested ones included) decompresses to
RATIO_MIN_BYTES = 1 << 20  # below this, a high ratio is harmless (a zip of small FIT files)
ZIP_IN_MEMORY_BYTES = 8 << 20  # a bigger top-level zip is read from disk, member by member
#: One FIT file, plain, gzipped or in a zip, before and after decompression.
#: Decoding holds the whole file in memory, so this bounds an import's memory:
#: a 60-hour race recorded every second with every field a watch writes is
#: 6.1 MB (benchmarks/bench_import.py) and peaks at 274 MB; a damaged or chained
#: file goes to fitparse, read one message at a time into compact columns: 32 MiB
#: of those peaks at 475 MB (benchmarks/bench_memory.py), five times the longest race.
MAX_FIT_BYTES = 32 << 20
MAX_GZIP_BYTES = MAX_FIT_BYTES
#: One GPX or TCX file (XML is 5-10 times the size of the same FIT): a 60-hour race
#: recorded every second with heart rate and cadence is about 55 MB of GPX.
MAX_TRACK_BYTES = 96 << 20
#: One export metadata file (a Strava activities.csv of 10,000 activities is about 20 MB).
MAX_META_BYTES = 64 << 20
COPY_CHUNK_BYTES = 1 << 20

GZIP_MAGIC = b"\x1f\x8b"
OTHER_FORMATS = {".gpx": "GPX", ".tcx": "TCX", ".kml": "KML", ".csv": "CSV", ".json": "JSON", ".pwx": "PWX"}


@dataclass
class Source:
    """One input file: where it came from and how to get its FIT bytes."""

    name: str  # display name; inside archives "outer.zip!/inner/run.fit"
    load: Callable[[], bytes] | None = None  # None when skip/fail is already known
    skip: str | None = None  # reason it is not an activity file
    fail: str | None = None  # one-line reason it cannot be read
    meta: str | None = None  # export metadata (see metadata_kind), read by the importer before the activities


class NotRegularFile(OSError):
    """A path that is not a regular file (FIFO, socket, device) where a file was expected."""


def oserror_reason(exc: OSError) -> str:
    """A short lower-case reason for an OSError met reading inputs ("permission denied", ...)."""
    if isinstance(exc, NotRegularFile):
        return "not a regular file"
    reasons = {
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ELOOP: "symlink loop",
        errno.ENOENT: "no such file or directory",
        errno.EISDIR: "is a directory",
        errno.EMFILE: "cannot read (too many open files)",
    }
    return reasons.get(exc.errno) or f"cannot read ({exc.strerror or type(exc).__name__})"


def _read_regular(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes.

    Opened non-blocking and checked with fstat, so a FIFO put in the file's
    place after it was listed is refused instead of blocking the import.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
        if info.st_size > limit:
            raise ArchiveError(f"{path}: {_too_big(info.st_size, limit)}")
        data = fh.read(info.st_size + 1)  # not read(limit + 1): that allocates the limit's bytes first
        if len(data) > info.st_size:  # grew since fstat
            data += fh.read(limit + 1 - len(data))
    if len(data) > limit:
        raise ArchiveError(f"{path}: {_too_big(len(data), limit)}")
    return data


def _gunzip(data: bytes, name: str, limit: int | None = None) -> bytes:
    limit = MAX_GZIP_BYTES if limit is None else limit
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as gz:
            out = gz.read(limit + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise ArchiveError(f"{name}: corrupt gzip data ({exc})") from None
    if len(out) > limit:
        raise ArchiveError(f"{name}: refused, decompresses to more than {limit >> 20} MiB")
    return out


def _kind(name: str) -> str:
    """'fit', 'fitgz', 'track', 'trackgz', 'meta', 'zip' or 'other', from the file name."""
    low = name.lower()
    if low.endswith(".fit"):
        return "fit"
    if low.endswith(".fit.gz"):
        return "fitgz"
    if low.endswith((".gpx", ".tcx")):
        return "track"
    if low.endswith((".gpx.gz", ".tcx.gz")):
        return "trackgz"
    if low.endswith(".zip"):
        return "zip"
    if metadata_kind(name):
        return "meta"
    return "other"


def metadata_kind(name: str) -> str | None:
    """The export metadata a file name is: "strava_csv" (a Strava export's ``activities.csv``),
    "garmin_json" (a Garmin Connect export's ``*_summarizedActivities.json``), else None."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if base == "activities.csv":
        return "strava_csv"
    if base.endswith(".json") and "summarizedactivities" in base:
        return "garmin_json"
    return None


def importable(name: str) -> bool:
    """True for the file names :func:`iter_sources` reads (FIT, GPX, TCX, their .gz, zips, export metadata)."""
    return _kind(name) != "other"


def _limit(kind: str) -> int:
    """The most bytes one file of this kind may hold (plain or decompressed)."""
    if kind in ("track", "trackgz"):
        return MAX_TRACK_BYTES
    return MAX_META_BYTES if kind == "meta" else MAX_FIT_BYTES


def _gz_limit(kind: str) -> int | None:
    """What a gzipped file of this kind may decompress to (None: MAX_GZIP_BYTES, read when it is opened)."""
    return None if kind in ("fit", "fitgz") else _limit(kind)


def _other_reason(name: str) -> str:
    low = name.lower().removesuffix(".gz")
    ext = os.path.splitext(low)[1]
    fmt = OTHER_FORMATS.get(ext)
    what = f"{fmt}" if fmt else (ext or "no extension")
    return f"not an activity file ({what}: trainlog reads FIT, GPX and TCX)"


def _fit_loader(read: Callable[[], bytes], name: str, gz: bool, limit: int | None = None) -> Callable[[], bytes]:
    def load() -> bytes:
        data = read()
        if gz or data[:2] == GZIP_MAGIC:
            data = _gunzip(data, name, limit)
        return data

    return load


def _declared_entries(fh: IO[bytes]) -> int | None:
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


ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError, struct.error)
MEMBER_ERRORS = (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError, RuntimeError, ValueError)


def _spill(zf: zipfile.ZipFile, info: zipfile.ZipInfo, member: str) -> IO[bytes]:
    """A nested zip copied, in chunks, to an unnamed temporary file (at most MAX_MEMBER_BYTES)."""
    tmp = tempfile.TemporaryFile(prefix="trainlog-zip-")
    try:
        copied = 0
        with zf.open(info) as src:
            while chunk := src.read(COPY_CHUNK_BYTES):
                copied += len(chunk)
                if copied > MAX_MEMBER_BYTES:
                    raise ArchiveError(f"{member}: refused, decompresses to more than {MAX_MEMBER_BYTES >> 20} MiB")
                tmp.write(chunk)
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    return tmp


def _zip_sources(
    data: bytes | Path | IO[bytes], name: str, depth: int, budget: list[int] | None = None
) -> Iterator[Source]:
    """Sources inside a zip (a file on disk, an open temporary file, or a small zip's bytes).

    Nothing is ever extracted to the user's disk. Members are read when their
    source is loaded, one at a time. ``budget`` is ``[bytes, entries, nested
    zips]`` the outermost archive may still decompress to and hold (shared by
    nested archives), so a bomb spread over many members or levels is refused.
    """
    if depth > MAX_ZIP_DEPTH:
        yield Source(name, fail=f"refused: zips nested deeper than {MAX_ZIP_DEPTH} levels")
        return
    if budget is None:
        budget = [MAX_ZIP_TOTAL_BYTES, MAX_ZIP_ENTRIES, MAX_NESTED_ZIPS]
    try:
        if isinstance(data, Path):
            fh: IO[bytes] = open(data, "rb")
        elif isinstance(data, bytes):
            fh = io.BytesIO(data)
        else:
            fh = data
        size = fh.seek(0, io.SEEK_END)
    except OSError as exc:
        yield Source(name, fail=oserror_reason(exc))
        return
    declared = _declared_entries(fh)
    if declared is not None and declared > budget[1]:
        fh.close()
        yield Source(name, fail=_too_many(declared, budget[1]))
        return
    try:
        zf = zipfile.ZipFile(fh)
        infos = zf.infolist()
    except ZIP_ERRORS as exc:
        fh.close()
        yield Source(name, fail=f"corrupt zip archive ({exc})")
        return
    if len(infos) > budget[1]:
        zf.close()
        yield Source(name, fail=_too_many(len(infos), budget[1]))
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
    budget[1] -= len(infos)
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
        if kind != "zip" and info.file_size > _limit(kind):
            yield Source(member, fail=_too_big(info.file_size, _limit(kind)))
            continue
        if kind == "zip":
            if budget[2] <= 0:
                yield Source(member, fail=f"refused: more than {MAX_NESTED_ZIPS} zips inside one archive")
                continue
            budget[2] -= 1
            try:
                inner = _spill(zf, info, member)
            except ArchiveError as exc:
                yield Source(member, fail=str(exc).split(": ", 1)[-1])
                continue
            except MEMBER_ERRORS as exc:
                yield Source(member, fail=f"cannot extract ({exc})")
                continue
            yield from _zip_sources(inner, member, depth + 1, budget)
            continue

        def read(info: zipfile.ZipInfo = info, member: str = member, limit: int = _limit(kind)) -> bytes:
            try:
                with zf.open(info) as fh:
                    out = fh.read(limit + 1)
            except MEMBER_ERRORS as exc:
                raise ArchiveError(f"{member}: cannot extract ({exc})") from None
            if len(out) > limit:
                raise ArchiveError(f"{member}: {_too_big(len(out), limit)}")
            return out

        yield Source(member, load=_fit_loader(read, member, gz=kind.endswith("gz"), limit=_gz_limit(kind)),
                     meta=metadata_kind(info.filename) if kind == "meta" else None)


def _too_many(entries: int, left: int) -> str:
    if left >= MAX_ZIP_ENTRIES:
        return f"refused: zip holds {entries} entries (limit {MAX_ZIP_ENTRIES})"
    return f"refused: zip holds {entries} entries, more than the {left} left of the archive's limit of {MAX_ZIP_ENTRIES}"


def _file_sources(path: Path, size: int) -> Iterator[Source]:
    """The sources of one regular file of ``size`` bytes (as listed)."""
    name = str(path)
    kind = _kind(path.name)
    if kind == "other":
        yield Source(name, skip=_other_reason(path.name))
    elif kind == "zip":
        try:  # a big export is read member by member from disk; small zips are held in memory (no open file each)
            data: bytes | Path = path if size > ZIP_IN_MEMORY_BYTES else _read_regular(path, ZIP_IN_MEMORY_BYTES)
        except OSError as exc:
            yield Source(name, fail=oserror_reason(exc))
            return
        except ArchiveError:  # grew past the in-memory size since it was listed
            data = path
        yield from _zip_sources(data, name, depth=1)
    elif size > _limit(kind):
        yield Source(name, fail=_too_big(size, _limit(kind)))
    else:
        limit = _limit(kind)
        yield Source(name, load=_fit_loader(lambda: _read_regular(path, limit), name, gz=kind.endswith("gz"),
                                            limit=_gz_limit(kind)),
                     meta=metadata_kind(path.name) if kind == "meta" else None)


def _too_big(size: int, limit: int | None = None) -> str:
    limit = MAX_FIT_BYTES if limit is None else limit
    what = "a FIT file" if limit == MAX_FIT_BYTES else "a GPX or TCX file" if limit == MAX_TRACK_BYTES else "export metadata"
    return f"refused: {size >> 20} MiB is more than {what} holds (limit {limit >> 20} MiB)"


def _stat_failure(path: str, exc: OSError) -> str:
    """Why ``os.stat(path)`` failed, telling a dangling symlink from a missing path."""
    if exc.errno == errno.ENOENT and os.path.islink(path):
        return "dangling symlink (its target does not exist)"
    return oserror_reason(exc)


def _listing(folder: str) -> Iterator[str]:
    """The paths in ``folder``, in name order."""
    with os.scandir(folder) as it:
        return iter(sorted(e.path for e in it))


def _walk(top: str) -> Iterator[Source]:
    """The sources of one path given to the importer: a file's, or every path under a folder
    (depth first, in name order), each as exactly one source or more.

    Symlinks are followed (a link back to a folder being walked is a symlink
    loop); a folder that cannot be listed is one failed source; a FIFO, socket
    or device is "not a regular file" and never opened. Iterative, so a very
    deep tree cannot exhaust the stack.
    """
    stack: list[tuple[Iterator[str], frozenset]] = [(iter([top]), frozenset())]
    while stack:
        paths, ancestors = stack[-1]
        path = next(paths, None)
        if path is None:
            stack.pop()
            continue
        try:
            info = os.stat(path)
        except OSError as exc:
            yield Source(path, fail=_stat_failure(path, exc))
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in ancestors:
                yield Source(path, fail="symlink loop")
                continue
            try:
                listing = _listing(path)
            except OSError as exc:
                yield Source(path, fail=oserror_reason(exc))
                continue
            stack.append((listing, ancestors | {key}))
        elif stat.S_ISREG(info.st_mode):
            yield from _file_sources(Path(path), info.st_size)
        else:
            yield Source(path, fail="not a regular file")


def iter_sources(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Source]:
    """Every input file under ``paths`` (files, folders recursively, archives).

    Every path ends as at least one source, and nothing about one path stops
    the others: a missing path, a dangling symlink, a symlink loop, a FIFO or
    device, a folder or file this user may not read each get their own reason.
    """
    for raw in paths:
        yield from _walk(str(Path(raw)))
