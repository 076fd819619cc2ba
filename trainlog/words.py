"""The shared words: names that several modules (and the JSON users read) spell the same way.

Each is defined once here and imported where it is written or matched, so a
renamed word is one edit and a misspelt one is an ImportError, not a branch
that silently never runs. The values are the strings users already see in
``--json`` output and the dataset; :class:`enum.StrEnum` members compare equal
to them and serialise as them.
"""

from __future__ import annotations

from enum import StrEnum

#: The athlete a command acts on when none is named (``--athlete``, the upload form).
DEFAULT_ATHLETE = "default"


class Outcome(StrEnum):
    """What an import did with one file (``trainlog import --json``: ``counts`` and ``files[].outcome``)."""

    IMPORTED = "imported"
    DUPLICATE = "duplicate"
    SKIPPED = "skipped"
    FAILED = "failed"


#: The four outcomes in the order reports list them.
OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)


class Level(StrEnum):
    """How loud a warning is (monotony and strain against their two thresholds; OK: below both)."""

    OK = "ok"
    WARN = "warn"
    FLAG = "flag"


class AscentFlag(StrEnum):
    """Why a run's ascent is suspect (``ascent_flag``, shared/METRICS.md)."""

    TOO_FAST = "too_fast"
    DEVICE_DISAGREES = "device_disagrees"


#: The ``source_file`` of an activity the athlete entered by hand (``trainlog activity add``, the dashboard's
#: form): a session without a file. Never a duplicate of a recorded file, never exported as a track.
MANUAL_SOURCE = "(entered by hand)"

#: The kinds of a planned week, in the order a plan passes through them (:mod:`trainlog.store.plans`).
WEEK_KINDS = ("base", "build", "recovery", "peak", "taper", "race")
#: The types of a planned session, in the order of ``model.session_if`` (their intensity factors).
SESSION_TYPES = ("recovery", "easy", "long", "steady", "tempo", "threshold")

#: The table formats :func:`trainlog.export.tables.export_tables` writes (``trainlog export --format``).
TABLE_FORMATS = ("csv", "parquet")
#: The activity file formats :func:`trainlog.export.files.export_activities` writes.
FILE_FORMATS = ("fit", "gpx")
