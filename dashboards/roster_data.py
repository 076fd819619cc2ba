"""The methods of :class:`dashboards.data.Data` for many athletes (issue 18): the roster the Coach page reads, the
athletes' model settings read cheaply, and the list of athletes kept between requests.

A base class of ``Data``, kept apart so that ``data.py`` stays under the size of a module (as
:mod:`dashboards.wellness_data`): pages read through ``data.get()`` (``data.get().roster()``).

- The roster (:mod:`trainlog.store.roster`, written by ``trainlog batch``) is read once per version of its file and
  kept in the byte-bounded cache; :meth:`RosterData.roster` gives only the rows of athletes the signed-in user may
  see and whose dataset exists (a row of a removed athlete is left out).
- Listing the athletes stats every athlete's folder (150 ms for 10,000 athletes): :meth:`RosterData._listed` keeps
  the list until the ``athletes`` folder changes (an athlete added or removed) or a folder that had no dataset yet
  gets one. The one change it does not see is a dataset's manifest deleted inside a kept folder (the athlete stays
  listed and its pages say why they cannot be shown, as they would for any damaged dataset).
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from dashboards.cache import file_key
from trainlog.errors import TrainlogError
from trainlog.settings import ModelSettings, load_settings
from trainlog.store import MANIFEST, is_athlete_name, roster

#: A folder changed this recently (ns) may change again within the same timestamp tick: its listing is not kept.
RECENT_NS = 2 * 10**9
#: What one athlete's model settings take in the cache, about (measuring them field by field takes milliseconds).
MODEL_BYTES = 4096
_DEFAULT_MODEL = ModelSettings()


@dataclass(frozen=True)
class _Listing:
    key: tuple | None  # the athletes folder's file_key when it was listed
    names: list[str]  # the athletes with a dataset (Store.athletes)
    pending: tuple[Path, ...]  # folders with an athlete's name but no dataset yet: watched for their manifest


class RosterData:
    """The roster and the athletes of a large data directory, for :class:`dashboards.data.Data` (which provides
    ``store``, ``cache``, ``_memo``, ``athletes`` and ``check_access``)."""

    _listing: _Listing | None = None

    def _listed(self) -> list[str]:
        """Every athlete with a dataset, sorted (:meth:`trainlog.store.Store.athletes`), listed again only when the
        ``athletes`` folder changed, a folder without a dataset got one, or the folder changed moments ago."""
        root = self.store.data_dir / "athletes"
        key = file_key(root)
        kept = self._listing
        if kept is not None and kept.key == key and not any((p / MANIFEST).is_file() for p in kept.pending):
            return kept.names
        names = self.store.athletes()
        known = set(names)
        try:
            pending = tuple(p for p in root.iterdir() if p.name not in known and is_athlete_name(p.name) and p.is_dir())
        except OSError:
            pending = ()
        recent = key is not None and time.time_ns() - key[0] < RECENT_NS
        self._listing = None if recent else _Listing(key, names, pending)
        return names

    # ---- the roster
    def roster_key(self) -> tuple | None:
        """What changes when the roster is written again (its file's mtime, size and inode); None without one."""
        return file_key(roster.path_of(self.store.data_dir))

    def _roster_frames(self) -> tuple[pl.DataFrame, pl.DataFrame] | None:
        """The whole roster without its ``detail`` (plus ``name_lower``, the name in lower case, for searches) and
        its ``athlete`` and ``detail`` columns, read once per version of the file; None without a roster.
        StoreError (one line) when it cannot be read."""
        key = self.roster_key()
        if key is None:
            return None

        def read() -> tuple[pl.DataFrame, pl.DataFrame] | None:
            self.cache.discard(lambda k: k[0] == "roster" and k[2] != key)  # an older roster: tens of MB
            frame = roster.read(self.store.data_dir)
            if frame is None:  # removed since the stat
                return None
            lean = frame.drop("detail").with_columns(name_lower=pl.col("athlete").str.to_lowercase())
            return lean, frame.select("athlete", "detail")

        return self._memo(("roster", None, key), read)

    def roster(self) -> pl.DataFrame | None:
        """The roster's rows (:data:`trainlog.store.roster.ROSTER` without ``detail``, plus ``name_lower``) of the
        athletes the signed-in user may see and whose dataset exists, sorted by athlete; None when the data
        directory has no roster. StoreError (one line) when the roster cannot be read."""
        frames = self._roster_frames()
        if frames is None:
            return None
        lean = frames[0]
        return lean.filter(pl.col("athlete").is_in(self.athletes()))

    def roster_details(self, athletes: Iterable[str]) -> dict[str, dict | None]:
        """The roster's ``detail`` of each of ``athletes`` read back from its JSON (``{"summary", "readiness",
        "plan"}``; None for a row without one: its figures failed, or the roster was replaced or removed since the
        page read its rows); PermissionError unless the signed-in user may see every one of them."""
        athletes = list(athletes)
        for athlete in athletes:
            self.check_access(athlete)
        frames = self._roster_frames()
        if frames is None:
            return dict.fromkeys(athletes)
        rows = frames[1].filter(pl.col("athlete").is_in(athletes))
        found = {a: (json.loads(d) if d else None) for a, d in rows.iter_rows()}
        return {a: found.get(a) for a in athletes}  # a row gone since the roster was read (replaced): None

    def model_settings(self, athlete: str) -> ModelSettings:
        """The athlete's model settings read from their settings file alone (a stat, then a cache; never their
        dataset), the defaults when it cannot be read (a damaged file says so on the athlete's own pages).
        PermissionError unless the signed-in user may see ``athlete``."""
        self.check_access(athlete)
        path = self.store.settings_path(athlete)
        key = file_key(path)
        if key is None:  # no settings file: the defaults (checking a new ModelSettings takes a millisecond)
            return _DEFAULT_MODEL

        def read() -> ModelSettings:
            try:
                return load_settings(path).model
            except TrainlogError:
                return ModelSettings()

        return self._memo(("model", athlete, key), read, lambda _: MODEL_BYTES)
