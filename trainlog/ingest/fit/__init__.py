"""FIT files: the framing walker, the compiled fast path and the fitparse reference.

- :mod:`.framing`: the file header, message headers, definitions and the CRC,
  walked once (the fast path's scan, the fuzzer and the tests use it);
- :mod:`.reference`: :func:`~.reference.decode_reference`, fitparse only, the
  reference and the fallback;
- :mod:`.fast`: :func:`~.fast.decode_fast`, fitfast for the records, the same
  result as the reference or :class:`~.fast.Unsupported`;
- :mod:`.assemble`: fitparse data messages -> :class:`~trainlog.ingest.decoded.DecodedFile`,
  shared by both decoders.

:func:`trainlog.ingest.decode.decode` picks between the two. Nothing is
imported here, so the framing walker loads without fitparse.
"""
