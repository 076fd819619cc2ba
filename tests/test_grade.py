"""Windowed grade, Minetti cost and grade-adjusted distance (hand-worked values)."""

import numpy as np
import polars as pl
import pytest

from trainlog.analysis import elevation, grade
from trainlog.settings import ModelSettings

MODEL = ModelSettings()


def cost(i):
    return pl.select(grade.minetti_cost(pl.lit(i), MODEL)).item()


def test_minetti_cost_on_the_flat_uphill_and_downhill():
    assert cost(0.0) == pytest.approx(3.6)
    # i = 0.1: 155.4e-5 - 30.4e-4 - 43.3e-3 + 46.3e-2 + 1.95 + 3.6
    #        = 0.001554 - 0.00304 - 0.0433 + 0.463 + 1.95 + 3.6 = 5.968214
    assert cost(0.1) == pytest.approx(5.968214, abs=1e-9)
    # i = -0.1: -0.001554 - 0.00304 + 0.0433 + 0.463 - 1.95 + 3.6 = 2.151706
    assert cost(-0.1) == pytest.approx(2.151706, abs=1e-9)


def test_minetti_cost_is_held_beyond_45_percent():
    # i = 0.45: 155.4 * 0.0184528125 - 30.4 * 0.04100625 - 43.3 * 0.091125 + 46.3 * 0.2025 + 19.5 * 0.45 + 3.6
    #         = 2.86756706 - 1.246590 - 3.9457125 + 9.37575 + 8.775 + 3.6 = 19.42601456
    assert cost(0.45) == pytest.approx(19.42601456, abs=1e-6)
    assert cost(0.8) == pytest.approx(19.42601456, abs=1e-6)
    assert cost(-0.8) == pytest.approx(cost(-0.45))


def test_gap_factor_is_cost_over_flat_cost():
    factor = pl.select(grade.gap_factor(pl.lit(0.1), MODEL)).item()
    assert factor == pytest.approx(5.968214 / 3.6)  # 1.657837


def frame(distance, altitude):
    n = len(distance)
    return pl.DataFrame(
        {"activity_id": ["a"] * n, "distance_cum_m": distance, "altitude_clean_m": altitude},
        schema={"activity_id": pl.String, "distance_cum_m": pl.Float64, "altitude_clean_m": pl.Float64},
    )


def test_grade_uses_a_10_m_window_not_sample_to_sample():
    # samples every 5 m; flat to 20 m, then +1 m per 5 m (20 %)
    distance = [0.0, 5, 10, 15, 20, 25, 30, 35, 40]
    altitude = [0.0, 0, 0, 0, 0, 1, 2, 3, 4]
    got = grade.window_grade(frame(distance, altitude), MODEL).to_list()
    # d=0: j at d=10, (0-0)/10 = 0;   d=5: j at 15, 0;   d=10: j at 20, 0
    # d=15: j at 25, (1-0)/10 = 0.1;  d=20..30: 2/10 = 0.2
    # d=35, 40: no sample 10 m ahead -> the last grade (0.2)
    assert got == pytest.approx([0, 0, 0, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2])


def test_grade_is_clipped_to_100_percent():
    got = grade.window_grade(frame([0.0, 10, 20], [0.0, 30, 60]), MODEL).to_list()
    assert got == pytest.approx([1.0, 1.0, 1.0])  # 30 m up over 10 m = 300 % -> 100 %


def test_grade_without_altitude_or_distance_is_flat():
    got = grade.window_grade(frame([None, None], [None, None]), MODEL).to_list()
    assert got == [0.0, 0.0]


def test_missing_altitude_inside_the_window_is_skipped():
    # j for d=0 is the first sample >= 10 m with an altitude: d=20 -> (2-0)/20 = 0.1
    got = grade.window_grade(frame([0.0, 10, 20], [0.0, None, 2.0]), MODEL).to_list()
    assert got[0] == pytest.approx(0.1)


# ---- the compiled pass (issue 17): bit for bit the join, from COMPILED_FROM_SAMPLES samples on

def both_paths(samples, model=MODEL):
    """window_grade of ``samples`` by the join and by the compiled pass (Numba importable), as bits."""
    before = elevation.COMPILED_FROM_SAMPLES
    elevation.COMPILED_FROM_SAMPLES = 0
    try:
        compiled = grade.window_grade(samples, model)
    finally:
        elevation.COMPILED_FROM_SAMPLES = before
    joined = grade._joined_grade(samples, model)
    assert compiled.name == joined.name == "grade" and compiled.dtype == joined.dtype == pl.Float64
    return [s.to_numpy().view(np.uint64).tolist() for s in (compiled, joined)]


def activities_frame(rng, n_activities):
    """Activities of 1-30 samples: distances with repeats and nulls before the first, altitudes with nulls and
    signed zeros, some activity without any distance or altitude."""
    ids, distance, altitude = [], [], []
    for a in range(n_activities):
        n = int(rng.integers(1, 30))
        steps = rng.choice([0.0, 0.5, 1.0, 2.5, 5.0, 10.0, 12.0], n)
        d = (np.cumsum(steps) + rng.choice([0.0, 100.0, -5.0])).tolist()
        unknown = int(rng.integers(0, 4)) if rng.random() < 0.3 else 0
        d = [None] * n if rng.random() < 0.1 else [None] * min(unknown, n) + d[unknown:]
        alt = [None if rng.random() < 0.3 else float(rng.choice([0.0, -0.0, 1.0, 3.0, 100.0, 55.5, 1e3]))
               for _ in range(n)]
        ids += [f"run-{a}"] * n
        distance += d
        altitude += alt
    return pl.DataFrame({"activity_id": ids, "distance_cum_m": distance, "altitude_clean_m": altitude},
                        schema={"activity_id": pl.String, "distance_cum_m": pl.Float64, "altitude_clean_m": pl.Float64})


@pytest.mark.parametrize("model", [MODEL, ModelSettings(grade_window_m=1.0), ModelSettings(grade_clip=0.1)])
def test_the_compiled_pass_is_the_join_bit_for_bit(model):
    if elevation._compiled(grade._grade_kernel) is None:
        pytest.skip("Numba is not importable here")
    rng = np.random.default_rng(17)
    for _ in range(300):
        compiled, joined = both_paths(activities_frame(rng, int(rng.integers(1, 6))), model)
        assert compiled == joined


def test_infinite_and_nan_values_and_null_ids_are_as_the_join():
    if elevation._compiled(grade._grade_kernel) is None:
        pytest.skip("Numba is not importable here")
    inf, nan = float("inf"), float("nan")
    for distance, altitude in [([0.0, 5.0, inf, inf], [1.0, 2.0, 3.0, 4.0]), ([-inf, -inf, 0.0, 20.0], [1.0, 2.0, 3.0, None]),
                               ([0.0, 10.0, 20.0], [nan, 1.0, 2.0]), ([0.0, nan, 20.0, 30.0], [1.0, 2.0, 3.0, 4.0])]:
        compiled, joined = both_paths(frame(distance, altitude))
        assert compiled == joined
    with_null_ids = frame([0.0, 10.0, 0.0, 10.0], [0.0, 1.0, 5.0, 4.0]).with_columns(
        activity_id=pl.Series(["a", "a", None, None]))
    compiled, joined = both_paths(with_null_ids)
    assert compiled == joined
