"""The wellness methods of :class:`dashboards.data.Data` (issue 16): the athlete's mornings, the readiness read
from them, and the morning check-in.

A base class of ``Data``, kept apart so that ``data.py`` stays under the size of a module: pages still read through
``data.get()`` (``data.get().readiness(athlete, day)``). Its frames are cached like every frame of ``Data``: under
the athlete's dataset generation (``Data._athlete``'s key), so a check-in, a CSV or a watch's wellness file is seen
on the next request; a write goes through :func:`trainlog.store.wellness.add` under ``Data``'s rule of who may
change an athlete's data (:meth:`~dashboards.data.Data.check_edit`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from trainlog.analysis import readiness
from trainlog.errors import InvalidValue
from trainlog.store import wellness
from trainlog.text import quoted

#: What a check-in from the dashboard is recorded as (the ``source`` column of the wellness table).
SOURCE = "page"


class WellnessData:
    """The athlete's wellness and readiness, for :class:`dashboards.data.Data` (which provides ``store``,
    ``_athlete``, ``_memo`` and ``check_edit``)."""

    def wellness(self, athlete: str) -> pl.DataFrame:
        """The athlete's wellness, one row per day with an entry (:func:`trainlog.store.wellness.daily`: columns
        :data:`~trainlog.store.wellness.DAILY_SCHEMA`); empty for an athlete without any. As of the commit the
        cache holds; PermissionError unless the signed-in user may see ``athlete``."""
        entry = self._athlete(athlete)
        return self._memo(("wellness", athlete, entry.key),
                          lambda: wellness.daily(self.store, athlete, entry.manifest))

    def wellness_signals(self, athlete: str) -> pl.DataFrame:
        """One row per calendar day from the first day with wellness to the last (:func:`trainlog.analysis.
        readiness.signals`): the day's values (null without an entry), the HRV 7-day mean, its normal range, the
        resting-HR baseline, a flag per readiness rule and the level, each with the athlete's model settings."""
        entry = self._athlete(athlete)
        return self._memo(("wellness_signals", athlete, entry.key),
                          lambda: readiness.signals(self.wellness(athlete), entry.settings.model))

    def readiness(self, athlete: str, day: dt.date) -> dict:
        """The readiness of ``day`` (:func:`trainlog.analysis.readiness.day_readiness`: the day's values, the
        baselines, the flags with their sentence, loudest first, and the level ok | warn | flag or None)."""
        entry = self._athlete(athlete)
        return self._memo(("readiness", athlete, entry.key, day),
                          lambda: readiness.day_readiness(self.wellness(athlete), day, entry.settings.model))

    def check_in(self, athlete: str, day: dt.date, values: Mapping[str, object]) -> bool:
        """Record the morning check-in of ``day`` (``values``: field of :data:`trainlog.store.wellness.FIELDS` ->
        value, None: not given) through :func:`trainlog.store.wellness.add` with source ``"page"``; whether anything
        changed (a new dataset generation: every cached frame of the athlete is computed again).

        PermissionError unless the signed-in user may change ``athlete``'s data (:meth:`check_edit`: a coach, or
        the athlete's own user; never another athlete's); InvalidValue (one line, nothing written) for a bad value,
        nothing given, or an athlete without a dataset (a check-in never creates one).
        """
        self.check_edit(athlete)
        if athlete not in self.store.athletes():
            raise InvalidValue(f"there is no athlete {quoted(athlete)} in this data directory")
        return wellness.add(self.store, athlete, day, values, source=SOURCE)
