"""The Fréchet distance between two Gaussians, as FID uses it (Heusel et al., NeurIPS 2017):

    d^2 = |mu1 - mu2|^2 + tr(C1) + tr(C2) - 2 tr((C1 C2)^(1/2)).

Shape letters: D feature size.
"""

import numpy as np


def _psd_sqrt(matrix):
    """Symmetric square root of a symmetric positive semi-definite (D, D) matrix (float64)."""
    values, vectors = np.linalg.eigh(matrix)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def frechet_distance(mean1, cov1, mean2, cov2):
    """Squared Fréchet distance between N(mean1, cov1) and N(mean2, cov2), in float64.

    The trace term uses tr((C1 C2)^(1/2)) = tr((C1^(1/2) C2 C1^(1/2))^(1/2)): the right-hand
    matrix is symmetric positive semi-definite, so its eigenvalues are real and clipped at 0, where
    `scipy.linalg.sqrtm(C1 @ C2)` (the published code's) can return complex or NaN values for
    singular covariances (fewer samples than features) and needs an epsilon retry.

    Args:
        mean1, mean2: (D,) means; cov1, cov2: (D, D) covariances.
    Returns: a Python float.
    """
    mean1, mean2 = np.asarray(mean1, np.float64), np.asarray(mean2, np.float64)
    cov1, cov2 = np.asarray(cov1, np.float64), np.asarray(cov2, np.float64)
    size = mean1.shape[0] if mean1.ndim == 1 else -1
    for name, value, shape in (("mean2", mean2, (size,)), ("cov1", cov1, (size, size)),
                               ("cov2", cov2, (size, size))):
        if size < 0 or value.shape != shape:
            raise ValueError(f"frechet_distance needs means (D,) and covariances (D, D) of one D, "
                             f"got mean1 {mean1.shape} and {name} {value.shape}")
    root1 = _psd_sqrt((cov1 + cov1.T) / 2)
    middle = root1 @ cov2 @ root1  # (D,D), symmetric PSD
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    trace_sqrt = np.sqrt(np.clip(eigenvalues, 0.0, None)).sum()
    difference = mean1 - mean2
    distance = difference @ difference + np.trace(cov1) + np.trace(cov2) - 2.0 * trace_sqrt
    return float(max(distance, 0.0))
