"""Shared fixtures: the team's FIT corpus (../shared/fit_corpus) and fresh stores."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from corpus import CORPUS, ROOT, corpus_available, corpus_file

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


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(os.environ.get("TRAINLOG_ARTIFACTS", ROOT / "artifacts")) / "screenshots"


@pytest.fixture(scope="session")
def browser(request):
    """Debian's headless Chromium driven by Playwright, one for the whole session."""
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
