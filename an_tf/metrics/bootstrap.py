"""Percentile-bootstrap 95% intervals of a mean, and of a difference of two means (the samples
resampled independently), reproducible with a fixed seed.

Shape letters: N values of one sample, M of the other, B bootstrap resamples.
"""

import numpy as np

NUM_RESAMPLES = 10000  # bootstrap resamples; with BOOTSTRAP_SEED every interval is reproducible
BOOTSTRAP_SEED = 0
CONFIDENCE = 0.95


def as_sample(values):
    """`values` as a float64 (N,) array; one-line ValueError unless non-empty, 1-D, finite."""
    sample = np.asarray(values, np.float64)
    if sample.ndim != 1 or sample.size == 0 or not np.all(np.isfinite(sample)):
        raise ValueError(f"a sample must be a non-empty 1-D list of finite numbers, got {values!r}")
    return sample


def _resampled_means(sample, rng, num_resamples):
    """(B,) means of `sample` (N,) resampled with replacement."""
    indices = rng.integers(0, sample.size, size=(num_resamples, sample.size))
    return sample[indices].mean(axis=1)


def _interval(draws, confidence):
    tail = 100 * (1 - confidence) / 2
    low, high = np.percentile(draws, [tail, 100 - tail])
    return [float(low), float(high)]


def bootstrap_mean_ci(values, num_resamples=NUM_RESAMPLES, confidence=CONFIDENCE,
                      seed=BOOTSTRAP_SEED):
    """[low, high]: percentile-bootstrap interval of the mean of `values` (N,)."""
    rng = np.random.default_rng(seed)
    return _interval(_resampled_means(as_sample(values), rng, num_resamples), confidence)


def bootstrap_difference_ci(values, baseline, num_resamples=NUM_RESAMPLES, confidence=CONFIDENCE,
                            seed=BOOTSTRAP_SEED):
    """[low, high]: percentile-bootstrap interval of mean(values) − mean(baseline), each sample
    ((N,) and (M,)) resampled on its own (independent samples)."""
    rng = np.random.default_rng(seed)
    draws = (_resampled_means(as_sample(values), rng, num_resamples)
             - _resampled_means(as_sample(baseline), rng, num_resamples))
    return _interval(draws, confidence)
