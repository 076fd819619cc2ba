"""Samples that need repair before any metric (issue 11, cases 4-6; METRICS.md, same heading).

Unit tests pin trainlog.ingest.repair's rules at their edges; the end-to-end tests write
each dirty file the way its device does (trainlog_dev.fitwrite, or tests/fit_raw.py
for bytes Garmin's encoder refuses) and go through import_paths and the analysis.
"""

from __future__ import annotations

import datetime as dt
import math

import fit_raw
import numpy as np
import polars as pl
import pytest
from builders import activities, concat, samples, utc
from polars.testing import assert_frame_equal

from trainlog import Store, import_paths
from trainlog.analysis.stored import stored_analysis
from trainlog.ingest import repair
from trainlog.ingest.decode import decode
from trainlog.ingest.fit import fast as fit_fast
from trainlog.ingest.fit.reference import decode_reference
from trainlog.settings import ModelSettings
from trainlog.store import schema

T0 = utc(2024, 3, 1, 8)
MODEL = ModelSettings()  # max_clock_jump_s 6 h = 21,600 s
LIMIT_S = 21_600.0
DAY_S = 86_400.0
J = 20 * DAY_S  # a clock reset 20 days ahead


def times_of(frame: pl.DataFrame) -> list[float]:
    """Timestamps as seconds after T0."""
    return [(t - T0).total_seconds() for t in frame["timestamp"].to_list()]


def run(times_s, aid="a", **streams):
    return samples(aid, T0, times_s=times_s, **streams)


def session(elapsed_s, aid="a"):
    return activities({"activity_id": aid, "start_utc": T0, "elapsed_s": elapsed_s})


def fixed_times(times_s, elapsed_s, model=MODEL):
    fixed, _ = repair.repair_clock_jumps(run(times_s), session(elapsed_s), model)
    return times_of(fixed)


# ---- records sharing one timestamp


def test_merge_takes_the_last_non_null_value_of_each_field():
    frame = run(
        [0, 1, 1, 1, 2],
        hr_bpm=[140.0, 150.0, None, 152.0, None],
        distance_m=[0.0, None, 5.0, None, 9.0],
        altitude_m=[100.0, 101.0, None, None, None],
    )
    got = repair.merge_repeated(frame)
    assert times_of(got) == [0, 1, 2]
    one = got.row(1, named=True)
    assert one["hr_bpm"] == 152.0  # the last of 150 and 152, not the first
    assert one["distance_m"] == 5.0  # the only value: a later null does not hide it
    assert one["altitude_m"] == 101.0
    assert one["speed_mps"] is None  # null in every record of the second
    assert got.schema == frame.schema


def test_merge_keeps_activities_and_distinct_times_apart():
    frame = concat(run([0, 1], "b", hr_bpm=[1.0, 2.0]), run([0, 1, 1], "a", hr_bpm=[3.0, 4.0, 5.0]))
    got = repair.merge_repeated(frame)
    assert got["activity_id"].to_list() == ["a", "a", "b", "b"]  # sorted by activity, then time
    assert got["hr_bpm"].to_list() == [3.0, 5.0, 1.0, 2.0]


def test_merge_finds_a_repeat_among_the_first_records_of_a_later_activity():
    # a's one record, then b's two records of one second: the only repeat in the frame is b's second
    # record, which follows b's first (a repeat is an activity and a timestamp both equal to the row before)
    frame = concat(run([0], "a", hr_bpm=[1.0]), run([5, 5], "b", hr_bpm=[2.0, 3.0]))
    got = repair.merge_repeated(frame)
    assert got["activity_id"].to_list() == ["a", "b"]
    assert times_of(got) == [0, 5]
    assert got["hr_bpm"].to_list() == [1.0, 3.0]  # the last record of b's second


def test_merge_of_an_activity_of_one_second_recorded_twice():
    got = repair.merge_repeated(run([0, 0], hr_bpm=[150.0, None], distance_m=[None, 3.0]))
    assert got.height == 1
    assert got.row(0, named=True)["hr_bpm"] == 150.0 and got.row(0, named=True)["distance_m"] == 3.0

def test_merge_without_repeats_only_sorts():
    frame = run([2, 0, 1], hr_bpm=[3.0, 1.0, 2.0])
    got = repair.merge_repeated(frame)
    assert_frame_equal(got, frame.sort("timestamp"))


# ---- clock jumps: which steps


def test_a_forward_step_of_exactly_max_clock_jump_s_is_kept():
    times = [0, 1, 2, 2 + LIMIT_S, 3 + LIMIT_S]
    assert fixed_times(times, elapsed_s=4.0) == times  # elapsed says "no pause": still only > limit counts


def test_a_forward_step_just_over_max_clock_jump_s_is_a_jump():
    times = [0, 1, 2, 2 + LIMIT_S + 1e-6, 3 + LIMIT_S + 1e-6]
    assert fixed_times(times, elapsed_s=4.0) == [0, 1, 2, 3, 4]


def test_the_athletes_max_clock_jump_s_is_used():
    times = [0, 1, 2, 3603, 3604]  # a step of an hour and a second the elapsed time does not hold
    assert fixed_times(times, elapsed_s=4.0) == times
    assert fixed_times(times, elapsed_s=4.0, model=ModelSettings(max_clock_jump_s=3600)) == [0, 1, 2, 3, 4]


def test_steps_between_two_activities_rows_are_not_jumps():
    # the clean-file shortcut looks at every step of the frame: one from a run to the next run's first row, back
    # in time or a day ahead, passes it on to the whole rule, which takes steps within an activity only
    both = concat(run([0, 1, 2], aid="a"), run([-DAY_S, 1 - DAY_S], aid="b"), run([J, J + 1], aid="c"))
    acts = concat(session(2.0, "a"), session(1.0, "b"), session(1.0, "c"))
    assert repair.clock_jumps(both, acts, MODEL) == []


def test_a_jump_inside_one_activity_is_found_among_the_odd_steps_between_activities():
    # the clean-file shortcut finds three odd steps: a to b (a day back), b's own reset, b to c (20 days on); the
    # two at an activity's first row are no jump, b's is one
    both = concat(run([0, 1, 2], aid="a"), run([-DAY_S, 1 - DAY_S, 2 - DAY_S + J, 3 - DAY_S + J], aid="b"),
                  run([2 * J, 2 * J + 1], aid="c"))
    acts = concat(session(2.0, "a"), session(3.0, "b"), session(1.0, "c"))
    assert [(j.activity_id, j.row) for j in repair.clock_jumps(both, acts, MODEL)] == [("b", 5)]
    one_run = both.with_columns(activity_id=pl.lit("a"))  # the same steps inside one activity: all three
    assert [j.row for j in repair.clock_jumps(one_run, session(8.0), MODEL)] == [3, 5, 7]


def test_a_jump_between_rows_of_another_activity_is_found():
    # a's rows interleaved with b's: every step between neighbouring rows is under the limit, a's own step over it
    # (the clean-file shortcut must not see "no odd step" here; found by a review)
    rows = [("a", 0), ("a", 1), ("a", 2), ("b", 2 + 0.55 * LIMIT_S), ("a", 3 + 1.1 * LIMIT_S), ("b", 4 + 1.1 * LIMIT_S)]
    mixed = pl.DataFrame({"activity_id": [r[0] for r in rows], "timestamp": [T0 + dt.timedelta(seconds=r[1]) for r in rows]},
                         schema={"activity_id": pl.String, "timestamp": pl.Datetime("us", "UTC")})
    acts = concat(session(3.0, "a"), session(2.0, "b"))
    assert [(j.activity_id, j.row) for j in repair.clock_jumps(mixed, acts, MODEL)] == [("a", 4)]


def test_the_clean_file_shortcut_gives_the_whole_rules_answer():
    jumped = run([0, 1, 2, 2 + J, 3 + J])
    assert [j.row for j in repair.clock_jumps(jumped, session(4.0), MODEL)] == [3]
    in_ms = jumped.with_columns(pl.col("timestamp").dt.cast_time_unit("ms"))
    assert [j.row for j in repair.clock_jumps(in_ms, session(4.0), MODEL)] == [3]
    with_a_null = run([0, 1, 2, 3]).with_columns(pl.when(pl.int_range(pl.len()) == 1).then(None)
                                                  .otherwise(pl.col("timestamp")).alias("timestamp"))
    assert repair.clock_jumps(with_a_null, session(3.0), MODEL) == []
    assert repair.clock_jumps(run([0]), session(0.0), MODEL) == []
    assert repair.clock_jumps(run([]), session(0.0), MODEL) == []


def test_any_backward_step_is_a_jump_and_a_repeated_time_is_not():
    assert fixed_times([0, 1, 2, 1.5, 2.5], elapsed_s=4.0) == [0, 1, 2, 3, 4]
    assert fixed_times([0, 1, 1, 2], elapsed_s=2.0) == [0, 1, 1, 2]


def test_a_backward_jump_is_repaired_without_an_elapsed_time_a_forward_one_is_not():
    assert fixed_times([0, 1, 2, 2 - J, 3 - J], elapsed_s=None) == [0, 1, 2, 3, 4]
    assert fixed_times([0, 1, 2, 2 + J, 3 + J], elapsed_s=None) == [0, 1, 2, 2 + J, 3 + J]


def test_a_pause_the_elapsed_time_holds_is_kept():
    pause = 8 * 3600.0
    times = [0, 1, 2, 2 + pause, 3 + pause]
    assert fixed_times(times, elapsed_s=3 + pause) == times


def test_a_jump_needs_an_excess_of_half_the_step():
    # recorded time 3 + G (the sum of the forward steps); the step G is a jump when
    # recorded - elapsed >= G / 2
    gap = 8 * 3600.0
    times = [0, 1, 2, 2 + gap, 3 + gap]
    assert fixed_times(times, elapsed_s=3 + gap / 2) == [0, 1, 2, 3, 4]  # excess exactly G / 2
    assert fixed_times(times, elapsed_s=3 + gap / 2 + 0.5) == times  # half a second less


def test_backward_jumps_count_one_interval_in_the_recorded_time():
    # steps 1, 1, -B, 1, G, 1: forward sum 4 + G, plus one interval for the backward
    # jump once repaired = 5 + G; elapsed 5 + G/2 leaves an excess of exactly G/2
    back, gap = 3600.0, 8 * 3600.0
    times = [0, 1, 2, 2 - back, 3 - back, 3 - back + gap, 4 - back + gap]
    assert fixed_times(times, elapsed_s=5 + gap / 2) == [0, 1, 2, 3, 4, 5, 6]


def test_the_longest_step_is_the_jump_when_a_run_also_had_a_real_pause():
    pause = 8 * 3600.0  # overnight, in the elapsed time
    times = [0, 1, 1 + pause, 2 + pause, 2 + pause + J, 3 + pause + J]
    # excess J: the 20-day step takes it (J >= J/2) and leaves 1 s, less than half the pause
    assert fixed_times(times, elapsed_s=3 + pause) == [0, 1, 1 + pause, 2 + pause, 3 + pause, 4 + pause]
    # both are jumps when the elapsed time holds neither
    assert fixed_times(times, elapsed_s=5.0) == [0, 1, 2, 3, 4, 5]



def test_a_jump_uses_up_the_excess_less_one_interval():
    # steps 1, J, 1, G, 1 (J 20 days, G 8 h, both > 6 h): recorded 3 + J + G. With elapsed 4 + G/2 the
    # excess is 3 + J + G - 4 - G/2 = J - 1 + G/2 >= J/2: J is a jump and becomes the 1 s interval,
    # using up J - 1 s of the excess: G/2 is left, exactly half of G: G is a jump too.
    gap = 8 * 3600.0
    times = [0, 1, 1 + J, 2 + J, 2 + J + gap, 3 + J + gap]
    assert fixed_times(times, elapsed_s=4 + gap / 2) == [0, 1, 2, 3, 4, 5]
    # half a second more elapsed time leaves G/2 - 0.5: G stays a pause
    assert fixed_times(times, elapsed_s=4.5 + gap / 2) == [0, 1, 2, 3, 3 + gap, 4 + gap]

# ---- clock jumps: the gap becomes one typical interval


def test_the_gap_becomes_the_median_of_the_ordinary_steps():
    # ordinary steps 1, 5, 5 (the repeated time's 0 and the jump are not ordinary): median 5
    # (with the 0 it would be 3, the mean 3.67)
    assert fixed_times([0, 1, 1, 6, 6 + J, 11 + J], elapsed_s=16.0) == [0, 1, 1, 6, 11, 16]


def test_a_step_of_exactly_max_clock_jump_s_is_ordinary():
    # ordinary steps 21,600 and 1: median 10,800.5
    times = [0, LIMIT_S, LIMIT_S + J, LIMIT_S + 1 + J]
    assert fixed_times(times, elapsed_s=LIMIT_S + 2) == [0, LIMIT_S, LIMIT_S + 10_800.5, LIMIT_S + 10_801.5]


def test_without_an_ordinary_step_the_gap_becomes_one_second():
    assert repair.FALLBACK_INTERVAL_S == 1.0
    assert fixed_times([0, J], elapsed_s=0.0) == [0, 1]


def test_only_the_jumping_activity_moves_and_rows_keep_their_order():
    a = run([0, 1, 1 + J, 2 + J], "a", hr_bpm=[1.0, 2.0, 3.0, 4.0])
    b = run([-J, 1 - J], "b", hr_bpm=[5.0, 6.0])  # 20 days earlier than a: another activity, no jump
    mixed = pl.concat([a[:2], b[:1], a[2:], b[1:]])  # rows of the two interleaved
    acts = activities(
        {"activity_id": "a", "start_utc": T0, "elapsed_s": 3.0},
        {"activity_id": "b", "start_utc": T0, "elapsed_s": 1.0},
    )
    fixed, notes = repair.repair_clock_jumps(mixed, acts, MODEL)
    assert fixed["activity_id"].to_list() == mixed["activity_id"].to_list()
    assert fixed["hr_bpm"].to_list() == [1.0, 2.0, 5.0, 3.0, 4.0, 6.0]
    assert times_of(fixed) == [0, 1, -J, 2, 3, 1 - J]
    assert list(notes) == ["a"]
    assert fixed.schema == mixed.schema


def test_jumps_come_in_row_order():
    a, b = run([0, -J, -2 * J], "a"), run([0, -J], "b")  # backward jumps: repaired whatever the elapsed time
    mixed = pl.concat([a[:2], b, a[2:]])  # a's jumps on rows 1 and 4, b's on row 3
    jumps = repair.clock_jumps(mixed, schema.empty("activities"), MODEL)
    assert [(j.activity_id, j.row) for j in jumps] == [("a", 1), ("b", 3), ("a", 4)]


def test_no_jump_returns_the_same_frame_and_no_notes():
    frame = run([0, 1, 2])
    fixed, notes = repair.repair_clock_jumps(frame, session(2.0), MODEL)
    assert fixed is frame and notes == {}
    assert repair.clock_jumps(schema.empty("samples"), session(2.0), MODEL) == []


def test_a_jump_is_described_and_its_note_says_what_was_repaired():
    frame = run([0, 1, 2, 2 + J + 0.5, 3 + J + 0.5, 4 + J + 0.5])
    (jump,) = repair.clock_jumps(frame, session(5.0), MODEL)
    assert jump.activity_id == "a" and jump.row == 3 and jump.n_shifted == 3
    assert jump.before_utc == T0 + dt.timedelta(seconds=2)
    assert jump.step_s == J + 0.5 and jump.interval_s == 1.0 and jump.shift_s == 1.0 - (J + 0.5)
    assert jump.note() == (
        "clock jump repaired: the clock went forward 20 d 0:00:00 after 2024-03-01 08:00:02 UTC"
        " with no pause of that length in the elapsed time, so the 3 samples from there on are moved"
        " to make that step 1 s"
    )
    (back,) = repair.clock_jumps(run([0, 1, 2, 2 - 3661, 3 - 3661]), session(None), MODEL)
    assert back.note() == (
        "clock jump repaired: the clock went back 1:01:01 after 2024-03-01 08:00:02 UTC,"
        " so the 2 samples from there on are moved to make that step 1 s"
    )


def test_several_jumps_of_one_run_are_noted_in_row_order():
    frame = run([0, 1, 1 - 3600, 2 - 3600, 2 - 3600 + J, 3 - 3600 + J])
    _, notes = repair.repair_clock_jumps(frame, session(5.0), MODEL)
    first, second = notes["a"].split("; ")
    assert "went back 1:00:00 after 2024-03-01 08:00:01 UTC" in first and "4 samples" in first
    assert "went forward 20 d 0:00:00" in second and "2 samples" in second


def test_span_text():
    assert repair.span_text(0) == "0:00:00"
    assert repair.span_text(61) == "0:01:01"
    assert repair.span_text(1800) == "0:30:00"
    assert repair.span_text(3661.4) == "1:01:01"
    assert repair.span_text(DAY_S - 1) == "23:59:59"
    assert repair.span_text(20 * DAY_S + 3661) == "20 d 1:01:01"


def test_repaired_undoes_jumps_then_merges_the_records_of_one_second():
    frame = run([0, 1, 1 - J, 1 - J, 2 - J], hr_bpm=[150.0, 150.0, 151.0, None, 152.0], distance_m=[0.0, 3.0, None, 6.0, 9.0])
    got = repair.repaired(frame, session(None), MODEL)
    assert times_of(got) == [0, 1, 2, 3]
    assert got["hr_bpm"].to_list() == [150.0, 150.0, 151.0, 152.0]
    assert got["distance_m"].to_list() == [0.0, 3.0, 6.0, 9.0]


# ---- the dirty files, end to end

T_FILE = 1_714_550_400  # 2024-05-01 08:00:00 UTC
OFFSET_S = 7200  # 10:00 local
# Heart-rate load by hand (METRICS.md "Heart-rate load"; defaults hr_max 190, hr_rest 60,
# lthr 0.88 x 190 = 167.2, unknown sex a 0.75 b 1.80):
# one minute at 150 bpm: x = 90 / 130 = 0.692308, TRIMP = 0.692308 x 0.75 x exp(1.246154) = 1.805336
# 60 min at lthr: x = 107.2 / 130 = 0.824615, TRIMP = 60 x 0.824615 x 0.75 x exp(1.484308) = 163.7118
TRIMP_MINUTE_150 = (90 / 130) * 0.75 * math.exp(1.8 * 90 / 130)
TRIMP_REFERENCE = 60 * (107.2 / 130) * 0.75 * math.exp(1.8 * 107.2 / 130)


def hr_load(minutes: float) -> float:
    return 100 * minutes * TRIMP_MINUTE_150 / TRIMP_REFERENCE


def write_run(path, times_unix_s, device=None, **extra):
    """A run at 3 m/s and 150 bpm, one record per entry of ``times_unix_s``."""
    pytest.importorskip("garmin_fit_sdk", reason="the dev dependency garmin-fit-sdk writes the test files")
    from trainlog_dev.fitwrite import Device, Recording, encode

    n = len(times_unix_s)
    rec = Recording(
        time_unix_s=np.asarray(times_unix_s, dtype=np.int64), distance_m=np.arange(n) * 3.0,
        speed_mps=np.full(n, 3.0), energy_kcal=np.arange(n) * 0.2, sport="running", sub_sport="generic",
        utc_offset_end_s=OFFSET_S, hr_bpm=np.full(n, 150), **extra,
    )
    path.write_bytes(encode(rec, device or Device(write_laps=False)))
    return path


def imported(tmp_path, path):
    store = Store(tmp_path / "data")
    report = import_paths(store, [path], "me")
    assert report.counts()["imported"] == 1, [r.line() for r in report.results]
    return store, stored_analysis(store, "me")


def test_suunto_heart_rate_in_its_own_record_keeps_full_coverage_and_the_hr_load(tmp_path):
    from trainlog_dev.fitwrite import Device

    path = write_run(tmp_path / "ambit3.fit", T_FILE + np.arange(1801), Device(split_hr_records=True))
    store, analysis = imported(tmp_path, path)
    assert store.read("samples", "me").height == 2 * 1801  # stored as recorded: two records a second
    (act,) = analysis.per_activity.to_dicts()
    assert act["hr_coverage"] == pytest.approx(1.0)
    assert act["load_source"] == "hr"
    assert act["moving_s"] == pytest.approx(1800.0)
    assert act["load"] == pytest.approx(hr_load(30), rel=1e-9)
    assert act["load"] == pytest.approx(33.0818, abs=1e-4)  # 100 x 30 x 1.805336 / 163.7118


def test_a_clock_jump_forward_books_the_run_on_its_day(tmp_path):
    times = np.concatenate([T_FILE + np.arange(1800), T_FILE + J + 1800 + np.arange(1801)])
    path = write_run(tmp_path / "reset.fit", times, elapsed_s=3600.0, timer_s=3600.0)
    store, analysis = imported(tmp_path, path)
    (act,) = analysis.per_activity.to_dicts()
    assert act["moving_s"] == pytest.approx(3600.0)  # the 20-day step became 1 s
    assert act["load"] == pytest.approx(hr_load(60), rel=1e-9)  # 66.16
    days = analysis.days.filter(pl.col("load") > 0)
    assert days["date"].to_list() == [dt.date(2024, 5, 1)]
    assert days["load"].sum() == pytest.approx(act["load"])
    later = analysis.daily.filter(pl.col("date") == dt.date(2024, 5, 21))
    assert later.is_empty() or later["load"].sum() == 0
    note = store.read("activities", "me")["import_note"].item()
    assert note.startswith("clock jump repaired: the clock went forward 20 d 0:00:01 after 2024-05-01 08:29:59 UTC")
    assert "1801 samples" in note
    raw = store.read("samples", "me")["timestamp"]  # the store keeps what the watch wrote
    assert raw.max() == dt.datetime.fromtimestamp(T_FILE + J + 3600, dt.UTC)


def test_a_clock_jump_backwards_books_the_run_on_its_day(tmp_path):
    times = np.concatenate([T_FILE + np.arange(1800), T_FILE - J + 1800 + np.arange(1801)])
    path = write_run(tmp_path / "back.fit", times, elapsed_s=3600.0, timer_s=3600.0)
    store, analysis = imported(tmp_path, path)
    (act,) = analysis.per_activity.to_dicts()
    assert act["start_date"] == dt.date(2024, 5, 1)
    assert act["load"] == pytest.approx(hr_load(60), rel=1e-9)
    days = analysis.days.filter(pl.col("load") > 0)
    assert days["date"].to_list() == [dt.date(2024, 5, 1)]
    note = store.read("activities", "me")["import_note"].item()
    assert note.startswith("clock jump repaired: the clock went back 19 d 23:59:59 after 2024-05-01 08:29:59 UTC")
    # stored in record order: the later records, 20 days earlier, come after
    raw = store.read("samples", "me")["timestamp"].to_list()
    assert raw[1800] < raw[0] and raw == sorted(raw[:1800]) + sorted(raw[1800:])


def test_a_real_overnight_pause_is_not_shifted(tmp_path):
    start = T_FILE + 11 * 3600  # 19:00 UTC, 21:00 local (UTC+2)
    pause = 8 * 3600
    times = np.concatenate([start + np.arange(1800), start + 1800 + pause + np.arange(1801)])
    path = write_run(tmp_path / "overnight.fit", times, pauses=[(int(start + 1799), int(start + 1800 + pause))])
    store, analysis = imported(tmp_path, path)
    act = store.read("activities", "me").row(0, named=True)
    assert act["elapsed_s"] == pytest.approx(3600.0 + pause) and act["import_note"] is None
    stored = store.read("samples", "me")
    assert_frame_equal(repair.repaired(stored, store.read("activities", "me"), MODEL), stored)
    days = analysis.days.filter(pl.col("load") > 0).sort("date")
    # 21:00-21:30 local on 1 May (1799 s + the capped 10 s of the last sample before the pause),
    # 05:30-06:00 on 2 May (1800 s)
    assert days["date"].to_list() == [dt.date(2024, 5, 1), dt.date(2024, 5, 2)]
    assert days["load"].to_list() == pytest.approx([hr_load(1809 / 60), hr_load(30)], rel=1e-9)


@pytest.mark.parametrize("duplicate", ["invalid_last", "invalid_first"])
def test_a_record_with_distance_twice_keeps_the_valid_copy(tmp_path, duplicate):
    data = fit_raw.distance_twice_run(T_FILE, 601, duplicate=duplicate)
    clean = fit_raw.distance_twice_run(T_FILE, 601, duplicate=None)
    expected = decode_reference(clean, "clean.fit")
    assert expected.records["distance_m"].to_list() == [3.0 * i for i in range(601)]
    assert_frame_equal(fit_fast.decode_fast(clean, "clean.fit").records, expected.records, check_exact=True)
    for decoder in (decode, decode_reference):
        got = decoder(data, "twice.fit")
        assert_frame_equal(got.records, expected.records, check_exact=True)
        assert got.sessions == expected.sessions
    with pytest.raises(fit_fast.Unsupported, match="twice"):
        fit_fast.decode_fast(data, "twice.fit")
    path = tmp_path / "twice.fit"
    path.write_bytes(data)
    _, analysis = imported(tmp_path, path)
    (act,) = analysis.per_activity.to_dicts()
    assert act["distance_m"] == pytest.approx(1800.0)
    assert act["gad_m"] == pytest.approx(1800.0)  # the distance stream is there (flat: grade 0)


def test_the_activity_page_shows_the_repaired_samples(tmp_path):
    from dashboards.data import Data
    from trainlog_dev.fitwrite import Device

    times = np.concatenate([T_FILE + np.arange(60), T_FILE + J + 60 + np.arange(61)])
    path = write_run(tmp_path / "page.fit", times, Device(write_laps=False, split_hr_records=True), elapsed_s=120.0)
    store, _ = imported(tmp_path, path)
    aid = store.read("activities", "me")["activity_id"].item()
    _, page, _ = Data(tmp_path / "data").activity("me", aid)
    assert page.height == 121  # one row a second, both records of it merged
    start = dt.datetime.fromtimestamp(T_FILE, dt.UTC)
    assert [(t - start).total_seconds() for t in page["timestamp"].to_list()] == list(range(121))
    assert page["hr_bpm"].null_count() == 0 and page["distance_m"].null_count() == 0
    assert page["moving_s"].sum() == pytest.approx(120.0)


def test_merging_only_the_repeated_rows_equals_grouping_them_all():
    """merge_repeated groups only the rows of repeated timestamps: the same as grouping every row."""
    rng = np.random.default_rng(17)
    for _ in range(200):
        n = int(rng.integers(1, 40))
        frame = pl.DataFrame({
            "activity_id": np.sort(rng.choice(["a", "b", "c"], n)),
            "timestamp": [dt.datetime(2024, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=int(s)) for s in rng.integers(0, 8, n)],
            "hr_bpm": [None if rng.random() < 0.4 else float(v) for v in rng.random(n)],
            "power_w": [None if rng.random() < 0.5 else float(v) for v in rng.integers(0, 9, n)],
        }, schema={"activity_id": pl.String, "timestamp": pl.Datetime("us", "UTC"), "hr_bpm": pl.Float64,
                   "power_w": pl.Float64})
        ordered = frame.sort("activity_id", "timestamp", maintain_order=True)
        grouped = ordered.group_by("activity_id", "timestamp", maintain_order=True).agg(
            pl.col(c).last(ignore_nulls=True) for c in ("hr_bpm", "power_w"))
        assert repair.merge_repeated(frame).equals(grouped.select(ordered.columns))
