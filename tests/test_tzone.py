"""trainlog.analysis.tzone: UTC -> the athlete's local time (device offset, else time zone, else machine)."""

from __future__ import annotations

import datetime as dt
import time

import polars as pl
import pytest
from builders import activities, utc

from trainlog import days
from trainlog.analysis import tzone


@pytest.fixture
def machine_zone(monkeypatch):
    """Set the machine's zone (TZ) for one test; the real one is back afterwards."""

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("when", "zone", "offset_s"),
    [
        (utc(2024, 1, 15, 12), "Europe/Paris", 3600),  # CET, UTC+1
        (utc(2024, 7, 15, 12), "Europe/Paris", 7200),  # CEST, UTC+2
        (utc(2024, 1, 15, 12), "America/New_York", -5 * 3600),  # EST
        (utc(2024, 7, 15, 12), "America/New_York", -4 * 3600),  # EDT
        (utc(2024, 7, 15, 12), "Asia/Kolkata", 5 * 3600 + 30 * 60),  # IST, a half hour
        (utc(2024, 1, 15, 12), "Pacific/Chatham", 13 * 3600 + 45 * 60),  # summer, UTC+13:45
        (utc(2024, 1, 15, 12), "UTC", 0),
    ],
)
def test_zone_offset_is_the_zones_at_that_instant(when, zone, offset_s):
    assert days.zone_offset_s(when, zone) == offset_s


def test_zone_offset_changes_at_the_dst_instant():
    # Europe/Paris springs forward at 01:00 UTC on the last Sunday of March (2024-03-31)
    assert days.zone_offset_s(utc(2024, 3, 31, 0, 59, 59), "Europe/Paris") == 3600
    assert days.zone_offset_s(utc(2024, 3, 31, 1, 0, 0), "Europe/Paris") == 7200
    # and falls back at 01:00 UTC on the last Sunday of October (2024-10-27)
    assert days.zone_offset_s(utc(2024, 10, 27, 0, 59, 59), "Europe/Paris") == 7200
    assert days.zone_offset_s(utc(2024, 10, 27, 1, 0, 0), "Europe/Paris") == 3600


@pytest.mark.parametrize("no_zone", [None, ""])
def test_without_a_zone_the_machines_is_used(machine_zone, no_zone):
    machine_zone("Asia/Kolkata")
    assert days.machine_offset_s(utc(2024, 1, 15, 12)) == 19800
    assert days.zone_offset_s(utc(2024, 1, 15, 12), no_zone) == 19800
    machine_zone("America/Los_Angeles")
    assert days.zone_offset_s(utc(2024, 1, 15, 12), no_zone) == -8 * 3600
    assert days.zone_offset_s(utc(2024, 7, 15, 12), no_zone) == -7 * 3600


def test_a_named_zone_does_not_depend_on_the_machines(machine_zone):
    machine_zone("Pacific/Kiritimati")  # UTC+14
    assert days.zone_offset_s(utc(2024, 1, 15, 12), "Europe/Paris") == 3600


def _three() -> pl.DataFrame:
    return activities(
        {"activity_id": "device", "start_utc": utc(2024, 1, 15, 23, 30), "utc_offset_s": -18000},
        {"activity_id": "zone", "start_utc": utc(2024, 1, 15, 23, 30), "utc_offset_s": None},
        {"activity_id": "summer", "start_utc": utc(2024, 7, 15, 23, 30), "utc_offset_s": None},
    )


def test_resolved_offsets_keep_the_devices_and_fill_the_rest_from_the_zone():
    offsets = tzone.resolved_offsets(_three(), "Europe/Paris")
    assert offsets.name == "utc_offset_s" and offsets.dtype == pl.Int32
    assert offsets.to_list() == [-18000, 3600, 7200]


def test_an_activity_without_a_start_gets_offset_zero():
    acts = activities({"activity_id": "x", "start_utc": None, "utc_offset_s": None})
    assert tzone.resolved_offsets(acts, "Asia/Kolkata").to_list() == [0]


def test_local_start_is_the_utc_start_moved_by_the_offset():
    local = tzone.with_local_start(_three(), "Europe/Paris")
    assert local["utc_offset_s"].to_list() == [-18000, 3600, 7200]
    assert local["start_local"].dtype == pl.Datetime("us")  # naive: local wall time
    assert local["start_local"].to_list() == [
        dt.datetime(2024, 1, 15, 18, 30),  # 23:30 UTC - 5 h
        dt.datetime(2024, 1, 16, 0, 30),  # 23:30 UTC + 1 h: the next local day
        dt.datetime(2024, 7, 16, 1, 30),  # 23:30 UTC + 2 h
    ]
    assert local["start_utc"].to_list() == _three()["start_utc"].to_list()  # left as it was
