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
- :mod:`trainlog.store.wellness_fields`: the wellness fields and CSV layouts (no Polars: the CLI's options).
- :mod:`trainlog.store.users`: the dashboard's users file (roles, password hashes).
- :mod:`trainlog.store.location`: the data directory (``$TRAINLOG_DATA_DIR``, else the platform's).

The names below are imported on first use (PEP 562), so that a light submodule
(:mod:`.names`, :mod:`.location`) is imported without Polars: ``trainlog --help`` needs no table.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ below imports each name on first use
    from trainlog.store.dataset import Store, Transaction
    from trainlog.store.location import ENV_DATA_DIR, default_data_dir
    from trainlog.store.manifest import MANIFEST, Manifest
    from trainlog.store.names import check_athlete, is_athlete_name

#: public name -> the submodule it lives in
_PUBLIC = {
    **dict.fromkeys(("Store", "Transaction"), "trainlog.store.dataset"),
    **dict.fromkeys(("ENV_DATA_DIR", "default_data_dir"), "trainlog.store.location"),
    **dict.fromkeys(("MANIFEST", "Manifest"), "trainlog.store.manifest"),
    **dict.fromkeys(("check_athlete", "is_athlete_name"), "trainlog.store.names"),
}


def __getattr__(name: str) -> Any:
    """``trainlog.store.Store`` and the other public names, imported on first use; a submodule's name is not
    one of them (``from trainlog.store import schema`` imports the submodule)."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


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
