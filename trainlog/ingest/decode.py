"""File bytes -> :class:`~trainlog.ingest.decoded.DecodedFile`: the decoders' one entry point.

GPX and TCX go to :mod:`trainlog.ingest.gpx` and :mod:`trainlog.ingest.tcx`,
chosen by the file's name. FIT (:mod:`trainlog.ingest.fit`): :func:`decode` first
tries the compiled fast path (:func:`~trainlog.ingest.fit.fast.decode_fast`),
which gives the reference's result or refuses the file; any file it refuses
(damaged, chained, compressed speed/distance, ...) is decoded by fitparse
(:func:`~trainlog.ingest.fit.reference.decode_reference`), with the same
result for every field trainlog stores. A new input format gets its module
beside ``fit/`` (bytes in, a DecodedFile out) and its branch here.
"""

from __future__ import annotations

from trainlog.ingest.decoded import DecodedFile
from trainlog.ingest.fit import fast
from trainlog.ingest.fit.reference import decode_reference

__all__ = ["DecodedFile", "decode", "decode_reference", "track_format"]


def track_format(name: str) -> str | None:
    """"gpx" or "tcx" when a file's name ends so (also .gz), else None (FIT)."""
    low = name.lower().removesuffix(".gz")
    return "gpx" if low.endswith(".gpx") else "tcx" if low.endswith(".tcx") else None


def decode(data: bytes, name: str) -> DecodedFile:
    """Decode one activity file's bytes: GPX or TCX when its name says so, else FIT.

    ``name`` is used to choose the format (``.gpx``, ``.tcx``, also with
    ``.gz``) and in messages. Raises InvalidFitFile (InvalidTrackFile for GPX
    and TCX) when the file is unreadable; a file damaged part-way keeps what
    came before the damage and is marked ``partial``.
    """
    fmt = track_format(name)
    if fmt == "gpx":
        from trainlog.ingest.gpx import decode_gpx

        return decode_gpx(data, name)
    if fmt == "tcx":
        from trainlog.ingest.tcx import decode_tcx

        return decode_tcx(data, name)
    try:
        return fast.decode_fast(data, name)
    except fast.Unsupported:  # the scan turns damaged framing into Unsupported too
        return decode_reference(data, name)
