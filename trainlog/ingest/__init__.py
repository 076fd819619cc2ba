"""Ingest: files in, rows in the store.

Sources (paths, folders, zips, gzip) -> bytes -> a decoder (FIT: the fast path,
the fitparse reference) -> :class:`~trainlog.ingest.decoded.DecodedFile` ->
the importer's checks and duplicate rules -> one store transaction per file.
Nothing is imported here eagerly: the analysis may use :mod:`.repair` without
loading the decoders.
"""
