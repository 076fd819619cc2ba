"""Encode a simulated recording as a FIT activity file, and a watch's wellness files (private).

Uses Garmin's official FIT SDK encoder (``garmin-fit-sdk``, a dependency of
trainlog since ``trainlog export --format fit``), imported only when a file is
written. Messages follow what a watch writes: file_id, device_info, timer events,
records (each followed by an ``hrv`` message of its RR intervals when the recording
has them), laps as they end, one session and the activity message (whose
``local_timestamp`` gives the UTC offset at the end).

Wellness files (:func:`encode_sleep`, :func:`encode_hrv_status`,
:func:`encode_monitoring`) hold the messages of the FIT profile (``sleep_level``,
``hrv_value`` and ``hrv_status_summary``, ``monitoring_info``, ``monitoring`` and
``monitoring_hr_data``) with their profile field names, units and scales.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from trainlog.ingest.fit.framing import FIT_EPOCH_UNIX_S

DEVICE_ASCENT_HYSTERESIS_M = 2.0  # the simulated watch's own ascent filter (not trainlog's)
#: file_id types of Garmin's sleep and HRV-status files: not in the FIT profile's ``file`` type, the numbers
#: Garmin writes (as Gadgetbridge and GarminDB read those files). Monitoring files are the profile's monitoring_b.
SLEEP_FILE_TYPE = 49
HRV_STATUS_FILE_TYPE = 68
#: Slots of an hrv message's ``time`` array as Garmin watches write it (the unused ones hold the invalid value).
HRV_SLOTS = 5
#: uint16's invalid value 0xFFFF as an hrv ``time`` (s, scale 1000) for the SDK encoder.
HRV_INVALID_S = 0xFFFF / 1000


@dataclass(frozen=True)
class Device:
    """Who wrote the file (FIT file_id): manufacturer name, product id, serial number."""

    manufacturer: str = "garmin"
    product: int = 3638  # garmin_product "enduro"
    serial_number: int = 3_400_000_001
    software_version: float = 19.20
    product_name: str | None = None
    altitude_field: str = "enhanced_altitude"  # "altitude" for exporters that write the old field
    write_cadence: bool = True
    write_temperature: bool = True
    write_laps: bool = True  # False: one lap for the whole activity, as re-exports do
    # True: heart rate in a record message of its own, with the same timestamp as the
    # position/distance record of that second (as the Suunto Ambit 3 writes it)
    split_hr_records: bool = False
    # slots of each hrv message's time array (the unused ones invalid); None: as many as the beats (IpBike)
    hrv_slots: int | None = HRV_SLOTS


@dataclass
class Recording:
    """What the watch stored, one entry per record (arrays of equal length).

    Times are Unix seconds (UTC). Optional streams are None when absent.
    ``lap_starts`` are record indices where a lap begins (the first is 0);
    ``pauses`` are (stop, restart) Unix seconds with no records in between.
    """

    time_unix_s: np.ndarray
    distance_m: np.ndarray
    speed_mps: np.ndarray
    energy_kcal: np.ndarray  # cumulative
    sport: str
    sub_sport: str
    utc_offset_end_s: int
    lat_semicircles: np.ndarray | None = None
    lon_semicircles: np.ndarray | None = None
    altitude_m: np.ndarray | None = None
    hr_bpm: np.ndarray | None = None
    cadence_rpm: np.ndarray | None = None
    temperature_c: np.ndarray | None = None
    power_w: np.ndarray | None = None
    # the session's total_ascent / total_descent as the device wrote them (None: what the
    # simulated watch's own filter gives, see device_ascent_descent)
    device_ascent_m: float | None = None
    device_descent_m: float | None = None
    lap_starts: list[int] = field(default_factory=lambda: [0])
    lap_trigger: str = "distance"
    pauses: list[tuple[int, int]] = field(default_factory=list)
    # the session's total_elapsed_time / total_timer_time (and the activity's timer) as the
    # device's own timer ran (None: from the record times and pauses); a file whose clock
    # jumped mid-run has times that disagree with them
    elapsed_s: float | None = None
    timer_s: float | None = None
    # per record, the RR intervals (ms; None: the invalid marker) of an hrv message written after it
    # (None: no hrv message after that record); None: no HRV at all
    rr_ms: list[tuple[int | None, ...] | None] | None = None


def device_ascent_descent(
    altitude_m: np.ndarray, hysteresis_m: float = DEVICE_ASCENT_HYSTERESIS_M
) -> tuple[float, float]:
    """Ascent and descent (m) a watch would total from its barometric samples.

    The watch counts whole climbs beyond its own threshold, on its unsmoothed
    samples (trainlog's rule with the watch's threshold; trainlog itself
    smooths first and uses 3 m), and reports whole metres.
    """
    if len(altitude_m) == 0:
        return 0.0, 0.0
    import polars as pl

    from trainlog.analysis.elevation import hysteresis_steps

    gain, loss = hysteresis_steps(
        pl.Series(["watch"] * len(altitude_m)), pl.Series(altitude_m, dtype=pl.Float64), hysteresis_m
    )
    return float(gain.sum()), float(loss.sum())


def _fit_time(unix_s: int) -> int:
    return int(unix_s) - FIT_EPOCH_UNIX_S


def _timer_s(rec: Recording, first: int, last: int) -> float:
    """Elapsed seconds between two records minus the pauses between them."""
    start, end = int(rec.time_unix_s[first]), int(rec.time_unix_s[last])
    paused = sum(restart - stop for stop, restart in rec.pauses if stop >= start and restart <= end)
    return float(end - start - paused)


def _summary(rec: Recording, first: int, last: int, device: Device) -> dict:
    """Totals shared by lap and session messages for records first..last (inclusive)."""
    sl = slice(first, last + 1)
    timer_s = _timer_s(rec, first, last)
    distance_m = float(rec.distance_m[last] - rec.distance_m[first])
    out = {
        "start_time": _fit_time(rec.time_unix_s[first]),
        "total_elapsed_time": float(rec.time_unix_s[last] - rec.time_unix_s[first]),
        "total_timer_time": timer_s,
        "total_distance": distance_m,
        "total_calories": int(round(rec.energy_kcal[last] - rec.energy_kcal[first])),
        "enhanced_avg_speed": distance_m / timer_s if timer_s > 0 else 0.0,
        "enhanced_max_speed": float(rec.speed_mps[sl].max()),
    }
    if rec.lat_semicircles is not None:
        out["start_position_lat"] = int(rec.lat_semicircles[first])
        out["start_position_long"] = int(rec.lon_semicircles[first])
    if rec.hr_bpm is not None:
        out["avg_heart_rate"] = int(round(float(rec.hr_bpm[sl].mean())))
        out["max_heart_rate"] = int(rec.hr_bpm[sl].max())
    if rec.cadence_rpm is not None and device.write_cadence:
        out["avg_cadence"] = int(round(float(rec.cadence_rpm[sl].mean())))
        out["max_cadence"] = int(rec.cadence_rpm[sl].max())
    if rec.altitude_m is not None:
        ascent_m, descent_m = device_ascent_descent(rec.altitude_m[sl])
        out["total_ascent"] = int(round(ascent_m))
        out["total_descent"] = int(round(descent_m))
    if rec.power_w is not None:
        out["avg_power"] = int(round(float(rec.power_w[sl].mean())))
    return out


def _record_rows(rec: Recording, device: Device) -> list[dict]:
    """One dict per record message, keys in a fixed order (the encoder keeps it)."""
    columns: list[tuple[str, list]] = [("timestamp", [_fit_time(t) for t in rec.time_unix_s.tolist()])]
    if rec.lat_semicircles is not None:
        columns.append(("position_lat", rec.lat_semicircles.tolist()))
        columns.append(("position_long", rec.lon_semicircles.tolist()))
    columns.append(("distance", np.round(rec.distance_m, 2).tolist()))
    if rec.altitude_m is not None:
        columns.append((device.altitude_field, np.round(rec.altitude_m, 1).tolist()))
    columns.append(("enhanced_speed", np.round(rec.speed_mps, 3).tolist()))
    if rec.hr_bpm is not None:
        columns.append(("heart_rate", rec.hr_bpm.astype(int).tolist()))
    if rec.cadence_rpm is not None and device.write_cadence:
        columns.append(("cadence", rec.cadence_rpm.astype(int).tolist()))
    if rec.temperature_c is not None and device.write_temperature:
        columns.append(("temperature", rec.temperature_c.astype(int).tolist()))
    if rec.power_w is not None:
        columns.append(("power", np.round(rec.power_w).astype(int).tolist()))
    names = [name for name, _ in columns]
    return [dict(zip(names, values)) for values in zip(*(values for _, values in columns))]


def encode(rec: Recording, device: Device) -> bytes:
    """The FIT bytes of one activity recorded by ``device``."""
    try:
        from garmin_fit_sdk import Encoder, Profile
    except ImportError as exc:  # optional dependency
        raise ImportError(
            "writing sample FIT files needs Garmin's FIT SDK: pip install garmin-fit-sdk"
        ) from exc
    mesg_num = Profile["mesg_num"]
    n = len(rec.time_unix_s)
    start, end = _fit_time(rec.time_unix_s[0]), _fit_time(rec.time_unix_s[-1])
    encoder = Encoder()

    file_id = {
        "mesg_num": mesg_num["FILE_ID"],
        "type": "activity",
        "manufacturer": device.manufacturer,
        "product": device.product,
        "serial_number": device.serial_number,
        "time_created": start,
    }
    if device.product_name:
        file_id["product_name"] = device.product_name
    encoder.write_mesg(file_id)
    encoder.write_mesg({
        "mesg_num": mesg_num["DEVICE_INFO"],
        "timestamp": start,
        "device_index": "creator",
        "manufacturer": device.manufacturer,
        "serial_number": device.serial_number,
        "product": device.product,
        "software_version": device.software_version,
    })
    encoder.write_mesg(_event(mesg_num, start, "start"))

    lap_starts = rec.lap_starts if device.write_laps else [0]
    lap_ends = [i - 1 for i in lap_starts[1:]] + [n - 1]
    # A lap ends at the record before the next lap's first one; its totals run to that record.
    lap_end_at = {end_i: lap_i for lap_i, end_i in enumerate(lap_ends)}
    pause_after = {stop: restart for stop, restart in rec.pauses}
    sport = {"sport": rec.sport, "sub_sport": rec.sub_sport}

    for i, row in enumerate(_record_rows(rec, device)):
        if i > 0 and int(rec.time_unix_s[i - 1]) in pause_after:
            encoder.write_mesg(_event(mesg_num, _fit_time(pause_after[int(rec.time_unix_s[i - 1])]), "start"))
        if device.split_hr_records and "heart_rate" in row:
            hr = row.pop("heart_rate")
            encoder.write_mesg({"mesg_num": mesg_num["RECORD"], "timestamp": row["timestamp"], "heart_rate": hr})
        encoder.write_mesg({"mesg_num": mesg_num["RECORD"], **row})
        if rec.rr_ms is not None and rec.rr_ms[i] is not None:
            encoder.write_mesg({"mesg_num": mesg_num["HRV"], "time": _hrv_times(rec.rr_ms[i], device.hrv_slots)})
        t = int(rec.time_unix_s[i])
        if t in pause_after and i < n - 1:
            encoder.write_mesg(_event(mesg_num, _fit_time(t), "stop_all"))
        if i in lap_end_at:
            lap_i = lap_end_at[i]
            first = lap_starts[lap_i]
            # Laps after the first start where the previous one ended (no gap in distance).
            first_total = first - 1 if first > 0 else 0
            lap = {
                "mesg_num": mesg_num["LAP"],
                "message_index": lap_i,
                "timestamp": _fit_time(t),
                "event": "lap",
                "event_type": "stop",
                **_summary(rec, first_total, i, device),
                "lap_trigger": rec.lap_trigger if i < n - 1 else "session_end",
                **sport,
            }
            encoder.write_mesg(lap)

    encoder.write_mesg(_event(mesg_num, end, "stop_all"))
    session = _summary(rec, 0, n - 1, device)
    for key, value in (("total_ascent", rec.device_ascent_m), ("total_descent", rec.device_descent_m)):
        if value is not None:
            session[key] = int(round(value))
    for key, value in (("total_elapsed_time", rec.elapsed_s), ("total_timer_time", rec.timer_s)):
        if value is not None:
            session[key] = float(value)
    encoder.write_mesg({
        "mesg_num": mesg_num["SESSION"],
        "message_index": 0,
        "timestamp": end,
        "event": "session",
        "event_type": "stop",
        **session,
        **sport,
        "first_lap_index": 0,
        "num_laps": len(lap_starts),
        "trigger": "activity_end",
    })
    encoder.write_mesg({
        "mesg_num": mesg_num["ACTIVITY"],
        "timestamp": end,
        "total_timer_time": rec.timer_s if rec.timer_s is not None else _timer_s(rec, 0, n - 1),
        "num_sessions": 1,
        "type": "manual",
        "event": "activity",
        "event_type": "stop",
        "local_timestamp": end + rec.utc_offset_end_s,
    })
    return encoder.close()


def _event(mesg_num: dict, fit_time: int, event_type: str) -> dict:
    return {
        "mesg_num": mesg_num["EVENT"],
        "timestamp": fit_time,
        "event": "timer",
        "event_type": event_type,
        "event_group": 0,
    }


def _hrv_times(rr_ms: tuple[int | None, ...], slots: int | None) -> list[float]:
    """An hrv message's ``time`` array (s) of RR intervals in ms, padded to ``slots`` with the invalid value."""
    times = [HRV_INVALID_S if v is None else v / 1000 for v in rr_ms]
    return times + [HRV_INVALID_S] * ((slots or 0) - len(times))


def _encoder(file_type: int | str, created_unix_s: int, device: Device):
    from garmin_fit_sdk import Encoder, Profile

    encoder = Encoder()
    encoder.write_mesg({
        "mesg_num": Profile["mesg_num"]["FILE_ID"],
        "type": file_type,
        "manufacturer": device.manufacturer,
        "product": device.product,
        "serial_number": device.serial_number,
        "time_created": _fit_time(created_unix_s),
    })
    return encoder, Profile["mesg_num"]


def encode_sleep(levels: list[tuple[int, str]], device: Device = Device()) -> bytes:
    """A Garmin sleep file: one ``sleep_level`` message per (Unix s, level of the FIT profile's
    ``sleep_level`` type: unmeasurable, awake, light, deep, rem), in the order given."""
    encoder, mesg_num = _encoder(SLEEP_FILE_TYPE, levels[0][0] if levels else 0, device)
    for when, level in levels:
        encoder.write_mesg({"mesg_num": mesg_num["SLEEP_LEVEL"], "timestamp": _fit_time(when), "sleep_level": level})
    return encoder.close()


def encode_hrv_status(
    when_unix_s: int, last_night_ms: float | None, weekly_ms: float | None = None, status: str = "balanced",
    values: list[tuple[int, float]] = (), device: Device = Device(),
) -> bytes:
    """A Garmin HRV-status file: the night's ``hrv_value`` readings ((Unix s, rMSSD ms), every five
    minutes on a watch), then the morning's ``hrv_status_summary`` written at ``when_unix_s`` (ms
    values have the profile's scale 128: 52.5 is stored exactly, 52.3 is not; None: not written)."""
    encoder, mesg_num = _encoder(HRV_STATUS_FILE_TYPE, values[0][0] if values else when_unix_s, device)
    for when, ms in values:
        encoder.write_mesg({"mesg_num": mesg_num["HRV_VALUE"], "timestamp": _fit_time(when), "value": ms})
    summary = {"mesg_num": mesg_num["HRV_STATUS_SUMMARY"], "timestamp": _fit_time(when_unix_s), "status": status}
    for field_name, value in (("last_night_average", last_night_ms), ("weekly_average", weekly_ms)):
        if value is not None:
            summary[field_name] = value
    encoder.write_mesg(summary)
    return encoder.close()


def encode_monitoring(
    start_unix_s: int, utc_offset_s: int | None, heart_rates: list[tuple[int, int]] = (),
    resting_hr_bpm: int | None = None, current_day_resting_hr_bpm: int | None = None, hr_data_unix_s: int | None = None,
    device: Device = Device(),
) -> bytes:
    """A Garmin daily monitoring file (the profile's ``monitoring_b``): ``monitoring_info`` at
    ``start_unix_s`` (its ``local_timestamp`` gives the offset; None: not written), a ``monitoring``
    message per (Unix s, heart rate bpm), then ``monitoring_hr_data`` at ``hr_data_unix_s`` with the
    7-day ``resting_heart_rate`` and the day's ``current_day_resting_heart_rate`` (None: not written)."""
    encoder, mesg_num = _encoder("monitoring_b", start_unix_s, device)
    info = {"mesg_num": mesg_num["MONITORING_INFO"], "timestamp": _fit_time(start_unix_s), "resting_metabolic_rate": 1650}
    if utc_offset_s is not None:
        info["local_timestamp"] = _fit_time(start_unix_s) + utc_offset_s
    encoder.write_mesg(info)
    for when, bpm in heart_rates:
        encoder.write_mesg({"mesg_num": mesg_num["MONITORING"], "timestamp": _fit_time(when), "heart_rate": bpm})
    hr_data = {"resting_heart_rate": resting_hr_bpm, "current_day_resting_heart_rate": current_day_resting_hr_bpm}
    if hr_data_unix_s is not None:
        encoder.write_mesg({
            "mesg_num": mesg_num["MONITORING_HR_DATA"], "timestamp": _fit_time(hr_data_unix_s),
            **{k: v for k, v in hr_data.items() if v is not None},
        })
    return encoder.close()
