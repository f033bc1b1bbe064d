"""Inception Score (Salimans et al., NeurIPS 2016) as the published code computes it:
IS = exp(E_x KL(p(y|x) || p(y))) over each of `num_splits` consecutive splits of the samples, p(y)
being the split's mean prediction; the mean and standard deviation (ddof 0) over the splits.

Streaming: per split, KL's expectation is  mean_x sum_y p log p  -  sum_y pbar log pbar  with
pbar = mean_x p, so only the sums of p and of p log p are kept.

Shape letters: B batch, K classes, N samples.
"""

import numpy as np
from scipy import special


def _probabilities(logits):
    logits = np.asarray(logits, np.float64)
    return special.softmax(logits, axis=-1)  # (B,K)


class InceptionScoreAccumulator:
    """IS of `num_samples` predictions given in batches of logits, in the order they come.

    The splits are the published code's slices [i * N // splits : (i + 1) * N // splits].
    """

    def __init__(self, num_samples, num_splits=10):
        if num_splits < 1 or num_samples < num_splits:
            raise ValueError(f"need num_samples >= num_splits >= 1, got {num_samples} samples, "
                             f"{num_splits} splits")
        self.num_samples, self.num_splits = int(num_samples), int(num_splits)
        self.seen = 0
        self.counts = np.zeros(num_splits, np.int64)
        self.probability_sums = None  # (splits,K)
        self.negentropy_sums = np.zeros(num_splits)  # sum_x sum_y p log p

    def update_probabilities(self, probabilities):
        """Adds predictions p(y|x) (B, K)."""
        probabilities = np.asarray(probabilities, np.float64)
        if self.seen + len(probabilities) > self.num_samples:
            raise ValueError(f"more than num_samples={self.num_samples} predictions given")
        if self.probability_sums is None:
            self.probability_sums = np.zeros((self.num_splits, probabilities.shape[-1]))
        index = np.arange(self.seen, self.seen + len(probabilities))
        starts = np.arange(self.num_splits) * self.num_samples // self.num_splits  # (splits,)
        splits = np.searchsorted(starts, index, side="right") - 1  # (B,)
        np.add.at(self.counts, splits, 1)
        np.add.at(self.probability_sums, splits, probabilities)
        np.add.at(self.negentropy_sums, splits, special.xlogy(probabilities, probabilities).sum(-1))
        self.seen += len(probabilities)

    def update(self, logits):
        """Adds predictions given as logits (B, K) (softmax in float64)."""
        self.update_probabilities(_probabilities(logits))

    def result(self):
        """(mean, std) of the per-split scores; all `num_samples` must have been given."""
        if self.seen != self.num_samples:
            raise ValueError(f"got {self.seen} of num_samples={self.num_samples} predictions")
        marginal = self.probability_sums / self.counts[:, None]  # (splits,K)
        kl = self.negentropy_sums / self.counts - special.xlogy(marginal, marginal).sum(-1)
        scores = np.exp(kl)
        return float(scores.mean()), float(scores.std())


def inception_score(logits, num_splits=10):
    """One-shot IS (mean, std) of logits (N, K)."""
    accumulator = InceptionScoreAccumulator(len(logits), num_splits)
    accumulator.update(logits)
    return accumulator.result()
