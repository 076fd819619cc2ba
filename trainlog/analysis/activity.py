"""Per-sample and per-activity metrics, for all activities at once.

:func:`sample_metrics` turns the samples frame (``trainlog.store.schema.SAMPLES``) into
per-sample contributions (moving time, distance, gain, loss, grade-adjusted
distance, TRIMP); :func:`activity_metrics` sums them with one ``group_by`` and
applies the per-activity rules (ascent source, load source). Activities without
samples fall back to their session totals and a duration load.
"""

from __future__ import annotations

import polars as pl

from trainlog.analysis import elevation, grade, load, metrics, tzone
from trainlog.analysis import thresholds as th
from trainlog.analysis.tzone import local_date
from trainlog.ingest.repair import in_time_order
from trainlog.settings import AthleteSettings, ModelSettings
from trainlog.units import M_PER_KM


def sample_metrics(samples: pl.DataFrame, settings: AthleteSettings,
                   thresholds: pl.DataFrame | None = None, *, in_order: bool = False) -> pl.DataFrame:
    """Per-sample contributions, one row per sample of ``samples``.

    Columns: ``activity_id``, ``timestamp`` (UTC), ``moving_s`` (s of moving
    credit), ``distance_step_m`` (m to the next sample, >= 0), ``gain_m`` /
    ``loss_m`` (m counted on this sample with hysteresis), ``has_altitude``
    (Boolean), ``altitude_spike`` (Boolean: the altitude read was a spike,
    :func:`trainlog.analysis.elevation.spikes`, and was interpolated over), ``grade``
    (fraction, forward 10 m window), ``gad_step_m`` (grade-adjusted m to the
    next sample), ``trimp``, ``hr_moving_s`` (moving
    credit with a heart rate), ``climb_rise_m`` / ``climb_s`` (rise and moving
    credit on climbing samples), ``power_moving_s`` (moving credit with a power
    reading), ``power_30s_w`` (W, :func:`trainlog.analysis.load.rolling_power_w`; null
    without power), ``power_weight`` (W^4 s, :func:`trainlog.analysis.load.power_weight`);
    Float64 unless noted.

    ``samples`` are repaired ones (:func:`trainlog.ingest.repair.repaired`: clock jumps
    undone, one row per (activity, timestamp), the fields of records sharing a
    timestamp merged); each activity's rows are put together in time order here (sorted by activity and time
    unless they are so already: :func:`trainlog.ingest.repair.in_time_order`; ``in_order``: the caller vouches for it,
    as the pipeline does for :func:`~trainlog.ingest.repair.repaired` samples, and the check is not made). Each sample
    covers the interval to the next one (``dt``; 0 for a timestamp still
    repeated); the last sample of an activity covers nothing. Distance is the recorded
    cumulative distance, forward-filled over dropouts; a missing speed is
    derived from it. Heart rates <= 0 are dropouts (null); power readings below
    0 are invalid (null), 0 W is coasting.
    """
    model = settings.model
    athlete = settings.resolve()
    same_activity_next = pl.col("activity_id") == pl.col("activity_id").shift(-1)

    def to_next(column: str) -> pl.Expr:
        return pl.when(same_activity_next).then(pl.col(column).shift(-1) - pl.col(column))

    s = samples.select(metrics.SAMPLE_COLUMNS)
    del samples  # when the caller handed them over (pipeline.Handed), each raw stream goes once it is read
    # repaired samples are each activity's rows together in time order (a sort would reorder them by id only)
    s = s.rechunk() if in_order or in_time_order(s) else s.sort("activity_id", "timestamp", maintain_order=True)
    ids = s["activity_id"]  # put back below: the steps group each activity by the number of its run of rows (UInt32,
    run = ids.rle_id()  # sorted: Polars takes each group as a slice), not by hashing its String id, row by row
    s = s.with_columns(activity_id=(pl.when(ids.is_not_null()).then(run) if ids.null_count() else run).set_sorted())
    s = (
        elevation.with_clean_altitude(s, model)  # invalid readings null, spikes interpolated (grade never sees them)
        .with_columns(
            distance_cum_m=pl.col("distance_m").forward_fill().cum_max().over("activity_id"),
            hr_bpm=pl.when(pl.col("hr_bpm") > 0).then(pl.col("hr_bpm")),
            power_w=pl.when(pl.col("power_w") >= 0).then(pl.col("power_w")),
        )
        .with_columns(
            dt_s=to_next("timestamp").dt.total_microseconds().fill_null(0) / 1e6,
            distance_step_m=to_next("distance_cum_m"),
            altitude_smooth_m=elevation.smooth_altitude("altitude_clean_m", model),
        )
        .drop("distance_m", "altitude_m")  # read: their clean and cumulative columns stand for them
    )
    gain, loss = elevation.hysteresis_steps(s["activity_id"], s["altitude_smooth_m"], model.hysteresis_m)
    s = s.with_columns(gain, loss, grade.window_grade(s, model))
    derived_speed = pl.when(pl.col("dt_s") > 0).then(pl.col("distance_step_m") / pl.col("dt_s"))
    s = s.with_columns(
        moving_s=load.moving_seconds(pl.col("dt_s"), pl.coalesce("speed_mps", derived_speed), model),
        distance_step_m=pl.col("distance_step_m").fill_null(0.0),
    )
    has_power = pl.col("power_w").is_not_null()
    s = s.with_columns(
        power_moving_s=pl.when(has_power).then(pl.col("moving_s")).otherwise(0.0),
        power_30s_w=pl.when(has_power).then(load.rolling_power_w(pl.col("power_w"), pl.col("timestamp"), model)),
    )
    climbing = (pl.col("grade") >= model.climb_grade_min) & (pl.col("moving_s") > 0)
    # the steps' own columns are let go before the last ones are computed (a long run holds fewer at once)
    s = s.with_columns(activity_id=ids, has_altitude=pl.col("altitude_clean_m").is_not_null()).drop(
        "speed_mps", "power_w", "altitude_clean_m", "distance_cum_m", "dt_s", "altitude_smooth_m")
    if thresholds is not None:  # heart rates in force on each activity's day
        s = metrics.spread(s, thresholds.select("activity_id", "thr_hr_max_bpm", "thr_hr_rest_bpm"), "activity_id")
        athlete = th.athlete_columns(athlete)
    return s.select(
        "activity_id",
        "timestamp",
        "moving_s",
        "distance_step_m",
        "gain_m",
        "loss_m",
        "has_altitude",
        altitude_spike="altitude_spike",
        grade="grade",
        gad_step_m=pl.col("distance_step_m") * grade.gap_factor(pl.col("grade"), model),
        trimp=load.trimp(pl.col("hr_bpm"), pl.col("moving_s"), athlete),
        hr_moving_s=pl.when(pl.col("hr_bpm").is_not_null()).then(pl.col("moving_s")).otherwise(0.0),
        climb_rise_m=pl.when(climbing).then(pl.col("grade") * pl.col("distance_step_m")).otherwise(0.0),
        climb_s=pl.when(climbing).then(pl.col("moving_s")).otherwise(0.0),
        power_moving_s="power_moving_s",
        power_30s_w="power_30s_w",
        power_weight=load.power_weight(pl.col("power_30s_w"), pl.col("power_moving_s")),
    )


def activity_metrics(
    activities: pl.DataFrame, per_sample: pl.DataFrame, settings: AthleteSettings,
    thresholds: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per activity with the columns of :data:`trainlog.analysis.metrics.ACTIVITY`.

    ``activities`` has the columns of ``trainlog.store.schema.ACTIVITIES`` (one
    athlete); ``per_sample`` is :func:`sample_metrics` of their samples. The
    athlete's choices come in as optional columns of ``activities`` (see
    :func:`trainlog.store.choices.joined`): ``excluded`` and ``ascent_confirmed``
    (Boolean; False when absent), ``rpe`` (CR-10; null when absent) and ``feel`` (1-5; null when absent).
    ``thresholds``: :func:`trainlog.analysis.thresholds.by_activity` (the values in force on each activity's
    day; the same frame :func:`sample_metrics` was given), None: the athlete's plain values.
    """
    model = settings.model
    athlete = settings.resolve()
    ftp_w: float | pl.Expr | None = settings.ftp_w
    reference: pl.Expr | None = None
    if thresholds is not None:
        athlete, ftp_w, reference = th.athlete_columns(athlete), pl.col("thr_ftp_w"), pl.col("thr_trimp_reference")
    col = pl.col
    sums = metrics.sums_by(per_sample, ["activity_id"], {  # per_sample is sorted by activity
        "sample_moving_s": col("moving_s"),
        "sample_distance_m": col("distance_step_m"),
        "ascent_computed_m": col("gain_m"),
        "descent_computed_m": col("loss_m"),
        "altitude_spikes": col("altitude_spike"),
        "abs_rise_m": col("grade").abs() * col("distance_step_m"),
        "gad_m": col("gad_step_m"),
        "trimp": col("trimp"),
        "hr_moving_s": col("hr_moving_s"),
        "climb_rise_m": col("climb_rise_m"),
        "climb_s": col("climb_s"),
        "power_moving_s": col("power_moving_s"),
        "power_weight": col("power_weight"),
        "n_altitudes": col("has_altitude"),
    }).with_columns(  # no altitude at all: nothing computed (null), not 0 m
        pl.when(col("n_altitudes") > 0).then(col(name)).alias(name)
        for name in ("ascent_computed_m", "descent_computed_m", "altitude_spikes")
    )
    base = activities.select(
        "activity_id",
        "sport",
        "start_utc",
        "elapsed_s",
        "timer_s",
        col("distance_m").alias("session_distance_m"),
        "ascent_device_m",
        "descent_device_m",
        # the athlete's session RPE (CR-10), when the caller joined the ratings in; null: none
        (col("rpe").cast(pl.Float64) if "rpe" in activities.columns else pl.lit(None, pl.Float64)).alias("rpe"),
        (col("feel").cast(pl.Int8) if "feel" in activities.columns else pl.lit(None, pl.Int8)).alias("feel"),
        # the athlete's choices (trainlog.store.choices.joined), when the caller joined them in; False: none
        *[(col(c).cast(pl.Boolean).fill_null(False) if c in activities.columns else pl.lit(False)).alias(c)
          for c in ("excluded", "ascent_confirmed")],
    ).with_columns(tzone.resolved_offsets(activities, athlete.timezone).alias("local_offset_s"))
    ascent_m, ascent_source = elevation.choose(col("ascent_device_m"), col("ascent_computed_m"), model)
    descent_m, _ = elevation.choose(col("descent_device_m"), col("descent_computed_m"), model)
    has_distance = col("sample_distance_m") > 0  # null (no samples): no grade, as for 0 m
    if thresholds is not None:
        base = metrics.join(base, thresholds, "activity_id")
    frame = (
        metrics.join(base, sums, "activity_id")
        .with_columns(
            start_date=local_date(col("start_utc"), col("local_offset_s")),
            moving_s=pl.coalesce("sample_moving_s", "timer_s", "elapsed_s", pl.lit(0.0)),
            distance_m=pl.coalesce("session_distance_m", "sample_distance_m", pl.lit(0.0)),
            ascent_m=ascent_m,
            ascent_source=ascent_source,
            descent_m=descent_m,
            grade_pct=pl.when(has_distance).then(100.0 * col("abs_rise_m") / col("sample_distance_m")),
            gad_m=pl.when(has_distance).then(col("gad_m")),
            trimp=pl.when(col("hr_moving_s") > 0).then(col("trimp")),
        )
        .with_columns(
            gap_s_per_km=pl.when(col("gad_m") > 0).then(col("moving_s") / (col("gad_m") / M_PER_KM)),
            vertical_speed_m_per_h=load.vertical_speed_m_per_h(col("climb_rise_m"), col("climb_s")),
            hr_coverage=pl.when(col("moving_s") > 0).then(col("hr_moving_s") / col("moving_s")),
            power_coverage=pl.when(col("moving_s") > 0).then(col("power_moving_s") / col("moving_s")),
            normalized_power_w=load.normalized_power(col("power_weight"), col("power_moving_s")),
            hr_load=load.hr_load(col("trimp"), athlete, model, reference),
            km_effort=load.km_effort(col("distance_m"), col("ascent_m"), model),
            load_rpe=load.rpe_load(col("rpe"), col("moving_s"), model),
        )
        .with_columns(
            load_source=load.load_source(
                sport=col("sport"),
                moving_s=col("moving_s"),
                hr_coverage=col("hr_coverage"),
                power_coverage=col("power_coverage"),
                normalized_power_w=col("normalized_power_w"),
                gad_m=col("gad_m"),
                rpe=col("rpe"),
                ftp_w=ftp_w,
                model=model,
            )
        )
        .with_columns(
            load=pl.when(col("load_source") == "hr")
            .then(col("hr_load"))
            .when(col("load_source") == "power")
            .then(load.power_load(col("normalized_power_w"), col("moving_s"), ftp_w, model))
            .when(col("load_source") == "gap")
            .then(load.gap_load(col("gad_m"), col("moving_s"), athlete, model))
            .when(col("load_source") == "rpe")
            .then(col("load_rpe"))
            .otherwise(load.duration_load(col("moving_s"), col("sport"), model))
        )
    )
    frame = frame.with_columns(
        ascent_flag=elevation.ascent_flag(
            col("sport"), col("moving_s"), col("ascent_m"), col("ascent_device_m"), col("ascent_computed_m"), model
        ),
    ).with_columns(goal_counted=goal_counted(model))
    return frame.select(pl.col(name).cast(dtype) for name, dtype in metrics.schema("activity").items())


def goal_counted(model: ModelSettings) -> pl.Expr:
    """Boolean: the run counts toward the goal's figures (METRICS.md, "The goal").

    A goal sport (``goal_sports``), not excluded by the athlete, and an ascent
    that is not suspect (``ascent_flag`` null) or that the athlete confirmed.
    """
    return (
        pl.col("sport").is_in(list(model.goal_sports)).fill_null(False)
        & ~pl.col("excluded").fill_null(False)
        & (pl.col("ascent_flag").is_null() | pl.col("ascent_confirmed").fill_null(False))
    )
