"""Whether a file is whole yet, decided from its content: what ``trainlog watch`` waits for.

A watched folder holds files still being written (a copy from a watch over USB,
a sync client's download). Time alone cannot tell them from finished ones: a
writer may pause for longer than any debounce. Each format says how long it is
or where it ends, so :func:`incomplete` reads that (never more than a few
headers, a tail, or a streamed pass over the file; memory stays bounded):

- FIT (``.fit``): every file header declares its data size, so a file is
  header + data + 2-byte CRC long (:mod:`trainlog.ingest.fit.framing`); a
  chained FIT is several such files back to back. A header that declares no
  data while more bytes follow is a writer's placeholder (the FIT SDK's encoder
  writes the real size on close). A ``.fit`` holding gzip data is checked as gzip.
- gzip (``.fit.gz``, ``.gpx.gz``, ...): the stream decompresses to its end
  (every member's trailer is there), streamed and counted, never kept.
- zip: the central directory at the end is there and every member's CRC
  matches (:meth:`zipfile.ZipFile.testzip`).
- GPX, TCX: the document's root end tag (``</gpx>``, ``</TrainingCenterDatabase>``,
  any namespace prefix) ends the file, but for white space.
- Anything else (an export's ``activities.csv`` or JSON metadata): no rule; a
  file unchanged for the debounce is taken as it is.

What cannot be judged (a file that cannot be opened, damaged framing, a corrupt
stream, an archive over the importer's limits) counts as whole: the importer
then says once, in its own words, why it refuses or fails it. An empty file is
never whole.
"""

from __future__ import annotations

import os
import re
import stat
import struct
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from trainlog.ingest.fit.framing import FIT_MAGIC, HEADER_SIZES, FramingError, read_header
from trainlog.ingest.sources import GZIP_MAGIC, MAX_RATIO, MAX_ZIP_ENTRIES, MAX_ZIP_TOTAL_BYTES, RATIO_MIN_BYTES

__all__ = ["incomplete"]

#: More FIT files than this chained in one is not a recording: the importer judges it.
MAX_CHAINED_FIT = 4096
#: Bytes read at once when a gzip stream is walked (decompressed output is counted, not kept).
CHUNK_BYTES = 1 << 20
#: A gzip stream is walked to its end up to this many bytes out: more than any one file the importer
#: takes (32 MiB of FIT, 96 MiB of GPX or TCX); past it, the importer refuses the file anyway.
MAX_GZIP_WALK_BYTES = 256 << 20
#: The tail of a GPX or TCX file in which the root end tag is looked for.
TAIL_BYTES = 4096
#: The root end tag of a GPX or TCX document, with any namespace prefix, then only white space.
XML_END = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?(?:gpx|TrainingCenterDatabase)\s*>\s*\Z")
UTF16_BOMS = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}


def incomplete(path: str | os.PathLike[str]) -> str | None:
    """Why the file at ``path`` is not whole yet ("FIT data ends at byte 100 of 2,000"), or None when it is.

    The format comes from the name, as the importer reads it (``.fit``, ``.gz``,
    ``.zip``, ``.gpx``, ``.tcx``; any other name: whole once it is not empty).
    """
    name = Path(path).name.lower()
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None  # the importer says why it cannot be read
    with os.fdopen(fd, "rb") as fh:
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                return None
            if info.st_size == 0:
                return "empty"
            if name.endswith(".fit"):
                gz = fh.read(2) == GZIP_MAGIC
                fh.seek(0)
                return _gzip(fh) if gz else _fit(fh, info.st_size)
            if name.endswith(".gz"):
                return _gzip(fh)
            if name.endswith(".zip"):
                return _zip(fh, info.st_size)
            if name.endswith((".gpx", ".tcx")):
                return _xml(fh, info.st_size)
        except OSError:
            return None
    return None


def _fit(fh: BinaryIO, size: int) -> str | None:
    """FIT: the chain of files the headers declare reaches the end of the file."""
    offset = 0
    for _ in range(MAX_CHAINED_FIT):
        if offset >= size:
            return None
        fh.seek(offset)
        head = fh.read(HEADER_SIZES[-1])
        if not head:
            return "it shrank while it was read"
        if head[0] in HEADER_SIZES and len(head) < head[0] and head[8:12] == FIT_MAGIC[: max(0, len(head) - 8)]:
            return f"{size:,} bytes: the FIT header is not all there"
        try:
            header = read_header(head)
        except FramingError:
            return None  # not FIT framing (or bytes after a whole FIT file that are not another): the importer's to judge
        end = offset + header.file_size
        if header.data_size == 0 and size > end:
            return "the FIT header does not declare its data yet"
        if end > size:
            return f"FIT data ends at byte {size:,} of {end:,}"
        offset = end
    return None


def _gzip(fh: BinaryIO) -> str | None:
    """gzip: each member decompresses to its end and its trailer (streamed; the output is counted, never kept)."""
    stream = zlib.decompressobj(wbits=31)
    out = 0
    ended = False  # the last member seen is whole
    while chunk := fh.read(CHUNK_BYTES):
        data = chunk
        while data:
            if ended:
                if not data.startswith(GZIP_MAGIC[: len(data)]):
                    return None  # bytes after the last member: gzip ignores them
                stream, ended = zlib.decompressobj(wbits=31), False
            try:
                out += len(stream.decompress(data, CHUNK_BYTES))
                while stream.unconsumed_tail and out <= MAX_GZIP_WALK_BYTES:
                    out += len(stream.decompress(stream.unconsumed_tail, CHUNK_BYTES))
            except zlib.error:
                return None  # corrupt: the importer says so
            if out > MAX_GZIP_WALK_BYTES:
                return None  # the importer refuses it
            data = b""
            if stream.eof:
                ended, data = True, stream.unused_data
    return None if ended else "the gzip stream has not reached its end"


def _zip(fh: BinaryIO, size: int) -> str | None:
    """zip: the end of the central directory is there and every member reads back with its CRC."""
    try:
        with zipfile.ZipFile(fh) as zf:
            infos = zf.infolist()
            total = sum(info.file_size for info in infos)
            if len(infos) > MAX_ZIP_ENTRIES or total > MAX_ZIP_TOTAL_BYTES or (
                total > RATIO_MIN_BYTES and total > MAX_RATIO * size
            ):
                return None  # over the importer's limits: it refuses the archive, once
            bad = zf.testzip()
    except (zipfile.BadZipFile, struct.error, ValueError):
        return "the zip's central directory is not all there"
    except (EOFError, zlib.error):
        return "a zip member does not read back whole"
    except (NotImplementedError, RuntimeError):
        return None  # encrypted, or compressed by a method zipfile does not read: the importer says which
    return f"zip member {bad!r} does not read back whole" if bad is not None else None


def _xml(fh: BinaryIO, size: int) -> str | None:
    """GPX, TCX: the root element's end tag ends the file."""
    encoding = UTF16_BOMS.get(fh.read(2))
    start = max(0, size - TAIL_BYTES)
    fh.seek(start - start % 2)
    tail = fh.read()
    if encoding:
        tail = tail.decode(encoding, errors="ignore").encode("utf-8")
    if XML_END.search(tail):
        return None
    return "the document's root end tag is not there yet"
