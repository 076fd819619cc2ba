"""Column schemas of the trainlog dataset (the contract between the importer,
the metrics and the dashboard).

Units are in the column names. Times are UTC ``Datetime("us", "UTC")`` unless a
column says ``local``. Offsets are seconds east of UTC.
"""

from __future__ import annotations

import polars as pl

#: 2: the plan tables (``plan_weeks``, ``plan_days``); an older trainlog refuses a dataset that has them
#: rather than dropping them on its next commit.
#: 3: the ``activity_meta`` table (names, gear, RPE... from an export's metadata).
#: 4: what the athlete and coach enter: ``ratings``, ``comments``, ``wellness``, and ``activity_hrv`` (a run's RR intervals).
SCHEMA_VERSION = 4

UTC = pl.Datetime("us", "UTC")

#: One row per FIT session (a multisport file gives one row per leg).
ACTIVITIES: dict[str, pl.DataType] = {
    "activity_id": pl.String,  # "<file_sha256[:16]>-<leg>", stable across imports
    "file_sha256": pl.String,  # content hash of the decoded FIT bytes; links legs of one file
    "leg": pl.Int16,  # 0-based session index inside the file
    "n_legs": pl.Int16,
    "athlete": pl.String,
    "sport": pl.String,  # FIT sport name ("running", "cycling", ...) or its number as text
    "sub_sport": pl.String,
    "start_utc": UTC,
    "utc_offset_s": pl.Int32,  # from the activity message (local_timestamp - timestamp); null if absent
    "elapsed_s": pl.Float64,  # session total_elapsed_time
    "timer_s": pl.Float64,  # session total_timer_time
    "distance_m": pl.Float64,  # session total_distance (device)
    "ascent_device_m": pl.Float64,  # session total_ascent (device), null if absent
    "descent_device_m": pl.Float64,
    "calories_kcal": pl.Float64,
    "avg_hr_bpm": pl.Float64,
    "max_hr_bpm": pl.Float64,
    "device_manufacturer": pl.String,
    "device_product": pl.String,
    "device_serial": pl.String,
    "n_records": pl.Int64,  # samples stored for this leg
    "partial": pl.Boolean,  # the file was damaged; what was readable before the damage is kept
    "import_note": pl.String,  # why partial, or other caveat; null when clean
    "source_file": pl.String,  # file name as given (inside an archive: "export.zip!/a/b.fit")
    "imported_at": UTC,
}

#: One row per FIT record message.
SAMPLES: dict[str, pl.DataType] = {
    "activity_id": pl.String,
    "timestamp": UTC,
    "lat_deg": pl.Float64,
    "lon_deg": pl.Float64,
    "distance_m": pl.Float64,  # cumulative, as recorded
    "altitude_m": pl.Float64,  # enhanced_altitude preferred over altitude
    "speed_mps": pl.Float64,  # enhanced_speed preferred over speed
    "hr_bpm": pl.Float64,
    "cadence_rpm": pl.Float64,  # as recorded (running: strides per minute, one foot)
    "power_w": pl.Float64,
    "temperature_c": pl.Float64,
}

#: One row per FIT lap message.
LAPS: dict[str, pl.DataType] = {
    "activity_id": pl.String,
    "lap_index": pl.Int32,  # 0-based inside the activity
    "start_utc": UTC,
    "elapsed_s": pl.Float64,
    "timer_s": pl.Float64,
    "distance_m": pl.Float64,
    "ascent_device_m": pl.Float64,
    "descent_device_m": pl.Float64,
    "avg_hr_bpm": pl.Float64,
    "max_hr_bpm": pl.Float64,
    "avg_speed_mps": pl.Float64,
    "calories_kcal": pl.Float64,
}

#: One row per input file ever seen (the import ledger).
FILES: dict[str, pl.DataType] = {
    "file_sha256": pl.String,
    "source_file": pl.String,
    "outcome": pl.String,  # imported | duplicate | skipped
    "detail": pl.String,
    "imported_at": UTC,
}

#: The athlete's choices per activity, an append-only event log (trainlog.store.choices): one row
#: per choice made; nothing is ever rewritten. The latest row of each kind wins.
CHOICES: dict[str, pl.DataType] = {
    "activity_id": pl.String,  # the activity chosen about (stable across re-imports of its file)
    "action": pl.String,  # exclude | include | confirm | unconfirm | rpe
    "rpe": pl.Float64,  # for action "rpe": the session rating, CR-10 (0..10); null clears it
    "at": UTC,  # when the choice was recorded
}

#: What an export's metadata (a Strava ``activities.csv``, a Garmin Connect summary) or the file itself
#: says of an activity beyond its recording: append-only, the latest row per activity wins
#: (trainlog.ingest.exports). Joined to the activity by its file name or its start time.
ACTIVITY_META: dict[str, pl.DataType] = {
    "activity_id": pl.String,
    "name": pl.String,  # "Morning Run"
    "description": pl.String,
    "sport_type": pl.String,  # as the export names it ("Run", "trail_running")
    "gear": pl.String,
    "rpe": pl.Float64,  # perceived exertion, CR-10 (0..10); null when not given
    "commute": pl.Boolean,
    "private": pl.Boolean,
    "source": pl.String,  # strava_csv | garmin_json | file (a GPX track's own name)
    "source_file": pl.String,  # the metadata file it came from
    "at": UTC,  # when it was joined
}

#: The plan to race day (trainlog.store.plans), one row per planned week. Versioned: every change appends
#: the whole plan again under the next ``revision``; the highest revision is the plan, earlier ones are its history.
PLAN_WEEKS: dict[str, pl.DataType] = {
    "revision": pl.Int64,  # 1, 2, ... one per saved plan
    "race_name": pl.String,  # the goal race the plan was made for
    "race_date": pl.Date,
    "race_ascent_m": pl.Float64,
    "week_start": pl.Date,  # the week's Monday (local)
    "kind": pl.String,  # base | build | recovery | peak | taper | race
    "planned_hours": pl.Float64,
    "planned_ascent_m": pl.Float64,
    "planned_descent_m": pl.Float64,
    "long_sessions": pl.Int16,  # long days in the week (2-3 in a row: a back-to-back block)
    "planned_load": pl.Float64,
    "note": pl.String,
    "source": pl.String,  # generate | set | import | page: what saved this revision
    "at": UTC,  # when the revision was saved
}

#: Planned sessions per day (optional), saved with the weeks under the same ``revision``.
PLAN_DAYS: dict[str, pl.DataType] = {
    "revision": pl.Int64,
    "date": pl.Date,  # local day
    "session": pl.String,  # recovery | easy | long | steady | tempo | threshold
    "hours": pl.Float64,
    "ascent_m": pl.Float64,
    "load": pl.Float64,  # 100 * hours * IF^2 unless the coach gave a number
    "note": pl.String,
}

#: The athlete's own rating of a session (trainlog.store.entries): append-only, each row the whole rating after a
#: change; the latest row per activity wins. Its ``rpe`` beats an ``rpe`` choice (an export's rating).
RATINGS: dict[str, pl.DataType] = {
    "activity_id": pl.String,
    "rpe": pl.Float64,  # session RPE, CR-10 (0..10); null: not rated
    "feel": pl.Int8,  # how the session felt, 1 (very weak) .. 5 (very strong); null: not given
    "note": pl.String,  # the athlete's free-text note; null: none
    "at": UTC,  # when it was entered
}

#: Comments on an activity, by the coach or the athlete (trainlog.store.entries): append-only, shown oldest first.
COMMENTS: dict[str, pl.DataType] = {
    "activity_id": pl.String,
    "author": pl.String,  # the user name (a coach signed in comments as themself)
    "text": pl.String,
    "at": UTC,
}

#: Wellness per local day (trainlog.store.wellness): append-only; each row gives some fields of one day (null: not
#: given), and per day and field the latest value given wins. Scales 1-5 as intervals.icu uses them.
WELLNESS: dict[str, pl.DataType] = {
    "date": pl.Date,  # the athlete's local day (the morning of the check-in)
    "resting_hr_bpm": pl.Float64,
    "hrv_rmssd_ms": pl.Float64,  # nightly or morning rMSSD
    "sleep_h": pl.Float64,  # the night before
    "sleep_quality": pl.Int8,  # 1 (poor) .. 5 (excellent)
    "sleep_deep_h": pl.Float64,  # sleep stages, when a watch recorded them
    "sleep_light_h": pl.Float64,
    "sleep_rem_h": pl.Float64,
    "sleep_awake_h": pl.Float64,
    "weight_kg": pl.Float64,
    "soreness": pl.Int8,  # 1 (none) .. 5 (extreme)
    "fatigue": pl.Int8,  # 1 (none) .. 5 (extreme)
    "stress": pl.Int8,  # 1 (none) .. 5 (extreme)
    "mood": pl.Int8,  # 1 (very poor) .. 5 (great)
    "motivation": pl.Int8,  # 1 (none) .. 5 (very high)
    "illness": pl.Boolean,  # ill or injured today
    "note": pl.String,
    "source": pl.String,  # cli | page | csv | fit
    "source_file": pl.String,  # the CSV or FIT file it came from; null when typed
    "file_sha256": pl.String,  # a watch's wellness FIT file: its hash in the import ledger (imported, no activity)
    "at": UTC,  # when it was entered
}

#: A run's beat-to-beat (RR) intervals summarised, from an activity file's HRV messages (trainlog.ingest).
ACTIVITY_HRV: dict[str, pl.DataType] = {
    "activity_id": pl.String,
    "n_rr": pl.Int64,  # RR intervals used
    "n_rr_dropped": pl.Int64,  # invalid, out-of-range or ectopic (a jump of more than 20 %) intervals left out
    "rmssd_ms": pl.Float64,  # root mean square of successive differences, ms
}

TABLES = {"activities": ACTIVITIES, "samples": SAMPLES, "laps": LAPS, "files": FILES, "choices": CHOICES,
          "plan_weeks": PLAN_WEEKS, "plan_days": PLAN_DAYS, "activity_meta": ACTIVITY_META,
          "ratings": RATINGS, "comments": COMMENTS, "wellness": WELLNESS, "activity_hrv": ACTIVITY_HRV}


def empty(table: str) -> pl.DataFrame:
    """An empty frame with the table's schema."""
    return pl.DataFrame(schema=TABLES[table])


def conform(table: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame``'s columns of the table, in its order and cast to its types (``frame`` itself when they are)."""
    cols = TABLES[table]
    have = frame.schema
    if list(have.items()) == list(cols.items()):
        return frame
    if all(have.get(c) == t for c, t in cols.items()):  # the columns in another order: no query to run
        return pl.DataFrame([frame.get_column(c) for c in cols])
    return frame.select([pl.col(c).cast(t) for c, t in cols.items()])
