"""Elevation gain and loss: cleaning the altitude stream, spikes, hysteresis, choosing ``ascent_m``.

shared/METRICS.md, "Elevation gain and loss". Altitudes are metres (Float64),
times UTC. The stages, in the order :func:`trainlog.analysis.activity.sample_metrics`
runs them: :func:`clean_altitude` (invalid readings to null), :func:`spikes`
and :func:`without_spikes` (impossible steps dropped and interpolated over;
:func:`with_clean_altitude` does these three), :func:`smooth_altitude`,
:func:`hysteresis_steps`; then per run :func:`spike_count`, :func:`choose` and
:func:`ascent_flag`.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable

import numpy as np
import polars as pl

from trainlog.analysis.load import SECONDS_PER_HOUR
from trainlog.settings import ModelSettings

#: Samples from which :func:`spikes` and :func:`hysteresis_steps` run their loops compiled by Numba (the first
#: analysis of a long history); below, plain Python: the daily import of a run or a few never pays the ~0.55 s
#: a process spends importing Numba and loading the compiled code, which plain Python spends on ~1 M samples.
#: Both give the same result, bit for bit (tests/test_elevation.py runs both).
COMPILED_FROM_SAMPLES = 1_000_000
_COMPILED: dict[Callable, Callable | None] = {}  # kernel -> compiled (None: Numba not importable)
_COMPILING = threading.Lock()  # the analysis runs chunks in threads: one compiles, the others wait


def clean_altitude(model: ModelSettings) -> pl.Expr:
    """Expression: ``altitude_m`` (m, Float64) with invalid readings set to null.

    Invalid: null, NaN, at or below ``altitude_min_valid_m`` (-500 m: no land is
    lower than -430 m, and some devices write -500 m as "no fix"), above
    ``altitude_max_valid_m`` (9,000 m: Everest is 8,849 m), and dropouts to
    exactly ``altitude_dropout_m`` (0 m) inside a high track (an activity whose
    median altitude, over its readings inside that range, is above
    ``altitude_high_track_m``; GoldenCheetah issue 3067). Spikes inside the
    range are :func:`spikes`' work. Evaluate over a samples frame holding an
    ``activity_id`` column.
    """
    alt = pl.col("altitude_m")
    in_range = (alt > model.altitude_min_valid_m) & (alt <= model.altitude_max_valid_m)
    high_track = alt.filter(in_range).median().over("activity_id") > model.altitude_high_track_m
    invalid = alt.is_nan() | ~in_range | ((alt == model.altitude_dropout_m) & high_track)  # null stays null
    return pl.when(invalid).then(None).otherwise(alt)


def spikes(
    activity_id: pl.Series, timestamp: pl.Series, altitude_m: pl.Series, max_vertical_speed_mps: float
) -> pl.Series:
    """Boolean ``altitude_spike``: the sample's altitude is a spike, to be dropped (shared/METRICS.md).

    ``altitude_m`` (m, Float64) is the cleaned stream (:func:`clean_altitude`:
    nulls are skipped and are never spikes); ``timestamp`` is a Datetime. A
    step from sample i to a later sample j is *possible* when
    ``|alt_j - alt_i| <= max_vertical_speed_mps * (t_j - t_i)`` (exactly the
    limit is possible), else *impossible*.

    The rule, per activity: keep the largest set of valid samples in which
    every step between consecutive kept samples is possible; the others are
    spikes. A track without an impossible step between consecutive valid
    samples (every real climb on foot or by bike) keeps them all. Possible
    steps chain (i to j and j to k possible means i to k possible), so the
    kept samples are the longest chain of that order (:func:`_longest_chain`,
    O(n log n)). Where several sets are equally large (a persistent step,
    below), the one dropping the samples *after* the step is kept: the level
    the run had so far is trusted until the new one is reachable.

    What it does with what watches write:

    - one spike, or a plateau of several seconds at a false altitude: dropped
      (keeping it would cost every sample it is out of reach of);
    - a spike at the very start or end of a track: dropped (the first sample
      is not taken as a reference; the body of the track outnumbers it);
    - a spike just before a pause: dropped, though the sample after the pause
      could be reached from it (the track before it is the longer chain);
    - a step that persists (a barometer recalibrated by ``D`` m): the samples
      less than ``D / max_vertical_speed_mps`` seconds after it are dropped
      (19 at 1 Hz for 100 m at 5 m/s) and interpolated over, the rest of the
      run is kept, and the step counts as ascent or descent like any level
      change. Nothing drops the rest of a run for good;
    - a false level held longer than twice that is kept as real (it outnumbers
      the samples it would cost); the ascent checks (:func:`ascent_flag`) are
      there for those.

    Times are seconds since the epoch, so the limit is exact to about a
    micrometre. Rows are sorted by activity then time (an activity is a run of
    equal ``activity_id``). An activity without an impossible step between
    consecutive valid samples keeps them all without further work (checked
    for all at once); only the others go through :func:`_longest_chain`, or
    through the same steps compiled (:func:`_chain_kernel`) from
    :data:`COMPILED_FROM_SAMPLES` samples on: both give the same result.
    """
    valid = altitude_m.is_not_null()  # nulls are skipped
    is_valid = valid.to_numpy()
    activity = np.cumsum(_starts(activity_id, nulls_apart=False), dtype=np.int32)[is_valid]  # nulls: one, as group_by
    t_s = timestamp.dt.epoch("us").filter(valid).to_numpy() / 1e6
    alt = altitude_m.filter(valid).to_numpy()
    vt_m = max_vertical_speed_mps * t_s
    p = alt - vt_m  # as _longest_chain has them (q in vt_m's memory: a long run holds one array fewer)
    q = np.add(alt, vt_m, out=vt_m)
    del vt_m
    impossible = ~((p[1:] <= p[:-1]) & (q[1:] >= q[:-1])) & (activity[1:] == activity[:-1])  # NaN: impossible
    if not impossible.any():  # every track possible as it is (a history of clean ones): nothing to look for
        return pl.Series("altitude_spike", np.zeros(len(altitude_m), dtype=bool))
    to_check = np.zeros(len(activity_id) + 1, dtype=bool)
    to_check[activity[1:][impossible]] = True
    checked = np.flatnonzero(to_check[activity])  # the samples of those activities, in order
    sizes = np.bincount(activity, minlength=len(to_check))[to_check]
    bounds = np.concatenate(([0], np.cumsum(sizes))).astype(np.int64)  # of each activity in ``checked``
    keep = np.ones(len(alt), dtype=bool)
    kernel = _compiled(_chain_kernel) if _compiling(len(altitude_m), _chain_kernel) and len(checked) else None
    pc, qc = (p, q) if len(checked) == len(p) else (p[checked], q[checked])  # every sample (one long run): no copy
    if kernel is not None and not (np.isnan(pc).any() or np.isnan(qc).any()):
        kept, failed = np.zeros(len(checked), dtype=bool), np.zeros(len(sizes), dtype=bool)
        kernel(bounds, np.arange(len(sizes)), pc, qc, np.empty(0, dtype=np.int64), kept, failed)
        if failed.any():  # activities too far from sorted for the kernel's own sort
            order = np.zeros(len(checked), dtype=np.int64)
            for lo, hi in zip(bounds[:-1][failed], bounds[1:][failed]):
                order[lo:hi] = lo + np.lexsort((-np.arange(hi - lo), -qc[lo:hi], pc[lo:hi]))
            kernel(bounds, np.flatnonzero(failed), pc, qc, order, kept, failed)
        keep[checked] = kept
    else:
        for lo, hi in zip(checked[bounds[:-1]], checked[bounds[1:] - 1] + 1):
            keep[lo:hi] = _longest_chain(t_s[lo:hi], alt[lo:hi], max_vertical_speed_mps)
    out = np.zeros(len(altitude_m), dtype=bool)
    out[is_valid] = ~keep
    return pl.Series("altitude_spike", out)


def _longest_chain(t_s: np.ndarray, alt: np.ndarray, max_vertical_speed_mps: float) -> np.ndarray:
    """Boolean mask: the largest set of samples whose consecutive steps are all possible (:func:`spikes`).

    ``t_s`` (s) ascending, ``alt`` (m), at least one sample. A step from i to j
    is possible when ``p_j <= p_i`` and ``q_j >= q_i``, with ``p = alt - v t``
    and ``q = alt + v t`` (m): the two together say ``|alt_j - alt_i| <= v
    (t_j - t_i)``. First, for every sample, how many samples the longest chain
    starting from it continues with (``after``), by patience sorting as for a
    longest increasing subsequence (samples taken by ``p`` ascending, then
    ``q`` descending, then latest first, so that those a sample can reach come
    before it). Then
    one pass in time order picks, each time, the earliest sample that is
    reachable from the last one picked and still starts a longest chain: of
    the equally large sets, the one keeping the earliest samples.
    """
    p_m = alt - max_vertical_speed_mps * t_s
    q_m = alt + max_vertical_speed_mps * t_s
    # the last key sorts first; equal samples (a record written twice) latest first
    order = np.lexsort((-np.arange(len(alt)), -q_m, p_m)).tolist()
    p, q = p_m.tolist(), q_m.tolist()  # plain floats: the loops below are Python's
    after: list[int | None] = [None] * len(p)  # every sample gets its count below
    neg_q_tails: list[float] = []  # [m]: -(highest q) of a sample starting a chain of m + 1 samples (ascending)
    for k in order:
        length = bisect.bisect_right(neg_q_tails, -q[k])
        after[k] = length
        if length == len(neg_q_tails):
            neg_q_tails.append(-q[k])
        else:
            neg_q_tails[length] = -q[k]
    kept = []
    need, last = max(after), None
    for k in range(len(p)):
        if after[k] == need and (last is None or (p[k] <= p[last] and q[k] >= q[last])):
            kept.append(k)
            need, last = need - 1, k
    keep = np.zeros(len(p), dtype=bool)
    keep[kept] = True
    return keep


def _chain_kernel(
    bounds: np.ndarray, segments: np.ndarray, p: np.ndarray, q: np.ndarray, order: np.ndarray, keep: np.ndarray,
    failed: np.ndarray,
) -> None:
    """:func:`_longest_chain` of each activity ``bounds[s]:bounds[s + 1]`` (s in ``segments``), to be compiled.

    ``p`` and ``q`` (m, no NaN) as there; sets ``keep`` (False on entry) to its
    mask. ``order``: empty, or each activity's samples in the order that
    function sorts them (``np.lexsort``). Without it the kernel sorts them
    itself, by insertion from the latest sample (a track is nearly in that
    order already, p falling with time but for its spikes), and sets
    ``failed[s]`` (False on entry) where that took over 64 moves a sample, for
    the caller to sort and pass again. Then the same patience sorting (an
    explicit ``bisect_right``) and greedy pass. Indices are not checked.
    """
    longest = 0
    for s in segments:
        longest = max(longest, bounds[s + 1] - bounds[s])
    rank, after, tails = np.empty(longest, np.int64), np.empty(longest, np.int64), np.empty(longest)  # per activity
    for s in segments:
        lo, n = bounds[s], bounds[s + 1] - bounds[s]
        moves = 0
        if len(order):
            for r in range(n):
                rank[r] = order[lo + r] - lo
        else:
            for r in range(n):
                k, j = n - 1 - r, r
                while j > 0 and (p[lo + k] < p[lo + rank[j - 1]]
                                 or (p[lo + k] == p[lo + rank[j - 1]] and q[lo + k] > q[lo + rank[j - 1]])):
                    rank[j] = rank[j - 1]
                    j, moves = j - 1, moves + 1
                rank[j] = k
                if moves > 64 * n:
                    failed[s] = True
                    break
            if failed[s]:
                continue
        length = 0  # of neg_q_tails (tails)
        for r in range(n):
            k = rank[r]
            x = -q[lo + k]
            if length == 0 or x >= tails[length - 1]:  # bisect_right gives len(neg_q_tails): appended
                at = length
                length += 1
            else:  # the first tail above x, below the last one
                at, top = 0, length - 1
                while at < top:
                    mid = (at + top) // 2
                    if x < tails[mid]:
                        top = mid
                    else:
                        at = mid + 1
            after[k] = at
            tails[at] = x
        need, last = length - 1, -1  # max(after)
        for k in range(lo, lo + n):
            if after[k - lo] == need and (last < 0 or (p[k] <= p[last] and q[k] >= q[last])):
                keep[k] = True
                need, last = need - 1, k


def without_spikes() -> pl.Expr:
    """Expression: ``altitude_clean_m`` with the ``altitude_spike`` samples interpolated (m, Float64).

    Linear in time between the nearest kept altitudes of the activity; a spike
    at the very start or end of a track (no kept altitude on one side) becomes
    null. Invalid readings stay null. Evaluate over a frame holding
    ``activity_id``, ``timestamp``, ``altitude_clean_m`` and ``altitude_spike``,
    sorted by activity then time.
    """
    kept = pl.when(~pl.col("altitude_spike")).then(pl.col("altitude_clean_m"))
    return pl.when(pl.col("altitude_spike")).then(kept.interpolate_by("timestamp").over("activity_id")).otherwise(kept)


def with_clean_altitude(samples: pl.DataFrame, model: ModelSettings) -> pl.DataFrame:
    """``samples`` with ``altitude_clean_m`` (m, Float64: valid, spikes interpolated) and ``altitude_spike`` (Boolean).

    ``samples`` holds ``activity_id``, ``timestamp`` and ``altitude_m`` and is
    sorted by activity then time: :func:`clean_altitude`, then :func:`spikes`,
    then :func:`without_spikes`. Grade and hysteresis read ``altitude_clean_m``,
    so neither sees a spike.
    """
    s = samples.with_columns(altitude_clean_m=clean_altitude(model))
    s = s.with_columns(spikes(s["activity_id"], s["timestamp"], s["altitude_clean_m"], model.max_vertical_speed_mps))
    return s.with_columns(altitude_clean_m=without_spikes())


def spike_count() -> pl.Expr:
    """Aggregation: ``altitude_spikes`` of an activity (Int), null when it has no altitude.

    Counts the ``altitude_spike`` samples of a per-sample frame
    (:func:`trainlog.analysis.activity.sample_metrics`) grouped by activity; null, like
    ``ascent_computed_m``, when no sample has an altitude (``has_altitude``).
    """
    return pl.when(pl.col("has_altitude").any()).then(pl.col("altitude_spike").sum())


def smooth_altitude(column: str, model: ModelSettings) -> pl.Expr:
    """Expression: ``column`` (m) as a trailing mean over ``altitude_smoothing_s`` per activity.

    Null readings stay null (and do not enter the means). Evaluate over a frame
    sorted by ``activity_id`` then ``timestamp``. Without it, every turning
    point of a climb gains the peak of the altimeter's noise (~+0.7 m at a top
    and -0.7 m at a bottom): +10 % on a rolling 80 m run.
    """
    alt = pl.col(column)
    if model.altitude_smoothing_s <= 0:
        return alt
    window = f"{int(model.altitude_smoothing_s * 1_000_000)}us"
    smoothed = alt.rolling_mean_by("timestamp", window_size=window).over("activity_id")
    return pl.when(alt.is_not_null()).then(smoothed)


def hysteresis_steps(
    activity_id: pl.Series, altitude_m: pl.Series, hysteresis_m: float
) -> tuple[pl.Series, pl.Series]:
    """Per-sample gain and loss (m, Float64, >= 0) counted with hysteresis.

    shared/METRICS.md: a rise counts once the altitude is more than
    ``hysteresis_m`` above the last low turning point, and then all of it
    counts (from that low to the following high); likewise for descents. So
    swings of at most ``hysteresis_m`` (noise) are ignored while every real
    climb is counted in full, tops and bottoms included. Until the first swing
    beyond ``hysteresis_m`` the lowest and highest altitudes seen are the
    candidate turning points.

    Gains are booked on the samples where they happen (the confirming sample
    books the rise from the low so far), so summing per day splits an
    activity's ascent across days. Rows must be sorted by activity then time;
    null altitudes are skipped. One sequential pass (the rule depends on the
    path, so it does not vectorize): :func:`_hysteresis_kernel` over plain
    lists, or compiled from :data:`COMPILED_FROM_SAMPLES` samples on (the same
    result).
    """
    n = len(altitude_m)
    starts, valid, alt = _starts(activity_id, nulls_apart=True), altitude_m.is_not_null(), altitude_m.fill_null(0.0)
    kernel = _compiled(_hysteresis_kernel) if _compiling(n, _hysteresis_kernel) else None
    if kernel is None:
        gains, losses = [0.0] * n, [0.0] * n
        _hysteresis_kernel(starts.tolist(), alt.to_list(), valid.to_list(), hysteresis_m, gains, losses)
    else:
        gains, losses = np.zeros(n), np.zeros(n)
        kernel(starts, alt.cast(pl.Float64).to_numpy(), valid.to_numpy(), float(hysteresis_m), gains, losses)
    return pl.Series("gain_m", gains, pl.Float64), pl.Series("loss_m", losses, pl.Float64)


def _hysteresis_kernel(starts: list, alt: list, valid: list, hysteresis_m: float, gains: list, losses: list) -> None:
    """:func:`hysteresis_steps`' pass: sets ``gains`` and ``losses`` (0 on entry) sample by sample.

    Lists (run by Python) or arrays (compiled by :func:`_compiled`): ``starts``
    (the sample starts an activity), ``alt`` (m), ``valid`` (``alt`` is not
    null). ``mode`` 0 is not decided yet, 1 climbing, -1 descending. Each
    comparison is written as Python's ``min`` and ``max`` make it, so the two
    give the same floats, NaN included.
    """
    mode, low, high, extreme, seen = 0, 0.0, 0.0, 0.0, False
    for i in range(len(alt)):
        if starts[i]:
            mode, seen = 0, False
        if not valid[i]:
            continue
        a = alt[i]
        if not seen:
            low, high, seen = a, a, True
        elif mode == 0:
            low = a if a < low else low
            high = a if a > high else high
            if a - low > hysteresis_m:
                mode, gains[i], extreme = 1, a - low, a
            elif high - a > hysteresis_m:
                mode, losses[i], extreme = -1, high - a, a
        elif mode == 1:
            if a < extreme - hysteresis_m:
                mode, losses[i], extreme = -1, extreme - a, a
            else:
                gains[i] = 0.0 if 0.0 > a - extreme else a - extreme
                extreme = a if a > extreme else extreme
        elif a > extreme + hysteresis_m:
            mode, gains[i], extreme = 1, a - extreme, a
        else:
            losses[i] = 0.0 if 0.0 > extreme - a else extreme - a
            extreme = a if a < extreme else extreme


def plausible(device: pl.Expr, computed: pl.Expr, model: ModelSettings) -> pl.Expr:
    """Boolean: the device total (m) lies within the plausible band of the computed one (m).

    ``|device - computed| <= ascent_plausible_rel * computed + ascent_plausible_abs_m``,
    above or below; null when either is null.
    """
    return (device - computed).abs() <= model.ascent_plausible_rel * computed + model.ascent_plausible_abs_m


def choose(device: pl.Expr, computed: pl.Expr, model: ModelSettings) -> tuple[pl.Expr, pl.Expr]:
    """The value used (m) and its source (``"device"``, ``"computed"`` or ``"none"``).

    The device total is used when present and within the plausible band of the
    computed one (:func:`plausible`); also when nothing was computed (no
    altitude stream). Otherwise the computed value. Neither: 0 m, source ``"none"``.
    """
    use_device = device.is_not_null() & (computed.is_null() | plausible(device, computed, model))
    value = pl.when(use_device).then(device).otherwise(computed).fill_null(0.0)
    source = (
        pl.when(use_device)
        .then(pl.lit("device"))
        .when(computed.is_not_null())
        .then(pl.lit("computed"))
        .otherwise(pl.lit("none"))
    )
    return value, source


def ascent_flag(
    sport: pl.Expr, moving_s: pl.Expr, ascent_m: pl.Expr, device: pl.Expr, computed: pl.Expr, model: ModelSettings
) -> pl.Expr:
    """String: why a run's ascent is suspect, or null (shared/METRICS.md, "Plausibility").

    - ``"too_fast"``: a foot sport (``foot_sports``) whose ascent used
      (``ascent_m``, m) per moving hour (``moving_s``, s) is above
      ``max_ascent_rate_m_per_h``; exactly the limit is not. A run without
      moving time has no rate and is not flagged by it.
    - ``"device_disagrees"``: the device total and the computed one are both
      present and the device's is outside the plausible band of the computed
      one (:func:`plausible`, the band :func:`choose` uses), above or below.

    Both: ``"too_fast"`` (it says that the value used is impossible, whichever
    was chosen).
    """
    limit_m = model.max_ascent_rate_m_per_h * moving_s / SECONDS_PER_HOUR
    too_fast = sport.is_in(list(model.foot_sports)) & (moving_s > 0) & (ascent_m > limit_m)
    disagrees = ~plausible(device, computed, model)
    return (
        pl.when(too_fast.fill_null(False))
        .then(pl.lit("too_fast"))
        .when(disagrees.fill_null(False))
        .then(pl.lit("device_disagrees"))
        .otherwise(pl.lit(None, pl.String))
    )


def _starts(activity_id: pl.Series, nulls_apart: bool) -> np.ndarray:
    """Boolean per row: it starts an activity (its ``activity_id`` is not the previous row's; the first row does).

    Consecutive null ids are one activity, or with ``nulls_apart`` one each
    (as ``activity_id != activity_id.shift(1)`` has them).
    """
    if nulls_apart and activity_id.null_count():
        return (activity_id != activity_id.shift(1)).fill_null(True).to_numpy()
    lengths = activity_id.rle().struct.field("len").to_numpy()  # runs: a quarter of the time of the comparison
    starts = np.zeros(len(activity_id), dtype=bool)
    starts[np.cumsum(lengths) - lengths] = True
    return starts


def import_numba_ahead() -> None:
    """Import Numba (~0.4 s of Python imports) before the first kernel needs it: an analysis of a long history
    runs this in a thread while its samples are read (Polars decodes them without the GIL), so the chunks'
    threads do not wait for it. Without Numba, nothing."""
    try:
        import numba  # noqa: F401
    except Exception:  # only a head start: the kernels' first call imports it again and says what is wrong
        pass


def _compiling(n: int, kernel: Callable) -> bool:
    """Whether ``n`` samples go through the compiled ``kernel``: from :data:`COMPILED_FROM_SAMPLES` on, or fewer
    once this process has loaded it (the cost the threshold avoids is paid: an analysis after a long import)."""
    return n >= COMPILED_FROM_SAMPLES or _COMPILED.get(kernel) is not None


def _compiled(kernel: Callable) -> Callable | None:
    """``kernel`` compiled by Numba, or None where Numba cannot be imported (the caller then runs plain Python).

    Numba is imported here, on first use: importing it and loading the
    kernels take ~0.5 s a process, which the daily import of one run (below
    :data:`COMPILED_FROM_SAMPLES`) never pays. The machine code is cached on
    disk (compiling both kernels takes ~1.5 s): in
    ``NUMBA_CACHE_DIR`` if set, else in ``__pycache__`` beside this module if
    writable, else in the user's cache directory (Numba's own order); with
    none writable it is compiled once a process.
    """
    with _COMPILING:
        if kernel not in _COMPILED:
            try:
                import numba
            except ImportError:
                _COMPILED[kernel] = None
            else:
                try:  # nogil: the kernels read and write arrays only, so chunks run side by side in threads
                    _COMPILED[kernel] = numba.njit(cache=True, nogil=True)(kernel)
                except RuntimeError:  # "cannot cache function": no writable cache directory
                    _COMPILED[kernel] = numba.njit(nogil=True)(kernel)
        return _COMPILED[kernel]
