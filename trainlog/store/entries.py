"""What the athlete and the coach say of an activity: the athlete's rating (session RPE, feel, a note) and comments.

The watch does not know how a session felt. The athlete rates it on Foster's
CR-10 scale of session RPE (0 rest ... 10 maximal; shared/METRICS.md, "Load when
there is no heart rate": the ``rpe`` load source, and a session-RPE load kept
beside the heart-rate load of every rated run), with a "feel" from 1 (very weak)
to 5 (very strong) and a free-text note; the coach (or the athlete) comments.

Both are append-only tables written through :meth:`trainlog.store.Store.transaction`
like every imported table (:data:`trainlog.store.schema.RATINGS`,
:data:`~trainlog.store.schema.COMMENTS`): nothing is rewritten, each row of
``ratings`` is the whole rating after a change and the latest row per activity
wins. Entries are keyed by ``activity_id``, stable across re-imports of a file,
so they survive a re-import and every re-analysis.

    rate(store, "mara", aid, rpe=7, feel=4, note="heavy legs on the last climb")
    comment(store, "mara", aid, "coach1", "Good pacing: keep the climbs this easy")
    ratings(store, "mara")      # one row per rated activity
    comments(store, "mara", aid)  # oldest first

The athlete's RPE beats an ``rpe`` choice (the rating an export's metadata gave,
:mod:`trainlog.store.choices`): :func:`overlay` puts it on the choices' state.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import unicodedata
from collections.abc import Iterator

import polars as pl

from trainlog.errors import InvalidValue, StoreError
from trainlog.store import Manifest, Store, Transaction, check_athlete, schema
from trainlog.text import quoted

#: Foster's CR-10 scale of session RPE: 0 rest ... 10 maximal.
RPE_MIN, RPE_MAX = 0.0, 10.0
#: How the session felt: 1 very weak, 2 weak, 3 normal, 4 strong, 5 very strong (intervals.icu's "feel", reversed
#: so that more is better, like every 1-5 scale here).
FEEL_MIN, FEEL_MAX = 1, 5
FEEL_WORDS = {1: "very weak", 2: "weak", 3: "normal", 4: "strong", 5: "very strong"}
#: The longest note or comment kept, in characters (a page of text).
MAX_TEXT_CHARS = 4000
MAX_AUTHOR_CHARS = 64

#: A value left as it is by :func:`rate`.
KEEP = object()

#: The columns of :func:`ratings` and :func:`latest_ratings`.
RATING_SCHEMA: dict[str, pl.DataType] = {
    "activity_id": pl.String, "rpe": pl.Float64, "feel": pl.Int8, "note": pl.String, "rated_at": schema.UTC,
}


def check_rpe(rpe: object) -> float:
    """A session RPE as a float in 0..10, else InvalidValue (one line)."""
    if isinstance(rpe, bool) or not isinstance(rpe, (int, float)):
        raise InvalidValue(f"rpe {quoted(rpe)} is not a number (CR-10 scale, {RPE_MIN:g}..{RPE_MAX:g})")
    if not math.isfinite(rpe) or not RPE_MIN <= rpe <= RPE_MAX:
        raise InvalidValue(f"rpe {quoted(rpe)} is out of range {RPE_MIN:g}..{RPE_MAX:g} (CR-10 scale)")
    return float(rpe)


def check_feel(feel: object) -> int:
    """A feel as a whole number in 1..5, else InvalidValue (one line)."""
    if isinstance(feel, float) and feel.is_integer():
        feel = int(feel)
    if isinstance(feel, bool) or not isinstance(feel, int) or not FEEL_MIN <= feel <= FEEL_MAX:
        raise InvalidValue(f"feel {quoted(feel)} is not a whole number from {FEEL_MIN} (very weak) "
                           f"to {FEEL_MAX} (very strong)")
    return feel


def check_text(what: str, text: object, limit: int = MAX_TEXT_CHARS) -> str:
    """Free text (a note, a comment) stripped; line breaks and tabs are kept, other control characters
    refused; InvalidValue (one line) when not text, empty, or longer than ``limit``."""
    if not isinstance(text, str):
        raise InvalidValue(f"{what} {quoted(text)} is not text")
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidValue(f"{what} is empty")
    if len(text) > limit:
        raise InvalidValue(f"{what} is {len(text)} characters long; at most {limit} are kept")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c not in "\n\t" for c in text):
        raise InvalidValue(f"{what} {quoted(text)} contains control characters")
    return text


def rate(store: Store, athlete: str, activity_id: str, *, rpe: object = KEEP, feel: object = KEEP,
         note: object = KEEP) -> bool:
    """Rate one stored activity: ``rpe`` (CR-10, 0..10), ``feel`` (1..5), ``note`` (text); ``None`` clears a
    value, :data:`KEEP` (the default) leaves it. Returns whether the rating changed (nothing is written
    when it did not). InvalidValue (one line) for a bad value or an unknown activity; StoreError for an
    athlete without a dataset."""
    given = {}
    if rpe is not KEEP:
        given["rpe"] = None if rpe is None else check_rpe(rpe)
    if feel is not KEEP:
        given["feel"] = None if feel is None else check_feel(feel)
    if note is not KEEP:
        given["note"] = None if note is None or (isinstance(note, str) and not note.strip()) \
            else check_text("note", note)
    if not given:
        raise InvalidValue("nothing to rate: give an RPE, a feel or a note")
    with writing(store, athlete, activity_id) as tx:
        now = _latest(tx.read("ratings")).filter(pl.col("activity_id") == activity_id)
        before = {k: (now[k][0] if now.height else None) for k in ("rpe", "feel", "note")}
        if not now.height:  # the first rating starts from the RPE an export gave (an rpe choice), if any
            before["rpe"] = _export_rpe(tx.read("choices"), activity_id)
        after = before | given
        if after == before and now.height:
            return False
        if not now.height and all(v is None for v in after.values()):
            return False
        row = {"activity_id": [activity_id], **{k: [v] for k, v in after.items()}, "at": [_now()]}
        tx.append("ratings", pl.DataFrame(row, schema=schema.RATINGS))
    return True


def _export_rpe(choices: pl.DataFrame, activity_id: str) -> float | None:
    """The latest ``rpe`` choice of one activity (the RPE an export's metadata gave), None when there is none."""
    given = choices.filter((pl.col("activity_id") == activity_id) & (pl.col("action") == "rpe"))["rpe"]
    return given[-1] if given.len() else None


def comment(store: Store, athlete: str, activity_id: str, author: str, text: str) -> dt.datetime:
    """Add a comment by ``author`` (a user name) on one stored activity; returns its time (UTC).
    InvalidValue (one line) for an empty or overlong text or author, or an unknown activity."""
    author = check_text("author", author, MAX_AUTHOR_CHARS)
    if "\n" in author or "\t" in author:
        raise InvalidValue(f"author {quoted(author)} must be one line")
    text = check_text("comment", text)
    at = _now()
    with writing(store, athlete, activity_id) as tx:
        row = {"activity_id": [activity_id], "author": [author], "text": [text], "at": [at]}
        tx.append("comments", pl.DataFrame(row, schema=schema.COMMENTS))
    return at


def ratings(store: Store, athlete: str, manifest: Manifest | None = None) -> pl.DataFrame:
    """The latest rating of every rated activity (columns :data:`RATING_SCHEMA`), sorted by ``activity_id``."""
    return latest_ratings(store.read_all(check_athlete(athlete), ("ratings",), manifest)["ratings"])


def latest_ratings(log: pl.DataFrame) -> pl.DataFrame:
    """The ratings table (rows in commit order) folded into its latest row per activity (:data:`RATING_SCHEMA`);
    an activity whose latest rating is all empty is left out. A frame already folded is returned as it is."""
    if "rated_at" in log.columns:
        return log
    return _latest(log).filter(pl.any_horizontal(pl.col("rpe", "feel", "note").is_not_null()))


def _latest(log: pl.DataFrame) -> pl.DataFrame:
    """The latest row per activity of the ratings table (rows in commit order), an emptied rating included."""
    out = log.with_row_index("_seq").sort("_seq").group_by("activity_id").last().rename({"at": "rated_at"})
    return out.select(pl.col(c).cast(t) for c, t in RATING_SCHEMA.items()).sort("activity_id")


def comments(store: Store, athlete: str, activity_id: str | None = None,
             manifest: Manifest | None = None) -> pl.DataFrame:
    """The comments (columns of :data:`trainlog.store.schema.COMMENTS`) on one activity, or on all when
    ``activity_id`` is None, oldest first."""
    log = store.read_all(check_athlete(athlete), ("comments",), manifest)["comments"]
    if activity_id is not None:
        log = log.filter(pl.col("activity_id") == activity_id)
    return log.with_row_index("_seq").sort("at", "_seq").drop("_seq")


def overlay(state: pl.DataFrame, rated: pl.DataFrame | None) -> pl.DataFrame:
    """The choices' state (:func:`trainlog.store.choices.state`, with its ``rpe``) with the athlete's own
    ratings on top: an activity the athlete rated takes the rating's ``rpe`` (null when they cleared it: an
    export's RPE does not come back), and ``feel`` joins in (null where not given)."""
    if rated is None:
        return state.with_columns(feel=pl.lit(None, pl.Int8))
    rated = (rated if "rated_at" in rated.columns else _latest(rated)).select(
        "activity_id", pl.col("rpe").alias("_rpe"), "feel", pl.lit(True).alias("_rated"))
    out = state.join(rated, on="activity_id", how="full", coalesce=True)
    return out.with_columns(
        rpe=pl.when(pl.col("_rated").fill_null(False)).then(pl.col("_rpe")).otherwise(pl.col("rpe")),
        excluded=pl.col("excluded").fill_null(False),
        ascent_confirmed=pl.col("ascent_confirmed").fill_null(False),
    ).drop("_rpe", "_rated").sort("activity_id")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@contextlib.contextmanager
def writing(store: Store, athlete: str, activity_id: str) -> Iterator[Transaction]:
    """The writer's transaction for an entry (a rating, a comment, a choice) on one stored activity, checked under
    the lock: InvalidValue (one line) for an id that is not one or not stored, StoreError without a dataset."""
    if not isinstance(activity_id, str) or not activity_id:
        raise InvalidValue(f"activity id {quoted(activity_id)} is not an activity id")
    athlete = check_athlete(athlete)
    if athlete not in store.athletes():
        store.manifest(athlete)  # a lost or damaged manifest says so (and names trainlog repair)
        raise StoreError(f"no dataset for athlete {athlete!r} in {store.data_dir}")
    with store.transaction(athlete) as tx:
        if activity_id not in set(tx.read("activities")["activity_id"].to_list()):
            raise InvalidValue(f"no activity {quoted(activity_id)} for athlete {athlete}; "
                               f"the ids are in: trainlog activities -a {athlete} (column id)")
        yield tx
