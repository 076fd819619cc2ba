"""trainlog.ingest.fit.assemble: fitparse messages -> DecodedFile, the logic the decoders'
agreement tests (test_decode.py, test_fit_fast.py) do not pin down: the UTC offset from the
activity message, semicircles to degrees, the clock of relative timestamps, which copy of a
field wins, and the creator device. Also trainlog.ingest.decoded's two properties."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
import pytest

from trainlog.ingest.decoded import RECORD_COLUMNS, DecodedFile
from trainlog.ingest.fit.assemble import RELATIVE_TIME_NOTE, SEMICIRCLE_DEG, assemble
from trainlog.ingest.fit.framing import FIT_EPOCH, FIT_EPOCH_UNIX_S
from trainlog.ingest.fit.reference import fitparse_messages

START_UNIX_S = 1_717_236_000  # 2024-06-01T10:00:00Z
START = dt.datetime(2024, 6, 1, 10, tzinfo=dt.UTC)


# --------------------------------------------------------------------------- messages as fitparse gives them


@dataclass
class Field:
    name: str | None
    value: object
    def_num: int = 0


class Message:
    """A stand-in for a fitparse DataMessage: ``name``, ``fields`` and ``get_values()`` (last copy wins)."""

    def __init__(self, name: str, *fields: tuple[str, object]) -> None:
        self.name = name
        self.fields = [Field(n, v) for n, v in fields]

    def get_values(self) -> dict:
        return {f.name: f.value for f in self.fields}


def record(ts: object, **values: object) -> Message:
    return Message("record", ("timestamp", ts), *values.items())


def activity(ts: object, local: object) -> Message:
    return Message("activity", ("timestamp", ts), ("local_timestamp", local))


# --------------------------------------------------------------------------- the UTC offset


@pytest.mark.parametrize(
    ("local", "offset_s"),
    [
        (START.replace(tzinfo=None) + dt.timedelta(hours=2), 7200),
        (START.replace(tzinfo=None) - dt.timedelta(hours=5), -18000),
        (START.replace(tzinfo=None) + dt.timedelta(hours=5, minutes=30), 19800),  # India
        (START.replace(tzinfo=None) + dt.timedelta(hours=2, seconds=1), 7200),  # the two stamps a second apart
        (START.replace(tzinfo=None) + dt.timedelta(hours=2, seconds=-449), 7200),  # rounds to the quarter hour
        (START.replace(tzinfo=None) + dt.timedelta(hours=2, seconds=451), 8100),  # 2 h 07:31 -> 2 h 15
        (START.replace(tzinfo=None) + dt.timedelta(hours=14), 14 * 3600),  # the largest offset there is
        (START.replace(tzinfo=None) + dt.timedelta(hours=15), None),  # no time zone is that far
        (START.replace(tzinfo=None) - dt.timedelta(hours=14, minutes=15), None),
        ("not a time", None),
        (True, None),
        (None, None),
    ],
)
def test_utc_offset_is_local_timestamp_minus_timestamp_rounded_to_a_quarter_hour(local, offset_s):
    assert assemble([activity(START, local)], None, "x.fit").utc_offset_s == offset_s


def test_utc_offset_from_raw_fit_seconds():
    # local_timestamp as raw seconds since the FIT epoch (local), timestamp as a datetime
    fit_s = START_UNIX_S - FIT_EPOCH_UNIX_S
    assert assemble([activity(START, fit_s + 3600)], None, "x").utc_offset_s == 3600
    assert assemble([activity(fit_s, fit_s - 7 * 3600)], None, "x").utc_offset_s == -7 * 3600


def test_no_activity_message_no_offset():
    assert assemble([record(START, distance=0.0)], None, "x").utc_offset_s is None


def test_the_last_activity_message_gives_the_offset():
    local = START.replace(tzinfo=None)
    got = assemble([activity(START, local + dt.timedelta(hours=1)), activity(START, local + dt.timedelta(hours=3))],
                   None, "x")
    assert got.utc_offset_s == 3 * 3600


# --------------------------------------------------------------------------- records


def test_semicircles_become_degrees():
    assert SEMICIRCLE_DEG == 180.0 / 2**31
    got = assemble([record(START, position_lat=2**30, position_long=-(2**30)),
                    record(START + dt.timedelta(seconds=1), position_lat=-(2**29), position_long=2**31 - 1),
                    record(START + dt.timedelta(seconds=2))], None, "x")
    lat, lon = got.records["lat_deg"].to_list(), got.records["lon_deg"].to_list()
    assert lat[:2] == [90.0, -45.0] and lat[2] is None
    assert lon[0] == -90.0 and lon[1] == pytest.approx(180.0 - 180.0 / 2**31) and lon[2] is None


def test_relative_timestamps_stay_on_the_fit_epoch_with_a_note():
    got = assemble([record(1000, distance=0.0), record(1001, distance=3.0)], None, "x")
    assert got.records["timestamp"].to_list() == [FIT_EPOCH + dt.timedelta(seconds=1000),
                                                   FIT_EPOCH + dt.timedelta(seconds=1001)]
    assert FIT_EPOCH == dt.datetime(1989, 12, 31, tzinfo=dt.UTC)
    assert got.notes == [RELATIVE_TIME_NOTE]


def test_absolute_raw_seconds_get_no_note():
    fit_s = START_UNIX_S - FIT_EPOCH_UNIX_S  # far above 0x10000000 (1998)
    got = assemble([record(fit_s, distance=0.0)], None, "x")
    assert got.records["timestamp"].to_list() == [START]
    assert got.notes == []


def test_a_record_without_a_timestamp_takes_the_one_before_and_none_is_dropped():
    got = assemble([Message("record", ("heart_rate", 90)), record(START, heart_rate=100),
                    Message("record", ("heart_rate", 110))], None, "x")
    assert got.records["timestamp"].to_list() == [START, START]
    assert got.records["hr_bpm"].to_list() == [100.0, 110.0]


def test_enhanced_fields_win_and_fractional_cadence_is_added():
    got = assemble([record(START, altitude=100.0, enhanced_altitude=101.5, speed=2.0, enhanced_speed=2.5,
                           cadence=85, fractional_cadence=0.5),
                    record(START + dt.timedelta(seconds=1), altitude=102.0, speed=3.0, cadence=86)], None, "x")
    assert got.records["altitude_m"].to_list() == [101.5, 102.0]
    assert got.records["speed_mps"].to_list() == [2.5, 3.0]
    assert got.records["cadence_rpm"].to_list() == [85.5, 86.0]


def test_odd_values_become_null():
    got = assemble([record(START, heart_rate=True, power=(1, 2), temperature="hot", distance=float("inf"))], None, "x")
    row = got.records.row(0, named=True)
    assert (row["hr_bpm"], row["power_w"], row["temperature_c"], row["distance_m"]) == (None, None, None, None)
    assert got.records.columns == list(RECORD_COLUMNS)
    assert got.records.schema["timestamp"] == pl.Datetime("us", "UTC")


def test_a_field_twice_keeps_the_valid_copy_and_of_two_valid_ones_the_last():
    invalid_last = record(START, distance=12.0)
    invalid_last.fields.append(Field("distance", None))
    two_valid = record(START + dt.timedelta(seconds=1), distance=13.0)
    two_valid.fields.append(Field("distance", 14.0))
    got = assemble([invalid_last, two_valid], None, "x")
    assert got.records["distance_m"].to_list() == [12.0, 14.0]


def test_damage_makes_the_file_partial_with_the_reason_first():
    got = assemble([record(1000)], "truncated at byte 300", "x")
    assert got.partial and got.notes == ["truncated at byte 300", RELATIVE_TIME_NOTE]
    assert not assemble([record(START)], None, "x").partial


# --------------------------------------------------------------------------- sessions, laps, file and device


def test_session_and_lap_totals_in_trainlogs_names():
    session = Message("session", ("start_time", START), ("timestamp", START + dt.timedelta(hours=1)),
                      ("total_elapsed_time", 3600.0), ("total_timer_time", 3500.0), ("total_distance", 10000.0),
                      ("total_ascent", 300), ("sport", "running"), ("sub_sport", "trail"))
    lap = Message("lap", ("timestamp", START + dt.timedelta(minutes=5)), ("avg_speed", 3.0), ("total_distance", 900.0))
    got = assemble([lap, session], None, "x")
    s = got.sessions[0]
    assert (s["start_utc"], s["end_utc"], s["elapsed_s"], s["timer_s"]) == (START, START + dt.timedelta(hours=1), 3600.0, 3500.0)
    assert (s["distance_m"], s["ascent_device_m"], s["descent_device_m"]) == (10000.0, 300.0, None)
    assert (s["sport"], s["sub_sport"]) == ("running", "trail")
    # a lap without start_time starts at its timestamp; enhanced_avg_speed missing: avg_speed
    assert got.laps[0]["start_utc"] == START + dt.timedelta(minutes=5) and got.laps[0]["avg_speed_mps"] == 3.0


def test_file_type_and_creator_device():
    got = assemble([
        Message("file_id", ("type", "activity"), ("manufacturer", "garmin"), ("garmin_product", "fenix7"),
                ("serial_number", None)),
        Message("file_id", ("type", "settings")),  # a second file_id (a chained file) does not override
        Message("device_info", ("device_index", 1), ("serial_number", 999)),  # a sensor, not the creator
        Message("device_info", ("device_index", "creator"), ("manufacturer", "suunto"), ("serial_number", 42)),
    ], None, "x")
    assert got.file_type == "activity"
    assert got.device == {"manufacturer": "garmin", "product": "fenix7", "serial": "42"}


def test_a_file_written_by_the_fit_sdk():
    pytest.importorskip("garmin_fit_sdk", reason="the dev dependency garmin-fit-sdk writes the test files")
    from trainlog_dev.fitwrite import Device, Recording, encode

    n = 5
    rec = Recording(
        time_unix_s=START_UNIX_S + np.arange(n), distance_m=np.arange(n) * 3.0, speed_mps=np.full(n, 3.0),
        energy_kcal=np.arange(n) * 0.2, sport="running", sub_sport="trail", utc_offset_end_s=-(9 * 3600 + 30 * 60),
        lat_semicircles=np.array([2**30, -(2**29), 0, 2**29, 2**28]), lon_semicircles=np.array([-(2**30), 2**29, 0, 0, 0]),
        altitude_m=np.array([100.0, 101.0, 102.0, 103.0, 104.0]),
    )
    messages, damage = fitparse_messages(encode(rec, Device(altitude_field="altitude")), "sdk.fit")
    got = assemble(messages, damage, "sdk.fit")
    assert damage is None and not got.partial and got.notes == []
    assert got.utc_offset_s == -34200  # Marquesas, UTC-9:30
    assert got.records["lat_deg"].to_list() == [90.0, -45.0, 0.0, 45.0, 22.5]
    assert got.records["lon_deg"].to_list() == [-90.0, 45.0, 0.0, 0.0, 0.0]
    assert got.records["altitude_m"].to_list() == [100.0, 101.0, 102.0, 103.0, 104.0]  # the old altitude field
    assert got.records["timestamp"].to_list() == [START + dt.timedelta(seconds=i) for i in range(n)]
    assert got.device == {"manufacturer": "garmin", "product": "enduro", "serial": "3400000001"}
    assert got.file_type == "activity" and got.is_activity


def test_a_relative_clock_file_written_by_the_fit_sdk():
    pytest.importorskip("garmin_fit_sdk", reason="the dev dependency garmin-fit-sdk writes the test files")
    from trainlog_dev.fitwrite import Device, Recording, encode

    n = 3
    rec = Recording(
        time_unix_s=FIT_EPOCH_UNIX_S + 1000 + np.arange(n), distance_m=np.arange(n) * 3.0, speed_mps=np.full(n, 3.0),
        energy_kcal=np.zeros(n), sport="running", sub_sport="generic", utc_offset_end_s=3600,
    )
    got = assemble(*fitparse_messages(encode(rec, Device()), "unset.fit"), "unset.fit")
    assert got.records["timestamp"].to_list()[0] == dt.datetime(1989, 12, 31, 0, 16, 40, tzinfo=dt.UTC)  # + 1000 s
    assert got.sessions[0]["start_utc"] == dt.datetime(1989, 12, 31, 0, 16, 40, tzinfo=dt.UTC)
    assert got.notes == [RELATIVE_TIME_NOTE]
    assert got.utc_offset_s == 3600  # the offset is a difference: still right on a relative clock


# --------------------------------------------------------------------------- trainlog.ingest.decoded


@pytest.mark.parametrize(
    ("file_type", "sessions", "n", "is_activity"),
    [
        ("activity", [{}], 0, True),
        (None, [], 2, True),  # no file_id, but records
        ("activity", [], 0, False),  # an activity file with nothing in it
        ("settings", [{}], 2, False),
        ("course", [], 2, False),
    ],
)
def test_decoded_file_is_an_activity(file_type, sessions, n, is_activity):
    records = assemble([record(START + dt.timedelta(seconds=i)) for i in range(n)], None, "x").records
    decoded = DecodedFile("x", file_type, sessions=sessions, records=records)
    assert decoded.n_records == n
    assert decoded.is_activity is is_activity


def test_decoded_file_without_records_has_none():
    assert DecodedFile("x", None).n_records == 0
    assert assemble([], None, "x").records is None
