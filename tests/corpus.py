"""Where the shared FIT corpus is, and how to read its manifest."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("TRAINLOG_CORPUS", ROOT.parent / "shared" / "fit_corpus"))
SAMPLE_FIT = ROOT / "sample_fit"
def corpus_available() -> bool:
    return (CORPUS / "MANIFEST.tsv").is_file()


requires_corpus = pytest.mark.skipif(
    not corpus_available(),
    reason=f"shared FIT corpus not found at {CORPUS} (it lives beside the checkout in ../shared/fit_corpus)",
)


def corpus_file(name: str) -> Path:
    if not corpus_available():
        pytest.skip(f"shared FIT corpus not found at {CORPUS}")
    return CORPUS / name


def manifest() -> list[dict[str, str]]:
    with open(CORPUS / "MANIFEST.tsv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


