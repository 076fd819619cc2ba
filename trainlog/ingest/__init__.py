"""Ingest: files in, rows in the store.

Sources (paths, folders, zips, gzip) -> bytes -> a decoder (FIT: the fast path,
the fitparse reference) -> :class:`~trainlog.ingest.decoded.DecodedFile` ->
the importer's checks and duplicate rules -> one store transaction per file.
Nothing is imported here eagerly: the analysis may use :mod:`.repair` without
loading the decoders.
"""


def worker_started() -> None:
    """A decoding worker's set-up (the importer's pool initializer; here, where unpickling it loads no Polars):
    Polars on one thread (set before Polars is imported: its thread pool reads it once), and the worker's
    objects frozen out of the cycle collector when it exits (the pool's shutdown waits for the exits: 0.2 s
    with the collection, 0.04 s without; as the command line's own, :func:`trainlog.cli.main`)."""
    import atexit
    import gc
    import os

    os.environ["POLARS_MAX_THREADS"] = "1"
    atexit.register(gc.freeze)
