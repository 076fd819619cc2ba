"""The settings file: :func:`load_settings` and :func:`save_settings`, the only file I/O of the settings.

Settings are kept as JSON (:meth:`~trainlog.settings.model.AthleteSettings.to_dict`),
replaced atomically (:func:`trainlog.atomic.write_text_atomic`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from trainlog.atomic import write_text_atomic
from trainlog.errors import SettingsError
from trainlog.settings.model import AthleteSettings


def load_settings(path: str | os.PathLike[str]) -> AthleteSettings:
    """Read settings from a JSON file; a missing file gives the defaults.

    Raises :class:`SettingsError` naming the file when it is unreadable, not
    JSON, invalid (out of :data:`RANGES`, inconsistent), or from a newer schema.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AthleteSettings()
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot read settings: {_reason(error)}") from None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # JSONDecodeError, or an integer of thousands of digits
        raise SettingsError(f"{path}: cannot read settings: {_reason(error)}") from None
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: settings must be a JSON object")
    try:
        return AthleteSettings.from_dict(data)
    except SettingsError as error:
        raise SettingsError(f"{path}: {error}") from None


def save_settings(path: str | os.PathLike[str], settings: AthleteSettings) -> None:
    """Write settings as JSON atomically (temporary file in the same folder, flushed to disk, then ``os.replace``).

    An existing file that is unreadable or from a newer schema is never
    replaced: :class:`SettingsError` names it instead. A disk that is full,
    read-only or not ours is a :class:`SettingsError` naming the path; the old
    file stays as it was and no temporary file is left behind.
    """
    path = Path(path)
    load_settings(path)  # refuses to replace a file it cannot read
    text = json.dumps(settings.to_dict(), indent=2, allow_nan=False) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, text)
    except OSError as error:
        raise SettingsError(f"{path}: cannot save settings: {_reason(error)}") from None


def _reason(error: BaseException) -> str:
    """An OS or parse error's reason on one line, without repeating the path."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
