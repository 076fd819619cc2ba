"""trainlog's exceptions.

    TrainlogError                 root: every error trainlog raises on purpose
    ├── InvalidFitFile            a file is not a readable FIT activity (path, offset)
    ├── ArchiveError              a zip / gzip container cannot be read or is refused
    ├── StoreError                the dataset on disk is unreadable, locked or newer than this code
    ├── SettingsError             athlete settings are invalid, unreadable or from a newer schema
    └── InvalidValue              a value a person typed (CLI option, URL parameter, form field) is invalid

The CLI prints ``str(error)`` as one line and exits non-zero; each message names
the file it is about.
"""

from __future__ import annotations


class TrainlogError(Exception):
    """Root of all errors trainlog raises on purpose."""


class InvalidFitFile(TrainlogError):
    """A file is not a readable FIT file (bad header, CRC, truncation...)."""

    def __init__(self, name: str, reason: str, offset: int | None = None) -> None:
        self.name = name
        self.reason = reason
        self.offset = offset
        where = f" at byte {offset}" if offset is not None else ""
        super().__init__(f"{name}: {reason}{where}")

    def __reduce__(self) -> tuple[type, tuple[str, str, int | None]]:  # picklable across worker processes
        return (type(self), (self.name, self.reason, self.offset))


class ArchiveError(TrainlogError):
    """A zip or gzip container cannot be read or is refused (bomb, bad path, depth)."""


class StoreError(TrainlogError):
    """The dataset on disk is unreadable, locked, or from a newer schema."""


class SettingsError(TrainlogError):
    """Athlete settings are invalid, unreadable, or from a newer schema."""


class InvalidValue(TrainlogError):
    """A value a person typed (a CLI option, a URL parameter, a form field) is invalid or out of range."""


def first_line(exc: BaseException) -> str:
    """The first line of an exception's message (its type's name when it has none)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
