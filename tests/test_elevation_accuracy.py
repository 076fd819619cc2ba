"""Computed ascent against truth (sample_fit) and against the devices (shared corpus)."""

from __future__ import annotations

import csv

import polars as pl
import pytest
from builders import SAMPLE_FIT, requires_corpus

from trainlog import Store, import_paths
from trainlog.analysis.pipeline import activity_metrics
from trainlog.settings import AthleteSettings


def _index() -> list[dict[str, str]]:
    with open(SAMPLE_FIT / "index.csv", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def sample_metrics(tmp_path_factory):
    """Every sample file with altitude, imported, with its metrics and its truth."""
    store = Store(tmp_path_factory.mktemp("elev") / "data")
    rows = [r for r in _index() if r["has_altitude"] == "1" and not r["duplicate_of"]]
    frames = []
    for athlete in sorted({r["athlete"] for r in rows}):
        files = [SAMPLE_FIT / r["file"] for r in rows if r["athlete"] == athlete]
        import_paths(store, files, athlete)
        acts, samples = store.read("activities", athlete), store.read("samples", athlete)
        raw = (
            samples.sort("activity_id", "timestamp")
            .group_by("activity_id")
            .agg(pl.col("altitude_m").diff().clip(lower_bound=0).sum().alias("raw_ascent_m"))
        )
        frames.append(
            activity_metrics(acts, samples, AthleteSettings())
            .join(raw, on="activity_id")
            .join(acts.select("activity_id", "source_file"), on="activity_id")
        )
    truth = pl.DataFrame(
        {"source_file": [str(SAMPLE_FIT / r["file"]) for r in rows], "true_ascent_m": [float(r["true_ascent_m"]) for r in rows]}
    )
    return pl.concat(frames).join(truth, on="source_file")


def test_computed_ascent_within_3_percent_of_truth_while_raw_sum_is_far_off(sample_metrics):
    m = sample_metrics.filter(pl.col("true_ascent_m") > 0).with_columns(
        ((pl.col("ascent_computed_m") - pl.col("true_ascent_m")) / pl.col("true_ascent_m")).alias("err"),
        ((pl.col("raw_ascent_m") - pl.col("true_ascent_m")) / pl.col("true_ascent_m")).alias("raw_err"),
    )
    assert m.height > 150
    worst = m.sort(pl.col("err").abs(), descending=True).row(0, named=True)
    assert worst["err"] == pytest.approx(0, abs=0.03), worst
    # the raw sum of positive differences turns barometric noise into climbing
    # (it grows with the number of samples: worst on long, gently rolling runs)
    print(f"computed: worst {worst['err']:+.1%}; raw sum: median {m['raw_err'].median():+.1%}, max {m['raw_err'].max():+.1%}")
    assert m["raw_err"].median() > 0.25
    assert m["raw_err"].max() > 0.5
    assert (m["raw_err"].abs() > m["err"].abs()).mean() > 0.95


@requires_corpus
@pytest.mark.slow
def test_computed_ascent_against_the_devices_own_totals(corpus_import):
    """Median and 90th percentile of |computed - device| / device over the corpus.

    Bound: median below 10 %, 90th percentile below 35 %. The devices are not the
    truth: each filters altitude its own way (barometric or GPS altitude, Garmin
    applies its own smoothing and thresholds, some count only 1 m or 5 m steps,
    some bike computers use GPS altitude which our 3 m hysteresis counts
    differently), as the corpus README warns. Activities with under 50 m of device
    ascent are left out, where a few metres are a large fraction. A regression to
    the naive raw sum would break the bound (it roughly doubles the error).
    """
    store, _ = corpus_import
    acts, samples = store.read("activities", "corpus"), store.read("samples", "corpus")
    m = activity_metrics(acts, samples, AthleteSettings()).filter(
        (pl.col("ascent_device_m") >= 50) & pl.col("ascent_computed_m").is_not_null()
    )
    rel = ((m["ascent_computed_m"] - m["ascent_device_m"]).abs() / m["ascent_device_m"])
    median, p90 = rel.median(), rel.quantile(0.9)
    print(f"corpus ascent vs device: n={m.height} median={median:.1%} p90={p90:.1%}")
    assert m.height > 100
    assert median < 0.10
    assert p90 < 0.35


#: Runs whose device total is at least this many metres enter the accuracy bound below.
DEVICE_MIN_M = 100.0
#: The bound on the median of |computed - device| / device over those runs (issue 11).
MEDIAN_BOUND = 0.04


@requires_corpus
@pytest.mark.slow
def test_computed_ascent_within_4_percent_of_the_devices_on_runs_of_100_m(corpus_import):
    """Median |computed - device| / device over the corpus runs with a device total of at least 100 m.

    Prints the table (``pytest -s``), worst last: every run's device and computed
    totals, the relative error, the altitude samples dropped as spikes and the
    ascent flag. The median was 3.80 % before the spike filter and the -500 m
    rule (issue 11), 3.84 % after: of these 101 runs ten changed, by 9.4 m at
    most (a 12 m dip for three seconds at the start of a Fenix 2 leg, a -59 m
    spike just before a pause: their rebounds were counted as climbing), and
    roznet-FitFileParser_running.fit crossed the median. The large corrections
    are on runs under 100 m of device total (a TomTom ride whose device said 0 m:
    1,044 m computed before, 319 m after; a Fenix 2 run: 127 m before, 61 m
    after, the device 64 m).
    """
    store, _ = corpus_import
    acts, samples = store.read("activities", "corpus"), store.read("samples", "corpus")
    m = (
        activity_metrics(acts, samples, AthleteSettings())
        .join(acts.select("activity_id", "source_file"), on="activity_id")
        .filter((pl.col("ascent_device_m") >= DEVICE_MIN_M) & pl.col("ascent_computed_m").is_not_null())
        .with_columns(
            rel=(pl.col("ascent_computed_m") - pl.col("ascent_device_m")).abs() / pl.col("ascent_device_m"),
            file=pl.col("source_file").str.split("/").list.last(),
        )
        .sort("rel", "file")
    )
    median = m["rel"].median()
    lines = [f"{'file':<62} {'sport':<10} {'device m':>9} {'computed m':>10} {'error':>7} {'spikes':>6}  flag"]
    for r in m.iter_rows(named=True):
        lines.append(
            f"{r['file'][:62]:<62} {(r['sport'] or '-')[:10]:<10} {r['ascent_device_m']:>9.0f} "
            f"{r['ascent_computed_m']:>10.1f} {r['rel']:>7.1%} {r['altitude_spikes']:>6}  {r['ascent_flag'] or ''}"
        )
    lines.append(f"runs with a device total >= {DEVICE_MIN_M:.0f} m: n={m.height} median={median:.2%} "
                 f"(bound {MEDIAN_BOUND:.0%})")
    print("\n" + "\n".join(lines))
    assert m.height > 90
    assert median <= MEDIAN_BOUND
