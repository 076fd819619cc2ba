"""The bundled sample data (sample_fit/), imported one athlete per folder."""

from __future__ import annotations

from pathlib import Path

from trainlog.errors import TrainlogError
from trainlog.importer import ImportReport, import_paths
from trainlog.store import Store

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_fit"


def sample_athletes(sample_dir: Path = SAMPLE_DIR) -> list[str]:
    """Athlete folders of the sample data (``sample_fit/<athlete>/*.fit``)."""
    if not sample_dir.is_dir():
        raise TrainlogError(f"{sample_dir}: sample data not found (run from a checkout of trainlog)")
    return sorted(p.name for p in sample_dir.iterdir() if p.is_dir())


def import_samples(store: Store, sample_dir: Path = SAMPLE_DIR, **kwargs) -> list[ImportReport]:
    """Import every sample athlete's folder under its own name (a no-op when done before)."""
    return [import_paths(store, [sample_dir / a], a, **kwargs) for a in sample_athletes(sample_dir)]
