"""Streaming statistics equal the one-shot ones (float64 references)."""

import numpy as np
import pytest

from an_tf.metrics.intra_fid import ClassMoments, intra_fid
from an_tf.metrics.frechet import frechet_distance
from an_tf.metrics.moments import RunningMoments


def _batches(x, sizes):
    start = 0
    for size in sizes:
        yield x[start:start + size]
        start += size


def test_streaming_mean_and_covariance_equal_one_shot():
    # A large offset: naive sums of squares in float32 would lose most digits here.
    x = np.random.default_rng(0).normal(size=(103, 7)).astype(np.float32) + 1e4
    moments = RunningMoments()
    for batch in _batches(x, [1, 10, 0, 50, 42]):
        moments.update(batch)
    reference = x.astype(np.float64)
    assert moments.count == 103
    np.testing.assert_allclose(moments.mean, reference.mean(0), rtol=1e-13)
    np.testing.assert_allclose(moments.covariance(), np.cov(reference, rowvar=False),
                               rtol=1e-9, atol=1e-12)


def test_state_round_trip_and_merge():
    x = np.random.default_rng(1).normal(size=(30, 4))
    first, second = RunningMoments().update(x[:12]), RunningMoments().update(x[12:])
    merged = RunningMoments.from_state(first.state()).merge(second)
    np.testing.assert_allclose(merged.covariance(), np.cov(x, rowvar=False), rtol=1e-12)


def test_covariance_needs_two_samples():
    with pytest.raises(ValueError, match="at least 2"):
        RunningMoments().update(np.ones((1, 3))).covariance()


def test_class_moments_and_intra_fid_match_per_class_references():
    rng = np.random.default_rng(2)
    real_x, real_y = rng.normal(size=(60, 3)), np.arange(60) % 3
    fake_x, fake_y = rng.normal(size=(45, 3)) + 0.5, np.arange(45) % 3
    real, fake = ClassMoments(), ClassMoments()
    for rows in (slice(0, 25), slice(25, 60)):
        real.update(real_x[rows], real_y[rows])
    fake.update(fake_x, fake_y)
    expected = [frechet_distance(fake_x[fake_y == c].mean(0), np.cov(fake_x[fake_y == c].T),
                                 real_x[real_y == c].mean(0), np.cov(real_x[real_y == c].T))
                for c in range(3)]
    mean, per_class = intra_fid(fake, real)
    np.testing.assert_allclose([per_class[c] for c in range(3)], expected, rtol=1e-10)
    assert mean == pytest.approx(np.mean(expected))
    np.testing.assert_allclose(real.overall().covariance(), np.cov(real_x.T), rtol=1e-12)
    restored = ClassMoments.from_state(real.state())
    assert intra_fid(fake, restored)[0] == pytest.approx(mean, rel=1e-12)


def test_intra_fid_without_real_class_fails():
    real = ClassMoments().update(np.ones((4, 2)), [0, 0, 0, 0])
    fake = ClassMoments().update(np.ones((4, 2)), [1, 1, 1, 1])
    with pytest.raises(ValueError, match=r"classes \[1\]"):
        intra_fid(fake, real)
