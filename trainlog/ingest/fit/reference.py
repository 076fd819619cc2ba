"""FIT bytes -> DecodedFile with fitparse only: the reference decoder and the fallback.

fitparse (the maintained ``python-fitparse`` distribution) reads the file one
message at a time. A file damaged part-way keeps what was readable before the
damage and is marked ``partial``; a file with nothing usable raises
:class:`~trainlog.errors.InvalidFitFile` naming the file. Pure: bytes in, never
a path.
"""

from __future__ import annotations

import io
import struct
import warnings
from collections.abc import Iterator
from typing import Any

import fitparse
from fitparse.utils import FitCRCError, FitEOFError, FitHeaderError, FitParseError

from trainlog.errors import InvalidFitFile
from trainlog.ingest.decoded import DecodedFile
from trainlog.ingest.fit.assemble import assemble


class FitparseMessages:
    """fitparse's data messages of one file, read one at a time (a long file is never held as
    message objects: about 50x its size in memory); iterate once.

    After iterating, ``damage`` is None or a one-line reason (reading stops at the first
    damage) and ``count`` the number of messages read. A header that is not FIT raises
    :class:`InvalidFitFile` at once.
    """

    def __init__(self, data: bytes, name: str, check_crc: bool = True) -> None:
        self.name = name
        self.damage: str | None = None
        self.count = 0
        try:
            self._reader = fitparse.UncachedFitFile(io.BytesIO(data), check_crc=check_crc)
        except FitHeaderError as exc:
            raise InvalidFitFile(name, f"not a FIT file (corrupt header: {exc})") from None
        except FitEOFError:
            raise InvalidFitFile(name, f"empty or truncated FIT header ({len(data)} bytes)") from None
        except FitParseError as exc:
            raise InvalidFitFile(name, f"unreadable FIT header: {exc}") from None

    def __iter__(self) -> Iterator[Any]:
        reader = self._reader
        damage = None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                for message in reader.get_messages():
                    self.count += 1
                    yield message
            except FitCRCError as exc:
                damage = f"bad CRC ({exc})"
            except FitEOFError:
                damage = "truncated"
            except FitHeaderError as exc:
                damage = f"corrupt header in a chained FIT file ({exc})"
            # fitparse itself fails on some damage (AttributeError on a field of unknown
            # base type, ZeroDivisionError on a zero scale, OverflowError on huge values)
            except (
                FitParseError, ValueError, KeyError, IndexError, TypeError, AttributeError, ArithmeticError, struct.error
            ) as exc:
                damage = f"corrupt data ({type(exc).__name__}: {exc})"
            offset = _reader_offset(reader)
            for w in caught:
                if "terminated unexpectedly" in str(w.message) and damage is None:
                    damage = "truncated"
        if damage:
            damage = f"{damage} at byte {offset}" if offset is not None else damage
        self.damage = damage


def fitparse_messages(data: bytes, name: str, check_crc: bool = True) -> tuple[list[Any], str | None]:
    """All fitparse data messages of a (small) file as a list, and the damage (None or a one-line reason)."""
    stream = FitparseMessages(data, name, check_crc)
    messages = list(stream)
    return messages, stream.damage


def _reader_offset(reader: fitparse.UncachedFitFile | None) -> int | None:
    """The byte offset fitparse's reader stopped at, or None."""
    try:
        return reader._file.tell() if reader is not None and reader._file else None
    except (AttributeError, ValueError):
        return None


def decode_reference(data: bytes, name: str) -> DecodedFile:
    """Decode one FIT file's bytes with fitparse only (the reference and the fallback).

    ``name`` is only used in messages. Raises InvalidFitFile when the header is
    unreadable or no message could be decoded.
    """
    stream = FitparseMessages(data, name)
    out = assemble(stream, None, name)  # one message at a time
    if not stream.count:
        raise InvalidFitFile(name, stream.damage or "no FIT messages in file")
    if stream.damage:
        out.partial = True
        out.notes.insert(0, stream.damage)
    return out
