"""Streaming evaluation: quantization, batches split over replicas, FID / IS / Intra-FID of a
generator equal to the one-shot computation on all its samples."""

import numpy as np
import pytest
import tensorflow as tf

from an_tf.metrics.frechet import frechet_distance
from an_tf.metrics.generator_eval import InceptionProtocol, evaluate_generator, real_class_moments
from an_tf.metrics.inception_score import inception_score
from an_tf.metrics.stats_cache import cached_class_moments
from an_tf.metrics.streaming import DistributedMapper, noise_and_labels, quantize
from tests.cgan.helpers import two_cpu_strategy


def test_quantize_truncates_like_the_published_code():
    values = tf.constant([-2.0, -1.0, 0.0, 0.999, 1.0, 3.0])
    np.testing.assert_array_equal(quantize(values).numpy(), [0, 0, 127, 254, 255, 255])


@pytest.mark.parametrize("use_mirrored", [False, True])
def test_mapper_splits_any_batch_over_replicas(use_mirrored):
    strategy = two_cpu_strategy() if use_mirrored else None
    mapper = DistributedMapper(lambda x: {"y": 2.0 * x, "s": tf.reduce_sum(x, -1)}, strategy)
    x = np.arange(15, dtype=np.float32).reshape(5, 3)  # 5 rows: padded to 6 on two replicas
    outputs = mapper(x=x)
    np.testing.assert_array_equal(outputs["y"], 2 * x)
    np.testing.assert_array_equal(outputs["s"], x.sum(-1))


class _ToyGenerator:
    """images = tanh(z[:, :3] + label) broadcast over 4x4: a generator with known samples."""

    z_dim, num_classes = 3, 3

    def __call__(self, z, labels, training=False):
        colour = tf.tanh(z + tf.cast(labels, tf.float32)[:, None] * 0.5)  # (B,3)
        return tf.tile(colour[:, None, None, :], [1, 4, 4, 1])


def _toy_network(pixels):
    """Features = the pixel colour of the first position; logits = features."""
    features = tf.cast(pixels[:, 0, 0, :], tf.float32) / 64.0
    return features, features


def test_evaluate_generator_equals_one_shot_computation():
    protocol = InceptionProtocol(num_samples=60, num_splits=3, intra_fid_samples_per_class=20,
                                 batch_size=16, seed=5)
    generator = _ToyGenerator()
    real = real_class_moments(_toy_network, [
        {"image": np.tanh(np.random.default_rng(i).normal(size=(12, 4, 4, 3))),
         "label": np.arange(12) % 3} for i in range(3)])
    results = evaluate_generator(generator, _toy_network, real, protocol)

    z, labels = map(np.concatenate, zip(*noise_and_labels(60, 3, 3, 16, seed=5)))
    features = _toy_network(quantize(generator(z, labels)))[0].numpy().astype(np.float64)
    real_features = real.overall()
    expected_fid = frechet_distance(features.mean(0), np.cov(features.T), real_features.mean,
                                    real_features.covariance())
    assert results["fid"] == pytest.approx(expected_fid, rel=1e-9)
    assert results["inception_score"] == pytest.approx(inception_score(features, 3)[0], rel=1e-9)
    assert set(results["intra_fid_per_class"]) == {"0", "1", "2"}
    assert results["intra_fid"] == pytest.approx(np.mean(list(
        results["intra_fid_per_class"].values())))


def test_real_statistics_are_cached_by_key(tmp_path):
    calls = []

    def compute():
        calls.append(1)
        return real_class_moments(_toy_network, [{"image": np.zeros((4, 4, 4, 3)),
                                                  "label": [0, 0, 1, 1]}])

    key = dict(dataset="synthetic", split="train[:1%]", resolution=32, network="abc")
    first = cached_class_moments(str(tmp_path), compute, **key)
    second = cached_class_moments(str(tmp_path), compute, **key)
    cached_class_moments(str(tmp_path), compute, **{**key, "network": "other"})
    assert len(calls) == 2 and sorted(second.per_class) == sorted(first.per_class) == [0, 1]
    np.testing.assert_array_equal(second.per_class[1].mean, first.per_class[1].mean)
