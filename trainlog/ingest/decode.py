"""File bytes -> :class:`~trainlog.ingest.decoded.DecodedFile`: the decoders' one entry point.

FIT is the one format today (:mod:`trainlog.ingest.fit`). :func:`decode` first
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

__all__ = ["DecodedFile", "decode", "decode_reference"]


def decode(data: bytes, name: str) -> DecodedFile:
    """Decode one FIT file's bytes.

    ``name`` is only used in messages. Raises InvalidFitFile when the header is
    unreadable or no message could be decoded; a file damaged part-way keeps
    what came before the damage and is marked ``partial``.
    """
    try:
        return fast.decode_fast(data, name)
    except fast.Unsupported:  # the scan turns damaged framing into Unsupported too
        return decode_reference(data, name)
