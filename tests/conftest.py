"""Shared fixtures: the team's FIT corpus (../shared/fit_corpus) and fresh stores."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from corpus import CORPUS, corpus_available, corpus_file
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
