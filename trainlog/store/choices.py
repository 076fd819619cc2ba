"""The athlete's choices per activity: exclude a run from the goal, confirm a suspect ascent, rate a session.

shared/METRICS.md, "The goal": the goal's figures leave out the runs the athlete
excluded and the runs with a suspect ascent until the athlete confirms it. An
excluded run is left out of the goal's figures only: its load still counts in
fitness, fatigue and every load figure.

The choices are stored in the dataset as the append-only ``choices`` table
(:data:`trainlog.store.schema.CHOICES`), an event log written through
:meth:`trainlog.store.Store.transaction` like every other table: one row per
choice, nothing is ever rewritten, and the latest row of each kind wins (rows
are read in commit order; ``at`` is a record of when, not the order). Choices
are keyed by ``activity_id``, which is stable across re-imports of the same file,
so they survive a re-import and every re-analysis; each choice is a new dataset
generation, so every cached analysis is computed again.

    record(store, athlete, activity_id, "exclude")   # the CLI and the dashboard
    set_rpe(store, athlete, activity_id, 6.5)        # session RPE, CR-10; None clears it
    current(store, athlete)                          # the latest choice per activity

:func:`state` and :func:`joined` are the pure part: the log folded into one row
per activity, and that joined onto the activities frame before
:func:`trainlog.analysis.activity.activity_metrics` (:func:`trainlog.analysis.pipeline.analyse`).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from trainlog.errors import InvalidValue
from trainlog.store import Manifest, Store, check_athlete, entries, schema
from trainlog.text import quoted

#: What :func:`record` accepts: exclude / include again (the goal's figures), confirm / unconfirm (a suspect ascent).
ACTIONS = ("exclude", "include", "confirm", "unconfirm")
#: The action of the rows :func:`set_rpe` writes.
RPE_ACTION = "rpe"
#: Foster's CR-10 scale of session RPE (Foster 2001): 0 rest ... 10 maximal.
RPE_MIN, RPE_MAX = entries.RPE_MIN, entries.RPE_MAX

#: The columns of :func:`current` and :func:`state`.
STATE_SCHEMA: dict[str, pl.DataType] = {
    "activity_id": pl.String,
    "excluded": pl.Boolean,  # left out of the goal's figures (its load still counts)
    "ascent_confirmed": pl.Boolean,  # the athlete confirmed a suspect ascent
    "rpe": pl.Float64,  # session RPE, CR-10 (null: none given)
}

#: Per state column: the actions that set it, and the value each gives.
_FIELDS = {
    "excluded": {"exclude": True, "include": False},
    "ascent_confirmed": {"confirm": True, "unconfirm": False},
}


def record(store: Store, athlete: str, activity_id: str, action: str) -> bool:
    """Record the athlete's ``action`` (one of :data:`ACTIONS`) for one stored activity.

    ``exclude``: the run is left out of the goal's figures (its load still
    counts); ``include``: counted again; ``confirm``: a suspect ascent counts;
    ``unconfirm``: it no longer does. A choice that changes nothing (excluding
    an excluded run) writes nothing; returns whether it changed something. Raises :class:`~trainlog.errors.InvalidValue`
    (one line) for an unknown action or activity id, :class:`~trainlog.errors.StoreError`
    for an athlete without a dataset.
    """
    if action not in ACTIONS:
        raise InvalidValue(f"unknown action {quoted(action)}: use one of {', '.join(ACTIONS)}")
    field = "excluded" if action in _FIELDS["excluded"] else "ascent_confirmed"
    return _append(store, athlete, activity_id, action, None, field, _FIELDS[field][action])


def set_rpe(store: Store, athlete: str, activity_id: str, rpe: float | None) -> bool:
    """Set the session RPE (Foster's CR-10 rating, 0..10) of one stored activity; ``None`` clears it.

    Returns whether it changed the stored rating. The load of a run without heart rate, power or pace comes from it
    (shared/METRICS.md, "Load when there is no heart rate"). Raises
    :class:`~trainlog.errors.InvalidValue` (one line) for a rating that is not a
    number in 0..10 or an unknown activity id.
    """
    if rpe is not None:
        rpe = entries.check_rpe(rpe)
    return _append(store, athlete, activity_id, RPE_ACTION, rpe, "rpe", rpe)


def current(store: Store, athlete: str, manifest: Manifest | None = None) -> pl.DataFrame:
    """The latest choice per activity that has any: columns :data:`STATE_SCHEMA`, sorted by ``activity_id``.

    ``excluded`` and ``ascent_confirmed`` are False unless chosen; ``rpe`` is
    null unless given. ``manifest``: the choices of that commit (a snapshot the
    caller read), not of the latest.
    """
    return state(store.read_all(check_athlete(athlete), ("choices",), manifest)["choices"])


def state(log: pl.DataFrame) -> pl.DataFrame:
    """The choices table (:data:`trainlog.store.schema.CHOICES`, rows in commit order) folded into
    one row per activity (columns :data:`STATE_SCHEMA`, sorted by ``activity_id``).

    A frame that already has those columns (an earlier :func:`state`) is returned as it is.
    """
    if "action" not in log.columns and set(STATE_SCHEMA) <= set(log.columns):
        return log.select(pl.col(c).cast(t) for c, t in STATE_SCHEMA.items())
    log = log.with_row_index("_seq")
    out = log.select("activity_id").unique()
    for name, values in _FIELDS.items():
        last = (
            log.filter(pl.col("action").is_in(list(values)))
            .group_by("activity_id")
            .agg(pl.col("action").sort_by("_seq").last())
            .select("activity_id", pl.col("action").replace_strict(values, return_dtype=pl.Boolean).alias(name))
        )
        out = out.join(last, on="activity_id", how="left")
    rpe = (
        log.filter(pl.col("action") == RPE_ACTION)
        .group_by("activity_id")
        .agg(pl.col("rpe").sort_by("_seq").last())
    )
    out = out.join(rpe, on="activity_id", how="left")
    return (
        out.with_columns(pl.col("excluded", "ascent_confirmed").fill_null(False))
        .select(pl.col(c).cast(t) for c, t in STATE_SCHEMA.items())
        .sort("activity_id")
    )


def joined(activities: pl.DataFrame, choices: pl.DataFrame | None, ratings: pl.DataFrame | None = None) -> pl.DataFrame:
    """``activities`` with the columns ``excluded``, ``ascent_confirmed`` (Boolean, False when
    not chosen), ``rpe`` (Float64, null) of ``choices`` (the choices table or its :func:`state`) and
    ``feel`` (Int8, null); ``ratings``: the athlete's own (:mod:`trainlog.store.entries`), whose RPE wins."""
    chosen = entries.overlay(state(choices if choices is not None else schema.empty("choices")), ratings)
    base = activities.drop([c for c in ("excluded", "ascent_confirmed", "rpe", "feel") if c in activities.columns])
    if chosen.height == 1:  # a row whose null key matches nothing: Polars broadcasts a one-row frame joined on as
        chosen = pl.concat([chosen, chosen.clear(1)])  # constants, and computes with them otherwise (last bit)
    return base.join(chosen, on="activity_id", how="left", maintain_order="left").with_columns(
        pl.col("excluded", "ascent_confirmed").fill_null(False)
    )


def _append(
    store: Store, athlete: str, activity_id: str, action: str, rpe: float | None, field: str, value: object
) -> bool:
    """Append one choice under the writers' lock, after checking the activity is stored;
    nothing is written (False) when ``field`` already has ``value``."""
    with entries.writing(store, athlete, activity_id) as tx:  # the same checks as a rating's
        now = state(tx.read("choices")).filter(pl.col("activity_id") == activity_id)
        before = now[field][0] if now.height else (None if field == "rpe" else False)
        if before == value:
            return False
        row = {"activity_id": [activity_id], "action": [action], "rpe": [rpe], "at": [dt.datetime.now(dt.UTC)]}
        tx.append("choices", pl.DataFrame(row, schema=schema.CHOICES))
    return True
