"""trainlog: training load for mountain ultras, from FIT files to a Polars dataset.

>>> import trainlog
>>> store = trainlog.Store("~/trainlog-data")          # doctest: +SKIP
>>> store.read("activities", athlete="mara").to_pandas()  # doctest: +SKIP
"""

__version__ = "0.1.0"

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
