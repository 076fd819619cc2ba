"""The store: each athlete's dataset of Parquet tables, and the files beside it.

- :mod:`trainlog.store.dataset`: :class:`Store`, the one module that reads and
  writes the Parquet tables (a manifest per athlete, one writer at a time,
  atomic commits).
- :mod:`trainlog.store.manifest`: the manifest (``dataset.json``) and the parts' file names.
- :mod:`trainlog.store.names`: the athlete name rule.
- :mod:`trainlog.store.migrations`: the schema version steps.
- :mod:`trainlog.store.check`: check and repair of a dataset (``trainlog check``, ``trainlog repair``).
- :mod:`trainlog.store.derived`: the cache of frames derived from a dataset.
- :mod:`trainlog.store.disk`: disk errors in words, whole-Parquet checks.
- :mod:`trainlog.store.schema`: the tables' columns and dtypes.
- :mod:`trainlog.store.choices`: the athlete's append-only choices (exclude,
  confirm, RPE), written through the store.
- :mod:`trainlog.store.wellness`: wellness per local day (resting HR, HRV,
  sleep, 1-5 scales, illness, a note), append-only, and its CSV import.
- :mod:`trainlog.store.users`: the dashboard's users file (roles, password hashes).
"""

from trainlog.store.dataset import ENV_DATA_DIR, Store, Transaction, default_data_dir
from trainlog.store.manifest import MANIFEST, Manifest
from trainlog.store.names import check_athlete, is_athlete_name

__all__ = [
    "ENV_DATA_DIR",
    "MANIFEST",
    "Manifest",
    "Store",
    "Transaction",
    "check_athlete",
    "default_data_dir",
    "is_athlete_name",
]
