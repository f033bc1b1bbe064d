"""The percentile bootstrap of a mean (an_tf.metrics.bootstrap), checked against the exact
bootstrap distribution of a tiny sample and for coverage on simulated normal samples."""

import itertools

import numpy as np
import pytest

from an_tf.metrics import bootstrap


def test_bootstrap_of_a_constant_is_the_constant():
    assert bootstrap.bootstrap_mean_ci([2.5] * 6) == [2.5, 2.5]
    assert bootstrap.bootstrap_difference_ci([3.0] * 4, [1.0] * 5) == [2.0, 2.0]


def test_bootstrap_matches_the_exact_bootstrap_distribution():
    """With 5 values there are 5^5 equally likely resamples: their 2.5% and 97.5% quantiles."""
    values = np.array([0.0, 1.0, 2.0, 3.0, 10.0])
    means = np.sort([np.mean(values[list(i)]) for i in itertools.product(range(5), repeat=5)])
    low, high = bootstrap.bootstrap_mean_ci(values)
    assert low == pytest.approx(np.percentile(means, 2.5), abs=0.21)  # one atom (0.2) apart
    assert high == pytest.approx(np.percentile(means, 97.5), abs=0.21)
    assert bootstrap.bootstrap_mean_ci(values) == [low, high]  # fixed seed: reproducible


def test_bootstrap_interval_shape_and_coverage():
    rng = np.random.default_rng(123)
    samples = rng.normal(5.0, 2.0, size=(200, 20))
    intervals = np.array([bootstrap.bootstrap_mean_ci(s, num_resamples=2000, seed=i)
                          for i, s in enumerate(samples)])
    assert np.all(intervals[:, 0] <= samples.mean(1)) and np.all(samples.mean(1) <= intervals[:, 1])
    coverage = np.mean((intervals[:, 0] <= 5.0) & (5.0 <= intervals[:, 1]))
    assert 0.88 <= coverage <= 0.99  # percentile bootstrap at n=20: slightly under 95%
    # the interval's width follows the standard error 2/sqrt(20)*2*1.96 ~ 1.75
    assert np.mean(intervals[:, 1] - intervals[:, 0]) == pytest.approx(1.7, rel=0.15)


def test_bad_samples_refused():
    with pytest.raises(ValueError, match="non-empty"):
        bootstrap.bootstrap_mean_ci([])
    with pytest.raises(ValueError, match="finite"):
        bootstrap.bootstrap_difference_ci([1.0, float("nan")], [1.0])
