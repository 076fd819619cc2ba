"""Schema migrations: the steps that bring an older dataset to the current schema version.

The manifest records ``schema_version``. A newer one is refused (never
rewritten); an older one is read as it is and migrated by the next writer,
under the lock and in a commit of its own, step by step through
:data:`MIGRATIONS`, after a copy of the old manifest is kept as
``dataset.json.v<N>.bak`` (see :class:`trainlog.store.dataset.Transaction`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import polars as pl

from trainlog.words import Outcome


class Step(Protocol):
    """What a migration step may do in the writer's transaction (a :class:`~trainlog.store.Transaction`)."""

    def read(self, table: str) -> pl.DataFrame:
        """The table as committed when the transaction began."""

    def append(self, table: str, frame: pl.DataFrame) -> None:
        """Queue rows (cast to the table's schema) for the migration's commit."""


def _migrate_0_to_1(tx: Step) -> None:
    """Version 0 had no ``files`` table (the import ledger): rebuild it from the activities.

    Every file that has activities is recorded as imported, so re-importing it
    is a duplicate; files that were skipped are not known and are skipped again.
    """
    acts = tx.read("activities")
    if acts.is_empty():
        return
    ledger = (
        acts.sort("imported_at", "leg", nulls_last=True)
        .group_by("file_sha256", maintain_order=True)
        .agg(pl.col("source_file").first(), pl.col("imported_at").first())
        .with_columns(outcome=pl.lit(Outcome.IMPORTED.value),
                      detail=pl.lit("ledger rebuilt by the schema 0 -> 1 migration"))
    )
    tx.append("files", ledger)


def _migrate_1_to_2(tx: Step) -> None:
    """Version 2 added the plan tables; a version 1 dataset has no plan, so there is nothing to write
    (the step still records version 2, so that an older trainlog refuses the dataset from then on)."""


def _migrate_2_to_3(tx: Step) -> None:
    """Version 3 added ``activity_meta`` (export metadata); an older dataset has none, so nothing is written
    (an older trainlog refuses the dataset from then on rather than dropping the names on its next commit)."""


def _migrate_3_to_4(tx: Step) -> None:
    """Version 4 added what the athlete and coach enter (``ratings``, ``comments``, ``wellness``) and
    ``activity_hrv``; an older dataset has none, so nothing is written (an older trainlog refuses the dataset
    from then on rather than dropping the entries on its next commit). Ratings given before (``rpe`` choices) stay
    where they are and still count."""


#: ``MIGRATIONS[n]`` turns a dataset of schema version n into version n + 1,
#: inside a writer's transaction (it may read tables and append rows).
MIGRATIONS: dict[int, Callable[[Step], None]] = {0: _migrate_0_to_1, 1: _migrate_1_to_2, 2: _migrate_2_to_3, 3: _migrate_3_to_4}
