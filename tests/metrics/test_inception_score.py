"""Inception Score: 1 for uniform, K for confident one-hot predictions over K classes, streaming
equal to the published one-shot formula."""

import numpy as np
import pytest

from an_tf.metrics.inception_score import InceptionScoreAccumulator, inception_score


def _published_is(preds, splits):
    """OpenAI's improved-GAN get_inception_score on probabilities (float64)."""
    scores = []
    for i in range(splits):
        part = preds[(i * preds.shape[0] // splits):((i + 1) * preds.shape[0] // splits), :]
        kl = part * (np.log(part) - np.log(np.expand_dims(np.mean(part, 0), 0)))
        scores.append(np.exp(np.mean(np.sum(kl, 1))))
    return np.mean(scores), np.std(scores)


def test_uniform_predictions_score_one():
    mean, std = inception_score(np.zeros((100, 7)), num_splits=10)
    assert mean == pytest.approx(1.0, abs=1e-12) and std == pytest.approx(0.0, abs=1e-12)


def test_one_hot_predictions_over_k_classes_score_k():
    logits = np.full((120, 6), -1e4)
    logits[np.arange(120), np.arange(120) % 6] = 0.0  # each split holds every class equally
    mean, _ = inception_score(logits, num_splits=10)
    assert mean == pytest.approx(6.0, rel=1e-9)


def test_streaming_equals_the_published_one_shot_formula():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(103, 9)) * 3
    probabilities = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    accumulator = InceptionScoreAccumulator(103, num_splits=4)
    for start, stop in ((0, 10), (10, 11), (11, 70), (70, 103)):
        accumulator.update(logits[start:stop])
    np.testing.assert_allclose(accumulator.result(), _published_is(probabilities, 4), rtol=1e-10)


def test_incomplete_or_overfull_input_fails():
    accumulator = InceptionScoreAccumulator(20, num_splits=2)
    accumulator.update(np.zeros((10, 3)))
    with pytest.raises(ValueError, match="10 of num_samples=20"):
        accumulator.result()
    with pytest.raises(ValueError, match="more than num_samples"):
        accumulator.update(np.zeros((11, 3)))
