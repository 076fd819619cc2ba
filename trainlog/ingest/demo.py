"""The bundled sample data (sample_fit/), imported one athlete per folder, with each athlete's mornings
(``sample_fit/wellness-<athlete>.csv``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from trainlog.errors import TrainlogError
from trainlog.ingest.importer import ImportReport, import_paths
from trainlog.settings import AthleteSettings, save_settings
from trainlog.store import Store, wellness

#: The committed sample files, at the top of a checkout (trainlog/ingest/demo.py -> ../../sample_fit).
SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_fit"


def sample_athletes(sample_dir: Path = SAMPLE_DIR) -> list[str]:
    """Athlete folders of the sample data (``sample_fit/<athlete>/*.fit``)."""
    if not sample_dir.is_dir():
        raise TrainlogError(f"{sample_dir}: sample data not found (run from a checkout of trainlog)")
    return sorted(p.name for p in sample_dir.iterdir() if p.is_dir())


def import_samples(store: Store, sample_dir: Path = SAMPLE_DIR, **kwargs: Any) -> list[ImportReport]:
    """Import every sample athlete's folder under its own name, with its settings and its wellness CSV.

    ``kwargs`` go to :func:`~trainlog.ingest.importer.import_paths` (workers, progress callbacks).

    A no-op when done before.
    """
    reports = []
    for athlete in sample_athletes(sample_dir):
        reports.append(import_paths(store, [sample_dir / athlete], athlete, **kwargs))
        mornings = sample_dir / f"wellness-{athlete}.csv"
        if mornings.is_file() and athlete in store.athletes():
            wellness.import_csv(store, athlete, mornings)  # writes nothing when done before
    apply_sample_settings(store)
    return reports


#: What the sample generator knows about its athletes (trainlog_dev/sampledata.py).
SAMPLE_SETTINGS = {
    "mara": {
        "sex": "female",
        "hr_max_bpm": 186.0,
        "hr_rest_bpm": 46.0,
        "timezone": "America/New_York",
        "goal": {"name": "Barkley Marathons 2026", "date": "2026-03-13"},
    },
    "tom": {
        "sex": "male",
        "hr_max_bpm": 188.0,
        "hr_rest_bpm": 42.0,
        "timezone": "Europe/Paris",
        "goal": {
            "name": "100-mile mountain race",
            "date": "2026-06-26",
            "ascent_m": 9900.0,
            "distance_m": 166000.0,
            "time_limit_h": 46.5,
            "loops": 1,
        },
    },
}


def apply_sample_settings(store: Store) -> None:
    """Give the sample athletes their known settings, unless they have some already."""
    for athlete, values in SAMPLE_SETTINGS.items():
        if athlete in store.athletes() and not store.settings_path(athlete).exists():
            save_settings(store.settings_path(athlete), AthleteSettings.from_dict(values))

