"""Fixtures shared by the dashboard tests: a small data directory built from sample_fit/.

Import the fixtures into a test module (``from dashboard_fixtures import ...``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from corpus import SAMPLE_FIT

from dashboards import data
from dashboards.app import create_app
from trainlog import Store, import_paths
from trainlog.ingest import demo

#: The subset imported for the dashboard tests: Mara's last four weeks with her 59 h Barkley
#: file, and Tom's last three weeks with his race. Small enough to import in seconds.
SUBSET = {"mara": "2026-02-16", "tom": "2026-06-06"}
#: A sample file outside the subset, for upload tests.
UPLOAD_FILE = SAMPLE_FIT / "mara" / "2025-09-16_0551_running.fit"


def subset_files(athlete: str) -> list[Path]:
    return sorted(p for p in (SAMPLE_FIT / athlete).glob("*.fit") if p.name >= SUBSET[athlete])


def build_data_dir(path: Path) -> Store:
    """Import :data:`SUBSET` into ``path``, with the sample athletes' settings."""
    store = Store(path)
    for athlete in SUBSET:
        report = import_paths(store, subset_files(athlete), athlete)
        assert report.ok, report.results
    demo.apply_sample_settings(store)
    return store


@pytest.fixture(scope="session")
def subset_dir(tmp_path_factory) -> Path:
    """A data directory holding :data:`SUBSET`, built once per session (do not write to it)."""
    path = tmp_path_factory.mktemp("dashboard-data")
    build_data_dir(path)
    return path


@pytest.fixture(scope="session")
def dash_app(subset_dir):
    """The Dash app over the subset (page modules are imported when the app is created)."""
    return create_app(subset_dir)


@pytest.fixture
def source(dash_app, subset_dir):
    """``dashboards.data`` pointed at the read-only subset."""
    return data.use(subset_dir)


@pytest.fixture
def writable_source(dash_app, subset_dir, tmp_path):
    """``dashboards.data`` pointed at a private copy of the subset (for settings and uploads)."""
    copy = tmp_path / "data"
    shutil.copytree(subset_dir, copy)
    return data.use(copy)
