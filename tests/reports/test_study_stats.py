"""The study statistics on fixed records, checked against independent computations: exact
permutation p-values enumerated here, the sample standard deviation, the tables' convention (the
bootstrap itself: tests/metrics/test_bootstrap.py)."""

import itertools
import math

import numpy as np
import pytest

from an_tf.reports import study_stats


def _u(values, baseline):
    """Pairs with values > baseline, ties counting half (the definition, by a double loop)."""
    return sum((v > b) + 0.5 * (v == b) for v in values for b in baseline)


def _exact_permutation_p(values, baseline):
    """Two-sided p of U by enumerating every split of the pooled sample (no ties)."""
    pooled, n = list(values) + list(baseline), len(values)
    expected = n * len(baseline) / 2
    observed = abs(_u(values, baseline) - expected)
    splits = list(itertools.combinations(range(len(pooled)), n))
    extreme = 0
    for chosen in splits:
        rest = [pooled[i] for i in range(len(pooled)) if i not in chosen]
        extreme += abs(_u([pooled[i] for i in chosen], rest) - expected) >= observed - 1e-12
    return extreme / len(splits)


def test_mann_whitney_hand_computed():
    u, p = study_stats.mann_whitney([1.0, 2.0, 3.0], [4.0, 5.0, 6.0, 7.0])
    assert u == 0.0  # no value of the first sample beats one of the second
    assert p == pytest.approx(2 / math.comb(7, 3))  # the two extreme splits of 35


@pytest.mark.parametrize("values, baseline", [
    ([0.82, 0.75, 0.86, 0.70], [0.74, 0.66, 0.71, 0.60, 0.52]),  # no ties: exact p
    ([31.0, 29.5, 8.9, 83.0, 35.2], [64.4, 43.6, 42.4, 40.9, 54.5, 78.4]),
    ([3.0, 9.0, 1.5], [2.0, 8.0, 4.0]),
])
def test_mann_whitney_matches_permutation_enumeration(values, baseline):
    u, p = study_stats.mann_whitney(values, baseline)
    assert u == _u(values, baseline)
    assert p == pytest.approx(_exact_permutation_p(values, baseline), abs=1e-12)


def test_sample_std_is_ddof_1_and_zero_for_one_value():
    assert study_stats.sample_std([1.0, 2.0, 3.0, 4.0]) == pytest.approx(np.sqrt(5 / 3))
    assert study_stats.describe([4.0])["std"] == 0.0
    assert study_stats.describe([2.0, 4.0])["std"] == pytest.approx(np.sqrt(2.0))  # not 1 (ddof=0)


def test_difference_interval_and_share():
    better, worse = [10.0, 11.0, 12.0, 13.0], [20.0, 21.0, 22.0, 23.0]
    result = study_stats.compare(better, worse, larger_is_better=False)
    assert result["difference"] == -10.0
    assert -13.0 <= result["ci"][0] <= -10.0 <= result["ci"][1] <= -7.0
    assert result["share_better"] == 1.0 and result["u"] == 0.0
    assert study_stats.compare(better, worse, larger_is_better=True)["share_better"] == 0.0


def test_study_statistics_and_tables_on_records():
    records = [{"arm": "an", "seed": s, "fd": fd, "accuracy": a}
               for s, (fd, a) in enumerate([(30.0, 0.8), (35.0, 0.7), (25.0, 0.9)])]
    records += [{"arm": "none", "seed": s, "fd": fd, "accuracy": a}
                for s, (fd, a) in enumerate([(50.0, 0.6), (45.0, 0.7), (55.0, 0.5)])]
    statistics = study_stats.study_statistics(
        records, metrics={"accuracy": ("accuracy", True), "fd": ("FD", False)})
    assert statistics["fd"]["arms"]["an"]["mean"] == 30.0
    assert statistics["fd"]["arms"]["an"]["std"] == pytest.approx(5.0)
    versus = statistics["fd"]["versus"]["none"]
    assert versus["difference"] == -20.0 and versus["p"] == pytest.approx(0.1)  # 2 of 20 splits
    assert statistics["accuracy"]["versus"]["none"]["share_better"] == pytest.approx(8.5 / 9)
    tables = study_stats.markdown_tables(statistics)
    assert "| an − none |" in tables and "30 ± 5 [" in tables
    assert "sample standard deviation (ddof=1)" in tables.splitlines()[0]


def test_bad_samples_refused():
    with pytest.raises(ValueError, match="non-empty"):
        study_stats.mann_whitney([], [1.0])
    with pytest.raises(ValueError, match="finite"):
        study_stats.describe([1.0, float("nan")])
