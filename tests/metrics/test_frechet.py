"""Fréchet distance: closed forms on known Gaussians, the published scipy formula,
FID(A, A) = 0."""

import numpy as np
import pytest
from scipy import linalg

from an_tf.metrics.frechet import frechet_distance


def _random_covariance(rng, size, samples=None):
    x = rng.normal(size=(samples or 3 * size, size)) @ rng.normal(size=(size, size))
    return np.cov(x, rowvar=False)


def _published_fid(mu1, sigma1, mu2, sigma2):
    """TTUR's calculate_frechet_distance (scipy sqrtm of the product), float64."""
    covmean, _ = linalg.sqrtm(sigma1.dot(sigma2), disp=False)
    diff = mu1 - mu2
    return diff.dot(diff) + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(covmean.real)


def test_diagonal_gaussians_match_the_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.5])
    var1, var2 = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    expected = ((mu1 - mu2) ** 2).sum() + ((np.sqrt(var1) - np.sqrt(var2)) ** 2).sum()
    assert frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2)) == pytest.approx(expected,
                                                                                      rel=1e-12)


def test_rotated_gaussians_match_the_closed_form():
    """Commuting covariances Q diag(a) Q^T, Q diag(b) Q^T: sum (sqrt(a) - sqrt(b))^2."""
    rng = np.random.default_rng(1)
    q, _ = np.linalg.qr(rng.normal(size=(8, 8)))
    a, b = rng.uniform(0.1, 3, 8), rng.uniform(0.1, 3, 8)
    distance = frechet_distance(np.zeros(8), q @ np.diag(a) @ q.T, np.ones(8), q @ np.diag(b) @ q.T)
    assert distance == pytest.approx(8 + ((np.sqrt(a) - np.sqrt(b)) ** 2).sum(), rel=1e-10)


def test_matches_the_published_scipy_formula():
    rng = np.random.default_rng(2)
    mu1, mu2 = rng.normal(size=32), rng.normal(size=32)
    sigma1, sigma2 = _random_covariance(rng, 32), _random_covariance(rng, 32)
    expected = _published_fid(mu1, sigma1, mu2, sigma2)
    assert frechet_distance(mu1, sigma1, mu2, sigma2) == pytest.approx(expected, rel=1e-8)


def test_same_gaussian_gives_zero_also_when_singular():
    rng = np.random.default_rng(3)
    sigma = _random_covariance(rng, 64, samples=20)  # rank 19 < 64, as FID with few samples
    mu = rng.normal(size=64)
    assert abs(frechet_distance(mu, sigma, mu, sigma)) < 1e-8 * np.trace(sigma)


def test_mismatched_shapes_fail_with_one_line():
    with pytest.raises(ValueError, match="covariances") as error:
        frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))
    assert "\n" not in str(error.value)
