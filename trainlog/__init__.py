"""trainlog: training load for mountain ultras, from FIT files to a Polars dataset.

>>> import trainlog
>>> store = trainlog.Store("~/trainlog-data")          # doctest: +SKIP
>>> store.read("activities", athlete="mara").to_pandas()  # doctest: +SKIP
"""

__version__ = "0.1.0"

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # for type checkers and editors; at run time __getattr__ below imports each name on first use
    from trainlog.analysis import metrics
    from trainlog.analysis.pipeline import Analysis, activity_metrics, analyse, summary
    from trainlog.errors import ArchiveError, InvalidFitFile, InvalidValue, SettingsError, StoreError, TrainlogError
    from trainlog.export.files import export_activities
    from trainlog.export.tables import export_tables
    from trainlog.ingest.decode import decode
    from trainlog.ingest.decoded import DecodedFile
    from trainlog.ingest.importer import FileResult, ImportReport, import_paths
    from trainlog.settings import AthleteSettings, Goal, load_settings, save_settings
    from trainlog.store import Store, choices, default_data_dir

#: public name -> the module it lives in (loaded on first use: ``trainlog --help`` needs none of them)
_PUBLIC = {
    "metrics": "trainlog.analysis",
    **dict.fromkeys(("Analysis", "activity_metrics", "analyse", "summary"), "trainlog.analysis.pipeline"),
    **dict.fromkeys(("ArchiveError", "InvalidFitFile", "InvalidValue", "SettingsError", "StoreError", "TrainlogError"),
                    "trainlog.errors"),
    "export_activities": "trainlog.export.files",
    "export_tables": "trainlog.export.tables",
    "decode": "trainlog.ingest.decode",
    "DecodedFile": "trainlog.ingest.decoded",
    **dict.fromkeys(("FileResult", "ImportReport", "import_paths"), "trainlog.ingest.importer"),
    **dict.fromkeys(("AthleteSettings", "Goal", "load_settings", "save_settings"), "trainlog.settings"),
    **dict.fromkeys(("Store", "choices", "default_data_dir"), "trainlog.store"),
}


def __getattr__(name: str) -> Any:
    """The public API, imported lazily (PEP 562): ``trainlog.Store`` imports :mod:`trainlog.store` then."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    package = importlib.import_module(module)
    # metrics and choices are submodules, which their package does not import itself
    value = getattr(package, name) if hasattr(package, name) else importlib.import_module(f"{module}.{name}")
    globals()[name] = value  # the next lookup is a plain attribute
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


__all__ = [
    "Analysis",
    "ArchiveError",
    "AthleteSettings",
    "Goal",
    "InvalidValue",
    "choices",
    "metrics",
    "activity_metrics",
    "analyse",
    "load_settings",
    "save_settings",
    "summary",
    "DecodedFile",
    "FileResult",
    "ImportReport",
    "InvalidFitFile",
    "SettingsError",
    "Store",
    "StoreError",
    "TrainlogError",
    "decode",
    "default_data_dir",
    "export_activities",
    "export_tables",
    "import_paths",
]
