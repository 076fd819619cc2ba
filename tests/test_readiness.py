"""Readiness (trainlog.analysis.readiness): the HRV normal range and its flags, the baselines' cold start, resting
HR, short sleep, soreness and illness, worked out by hand on series built for it."""

from __future__ import annotations

import datetime as dt
import math
import statistics

import polars as pl
import pytest
from builders import wellness_days

from trainlog.analysis import readiness
from trainlog.settings import ModelSettings
from trainlog.words import Level

MODEL = ModelSettings()
FIRST = dt.date(2026, 1, 1)  # day i (1-based) is FIRST + (i - 1) days


def day(i: int) -> dt.date:
    return FIRST + dt.timedelta(days=i - 1)


def hrv_series(sign: float = 1.0) -> list[float]:
    """rMSSD of days 1..70 around 50 ms: ln rMSSD = ln 50 + d, d = +0.1 on odd days and -0.1 on even days up to day
    60, then -0.3 from day 61 (``sign`` -1 mirrors every d)."""
    devs = [0.1 if i % 2 else -0.1 for i in range(1, 61)] + [-0.3] * 10
    return [50.0 * math.exp(sign * d) for d in devs]


def row(frame: pl.DataFrame, i: int) -> dict:
    return frame.filter(pl.col("date") == day(i)).row(0, named=True)


def column(frame: pl.DataFrame, name: str, days: range) -> list:
    return [row(frame, i)[name] for i in days]


def test_the_hrv_normal_range_by_hand_and_exactly_which_days_flag():
    frame = readiness.signals(wellness_days(FIRST, hrv_rmssd_ms=hrv_series()), MODEL)
    assert frame.height == 70 and frame.schema == pl.Schema(readiness.SCHEMA)

    # day 15: the first with 14 mornings before it (days 1..14: seven at +0.1, seven at -0.1): mean ln 50,
    # SD (n - 1) = 0.1 x sqrt(14 / 13) = 0.103775; normal range 50 x exp(+-0.5 x 0.103775) = 47.472..52.663 ms;
    # the 7 days 9..15 hold four +0.1 and three -0.1: mean +0.1 / 7, 50 x exp(0.0142857) = 50.719 ms: normal
    r = row(frame, 15)
    assert r["hrv_baseline_values"] == 14 and r["hrv_7d_values"] == 7
    assert r["hrv_baseline_ms"] == pytest.approx(50.0)
    assert r["hrv_baseline_sd_ln"] == pytest.approx(0.1 * math.sqrt(14 / 13))
    assert (r["hrv_normal_low_ms"], r["hrv_normal_high_ms"]) == (pytest.approx(47.472, abs=1e-3),
                                                                 pytest.approx(52.663, abs=1e-3))
    assert r["hrv_7d_ms"] == pytest.approx(50.719, abs=1e-3)
    assert (r["hrv_status"], r["hrv_low"], r["hrv_high"]) == ("normal", False, False)

    # day 61 (the first at -0.3): baseline days 1..60, mean 0, SD 0.1 x sqrt(60 / 59) = 0.100844, low end
    # -0.050422; the 7 days 55..61 sum to -0.3 (the six alternating days cancel): mean -0.042857 > low: normal
    r = row(frame, 61)
    assert r["hrv_baseline_sd_ln"] == pytest.approx(0.1 * math.sqrt(60 / 59))
    assert math.log(r["hrv_7d_ms"] / 50) == pytest.approx(-0.3 / 7)
    assert math.log(r["hrv_normal_low_ms"] / 50) == pytest.approx(-0.050422, abs=1e-6)
    assert r["hrv_status"] == "normal" and r["hrv_low"] is False

    # day 62: the 7 days 56..62 sum to -0.1 - 0.6 = -0.7, mean -0.1; baseline days 2..61: 30 at -0.1, 29 at +0.1
    # and one at -0.3: sum -0.4, mean -0.0066667, sum of squares 0.68, SD sqrt((0.68 - 60 x 0.0066667^2) / 59)
    # = 0.107146; low end -0.0066667 - 0.053573 = -0.060240 > -0.1: below the normal range
    r = row(frame, 62)
    devs = [math.log(v / 50) for v in hrv_series()]
    assert r["hrv_baseline_sd_ln"] == pytest.approx(statistics.stdev(devs[1:61])) == pytest.approx(0.107146, abs=1e-6)
    assert math.log(r["hrv_normal_low_ms"] / 50) == pytest.approx(-0.060240, abs=1e-6)
    assert math.log(r["hrv_7d_ms"] / 50) == pytest.approx(-0.1)
    assert (r["hrv_status"], r["hrv_low"], r["level"]) == ("below normal", True, "flag")

    # exactly which days: no data on days 1-2 (fewer than 3 mornings in 7), building baseline on days 3-14,
    # normal on days 15-61, below the normal range from day 62 (by day 70 the baseline has sunk to -0.046667
    # with SD 0.141978, low end -0.117656, still above the 7-day -0.3)
    assert column(frame, "hrv_status", range(1, 71)) == (
        ["no data"] * 2 + ["building baseline"] * 12 + ["normal"] * 47 + ["below normal"] * 9)
    assert column(frame, "hrv_low", range(1, 71)) == [None] * 14 + [False] * 47 + [True] * 9
    assert column(frame, "hrv_high", range(1, 71)) == [None] * 14 + [False] * 56


def test_the_mirrored_series_flags_above_the_normal_range_on_the_same_days():
    # every d negated: the means change sign, the SDs do not, so day 62 is +0.1 above a high end of +0.060240
    frame = readiness.signals(wellness_days(FIRST, hrv_rmssd_ms=hrv_series(-1.0)), MODEL)
    assert math.log(row(frame, 62)["hrv_normal_high_ms"] / 50) == pytest.approx(0.060240, abs=1e-6)
    assert column(frame, "hrv_high", range(15, 71)) == [False] * 47 + [True] * 9
    assert column(frame, "hrv_low", range(15, 71)) == [False] * 56
    assert row(frame, 62)["level"] == "warn"


def test_the_constants_are_settings():
    # k = 1 SD: day 62's low end is -0.0066667 - 0.107146 = -0.113813, below the 7-day -0.1: normal
    wide = readiness.signals(wellness_days(FIRST, hrv_rmssd_ms=hrv_series()), ModelSettings(hrv_normal_sd=1.0))
    assert row(wide, 62)["hrv_status"] == "normal"
    # a 30-day baseline needing 20 mornings: building baseline until day 21
    short = readiness.signals(wellness_days(FIRST, hrv_rmssd_ms=hrv_series()),
                              ModelSettings(readiness_baseline_days=30, readiness_baseline_min_values=20))
    assert column(short, "hrv_status", range(20, 23)) == ["building baseline", "normal", "normal"]
    assert row(short, 21)["hrv_baseline_values"] == 20


def test_the_rolling_mean_needs_its_mornings_and_the_baseline_counts_only_days_with_a_value():
    values = [60.0 if i % 3 == 1 else None for i in range(1, 61)]  # days 1, 4, 7, ...: 20 mornings
    frame = readiness.signals(wellness_days(FIRST, hrv_rmssd_ms=values), MODEL)
    assert frame.height == 58  # calendar days 1..58, the last with a value
    # day 7: days 1, 4, 7 in the window (3 mornings); day 8: 4 and 7 only (2 < 3)
    assert column(frame, "hrv_7d_values", range(7, 10)) == [3, 2, 2]
    assert column(frame, "hrv_status", range(7, 9)) == ["building baseline", "no data"]
    assert column(frame, "checked_in", range(7, 9)) == [True, False]
    # the 14th morning is day 40, so day 41 is the first judged (SD 0: the range is the mean, 60 ms, itself)
    assert row(frame, 41)["hrv_baseline_values"] == 14 and row(frame, 40)["hrv_baseline_values"] == 13
    assert row(frame, 43)["hrv_status"] == "normal" and row(frame, 43)["hrv_normal_low_ms"] == pytest.approx(60.0)


def test_resting_hr_above_its_baseline():
    # days 1..14 alternate 48 and 52 (mean 50); day 15 is 55: 5 above, not more; day 16 is 56 against the mean of
    # days 1..15, (7 x 48 + 7 x 52 + 55) / 15 = 50.333: 5.667 above, a warning
    rhr = [48.0 if i % 2 else 52.0 for i in range(1, 15)] + [55.0, 56.0]
    frame = readiness.signals(wellness_days(FIRST, resting_hr_bpm=rhr), MODEL)
    assert row(frame, 14)["resting_hr_baseline_bpm"] is None and row(frame, 14)["resting_hr_high"] is None
    assert row(frame, 15)["resting_hr_baseline_bpm"] == pytest.approx(50.0)
    assert (row(frame, 15)["resting_hr_delta_bpm"], row(frame, 15)["resting_hr_high"]) == (pytest.approx(5.0), False)
    assert row(frame, 16)["resting_hr_baseline_bpm"] == pytest.approx(755 / 15)
    assert row(frame, 16)["resting_hr_high"] is True and row(frame, 16)["level"] == "warn"
    assert row(frame, 16)["hrv_status"] == "no data"
    assert readiness.signals(wellness_days(FIRST, resting_hr_bpm=rhr),
                             ModelSettings(resting_hr_rise_bpm=6.0))["resting_hr_high"].to_list()[-1] is False


def test_short_sleep_high_soreness_and_illness():
    frame = readiness.signals(wellness_days(
        FIRST,
        sleep_h=[5.9, 6.0, None, 8.0, None, None],
        soreness=[3, 4, 5, None, None, None],
        illness=[None, None, False, True, None, None],
        mood=[None, None, None, None, None, 4],
    ), MODEL)
    assert frame["short_sleep"].to_list() == [True, False, None, False, None, None]
    assert frame["soreness_high"].to_list() == [False, True, True, None, None, None]
    assert frame["ill"].to_list() == [None, None, False, True, None, None]
    assert frame["level"].to_list() == ["warn", "warn", "warn", "flag", None, "ok"]  # day 5: no entry
    assert frame["checked_in"].to_list() == [True, True, True, True, False, True]
    later = readiness.signals(wellness_days(FIRST, sleep_h=[6.5], soreness=[3]),
                              ModelSettings(short_sleep_h=7.0, soreness_high=3))
    assert later.row(0, named=True)["short_sleep"] and later.row(0, named=True)["soreness_high"]


def test_no_wellness_gives_an_empty_frame_or_one_day_with_nothing_to_judge():
    empty = wellness_days(FIRST, sleep_h=[None])
    assert readiness.signals(empty, MODEL).is_empty()
    r = readiness.day_readiness(empty, FIRST, MODEL)
    assert (r["checked_in"], r["level"], r["flags"]) == (False, None, [])
    assert r["baselines"]["hrv"]["status"] == "no data" and set(r["values"].values()) == {None}


def test_one_days_readiness_as_plain_data_with_a_sentence_per_flag():
    n = 70
    daily = wellness_days(FIRST, hrv_rmssd_ms=hrv_series(),
                          sleep_h=[7.5] * (n - 1) + [5.25], soreness=[2] * (n - 1) + [4],
                          resting_hr_bpm=[50.0] * n, illness=[None] * (n - 1) + [True])
    r = readiness.day_readiness(daily, day(62), MODEL)
    assert r["date"] == "2026-03-03" and r["checked_in"] is True and r["level"] == "flag"
    assert r["values"]["sleep_h"] == 7.5 and r["values"]["soreness"] == 2 and r["values"]["note"] is None
    hrv = r["baselines"]["hrv"]
    assert hrv["status"] == "below normal" and hrv["values_needed"] == 14 and hrv["baseline_values"] == 60
    assert hrv["mean_7d_ms"] == pytest.approx(50 * math.exp(-0.1))  # 45.24 ms
    assert r["baselines"]["resting_hr"] == {"baseline_bpm": 50.0, "delta_bpm": 0.0, "baseline_values": 60,
                                            "values_needed": 14}
    # 50 x exp(-0.060240) = 47.08, 50 x exp(-0.0066667 + 0.053573) = 52.40
    assert r["flags"] == [{"key": "hrv_low", "level": "flag", "text": (
        "HRV's 7-day average, 45 ms, is below your normal range of 47-52 ms: your body is not absorbing the load "
        "well, so keep today easy.")}]
    last = readiness.day_readiness(daily, day(70), MODEL)
    assert [f["key"] for f in last["flags"]] == ["hrv_low", "ill", "short_sleep", "soreness_high"]  # flags first
    assert [f["level"] for f in last["flags"]] == ["flag", "flag", "warn", "warn"]
    texts = {f["key"]: f["text"] for f in last["flags"]}
    assert texts["short_sleep"] == "You slept 5.2 h, under 6 h: expect a hard session to feel harder than usual."
    assert texts["soreness_high"] == "Soreness is 4 of 5 (high): go easy on descents and impact today."
    # a day after the last entry: the 7-day HRV still judges it, nothing else does
    after = readiness.day_readiness(daily, day(71), MODEL)
    assert after["checked_in"] is False and [f["key"] for f in after["flags"]] == ["hrv_low"]


def test_rows_as_json_and_every_rule_has_a_sentence():
    daily = wellness_days(FIRST, resting_hr_bpm=[50.0] * 20 + [60.0], sleep_h=[None] * 20 + [4.0],
                          soreness=[None] * 20 + [5], illness=[None] * 20 + [True])
    frame = readiness.signals(daily, MODEL)
    rows = readiness.as_rows(frame)
    assert len(rows) == 21 and rows[0]["date"] == "2026-01-01" and rows[0]["flags"] == []
    assert rows[-1]["flags"] == ["resting_hr_high", "short_sleep", "soreness_high", "ill"]
    assert rows[-1]["level"] == Level.FLAG.value and rows[-1]["hrv_7d_ms"] is None
    for key in rows[-1]["flags"]:
        text = readiness.flag_text(key, frame.row(-1, named=True), MODEL)
        assert text.endswith(".") and "\n" not in text
    assert set(readiness.SIGNALS) == {"hrv_low", "hrv_high", "resting_hr_high", "short_sleep", "soreness_high", "ill"}


def test_an_unchanging_hrv_is_normal_not_a_rounding_flag():
    # 20 mornings of exactly 50 ms: the normal range is 50-50 ms, and the 7-day mean of 50 ms lies in it
    frame = readiness.signals(wellness_days(dt.date(2026, 1, 1), hrv_rmssd_ms=[50.0] * 20), ModelSettings())
    last = frame.row(-1, named=True)
    assert last["hrv_status"] == "normal" and last["hrv_low"] is False and last["hrv_high"] is False
