"""The fixtures every test module may take as arguments (pytest finds them here; never import them).

Fresh and corpus stores, a small store to export; whether file modes bind a child process (``modes_apply``);
the dashboard's data subset, its app and data source; one headless Chromium.
Plain helpers (frames, files, servers, paths) are in ``builders.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from builders import (
    CHROMIUM,
    CHROMIUM_ARGS,
    CORPUS,
    EXPORT_FILES,
    SCREENSHOTS,
    build_data_dir,
    corpus_available,
    corpus_file,
    drop_file_capabilities,
)

from trainlog import Store, import_paths


@pytest.fixture
def store(tmp_path) -> Store:
    """An empty data directory."""
    return Store(tmp_path / "data")


@pytest.fixture(scope="session")
def corpus_import(tmp_path_factory):
    """The whole corpus imported once into a fresh store: (store, report)."""
    if not corpus_available():
        pytest.skip(f"shared FIT corpus not found at {CORPUS}")
    data = tmp_path_factory.mktemp("corpus-data")
    store = Store(data)
    report = import_paths(store, [CORPUS], "corpus")
    return store, report


@pytest.fixture
def copy_corpus(tmp_path):
    """Copy named corpus files into a temporary folder and return their paths."""

    def copy(*names: str) -> list[Path]:
        out = []
        for name in names:
            src = corpus_file(name)
            dst = tmp_path / "in" / name
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            out.append(dst)
        return out

    return copy


@pytest.fixture(scope="session")
def export_store(tmp_path_factory) -> Store:
    """A data directory holding :data:`builders.EXPORT_FILES` for athlete ``tom`` (four days, a treadmill run
    without positions, a bike ride), built once per session (do not write to it)."""
    store = Store(tmp_path_factory.mktemp("export-data"))
    report = import_paths(store, EXPORT_FILES, "tom", workers=1)
    assert report.ok and report.counts()["imported"] == len(EXPORT_FILES), report.results
    return store


# --------------------------------------------------------------------------- the dashboard


@pytest.fixture(scope="session")
def subset_dir(tmp_path_factory) -> Path:
    """A data directory holding :data:`builders.SUBSET`, built once per session (do not write to it)."""
    path = tmp_path_factory.mktemp("dashboard-data")
    build_data_dir(path)
    return path


@pytest.fixture(scope="session")
def dash_app(subset_dir):
    """The Dash app over the subset (page modules are imported when the app is created)."""
    from dashboards.app import create_app

    return create_app(subset_dir)


@pytest.fixture
def source(dash_app, subset_dir):
    """``dashboards.data`` pointed at the read-only subset."""
    from dashboards import data

    return data.use(subset_dir)


@pytest.fixture
def writable_source(dash_app, subset_dir, tmp_path):
    """``dashboards.data`` pointed at a private copy of the subset (for settings and uploads)."""
    from dashboards import data

    copy = tmp_path / "data"
    shutil.copytree(subset_dir, copy)
    return data.use(copy)


@pytest.fixture(scope="session")
def browser(request):
    """Debian's headless Chromium driven by Playwright, one for the whole session.

    Skips the test (only the tests that take it) when Chromium or the playwright package is missing.
    """
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    with request.config.pluginmanager.getplugin("capturemanager").global_and_fixture_disabled():
        print(f"\ndashboard screenshots: {SCREENSHOTS.resolve()}")


@pytest.fixture
def modes_apply():
    """Skip unless a child process can be made to obey file modes (root drops CAP_DAC_OVERRIDE)."""
    probe = tempfile.NamedTemporaryFile(delete=False)
    probe.close()
    os.chmod(probe.name, 0)
    try:
        res = subprocess.run(
            [sys.executable, "-c", f"open({probe.name!r}).close()"],
            capture_output=True, text=True,
            preexec_fn=drop_file_capabilities if os.geteuid() == 0 else None,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot start a process that obeys file modes: {exc}")
    finally:
        os.unlink(probe.name)
    if "PermissionError" not in res.stderr:
        pytest.skip("file modes are not enforced for this user (cannot test 'permission denied')")
    return True
