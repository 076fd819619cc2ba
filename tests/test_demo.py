"""The bundled sample data (trainlog.ingest.demo): found from the installed package, one athlete per folder."""

from __future__ import annotations

from builders import SAMPLE_FIT

from trainlog.ingest import demo


def test_the_sample_folder_is_the_checkout_s():
    assert demo.SAMPLE_DIR == SAMPLE_FIT
    assert demo.sample_athletes() == ["mara", "tom"]
    assert set(demo.SAMPLE_SETTINGS) == set(demo.sample_athletes())
