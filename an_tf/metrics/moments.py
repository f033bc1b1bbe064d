"""Streaming mean and covariance of feature vectors (FID's Gaussian), in float64.

Batches are merged with the pairwise update of Chan, Golub and LeVeque (1979), so that 50,000
samples never need to be held at once and no sum of squares loses precision by cancellation.

Shape letters: B batch, D feature size.
"""

import numpy as np


class RunningMoments:
    """Mean and covariance of all rows seen by `update`, equal to `np.cov(all_rows, rowvar=False)`.

    Example:
        >>> moments = RunningMoments()
        >>> for batch in batches: moments.update(batch)   # (B, D) each
        >>> mean, cov = moments.mean, moments.covariance()
    """

    def __init__(self, count=0, mean=None, m2=None):
        self.count = int(count)
        self.mean = None if mean is None else np.asarray(mean, np.float64)
        # The sum of the centred outer products (D, D).
        self.m2 = None if m2 is None else np.asarray(m2, np.float64)

    def update(self, features):
        """Adds the rows of `features` (B, D)."""
        features = np.asarray(features, np.float64)
        if features.ndim != 2:
            raise ValueError(f"RunningMoments.update needs features (B, D), got {features.shape}")
        if len(features):
            batch_mean = features.mean(axis=0)  # (D,)
            centred = features - batch_mean  # (B,D)
            self.merge(RunningMoments(len(features), batch_mean, centred.T @ centred))
        return self

    def merge(self, other):
        """Adds the rows summarised by another `RunningMoments`."""
        if other.count == 0:
            return self
        if self.count == 0:
            self.count, self.mean, self.m2 = other.count, other.mean.copy(), other.m2.copy()
            return self
        if other.mean.shape != self.mean.shape:
            raise ValueError(f"feature sizes differ: {self.mean.shape} vs {other.mean.shape}")
        total = self.count + other.count
        delta = other.mean - self.mean  # (D,)
        self.mean = self.mean + delta * (other.count / total)
        self.m2 = self.m2 + other.m2 + np.outer(delta, delta) * (self.count * other.count / total)
        self.count = total
        return self

    def covariance(self):
        """(D, D) unbiased covariance (ddof 1, as the published FID code's np.cov)."""
        if self.count < 2:
            raise ValueError(f"a covariance needs at least 2 samples, got {self.count}")
        return self.m2 / (self.count - 1)

    def state(self):
        """{"count", "mean", "m2"}: numpy arrays to save (see `from_state`)."""
        return {"count": np.int64(self.count), "mean": self.mean, "m2": self.m2}

    @classmethod
    def from_state(cls, state):
        return cls(int(state["count"]), state["mean"], state["m2"])
