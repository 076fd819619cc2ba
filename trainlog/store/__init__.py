"""The store: each athlete's dataset of Parquet tables, and the files beside it.

- :mod:`trainlog.store.dataset`: :class:`Store`, the one module that reads and
  writes the Parquet tables (a manifest per athlete, one writer at a time,
  atomic commits, check and repair).
- :mod:`trainlog.store.schema`: the tables' columns and dtypes.
- :mod:`trainlog.store.choices`: the athlete's append-only choices (exclude,
  confirm, RPE), written through the store.
- :mod:`trainlog.store.users`: the dashboard's users file (roles, password hashes).
"""

from trainlog.store.dataset import (
    ENV_DATA_DIR,
    MANIFEST,
    Manifest,
    Store,
    Transaction,
    check_athlete,
    default_data_dir,
    is_athlete_name,
)

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
