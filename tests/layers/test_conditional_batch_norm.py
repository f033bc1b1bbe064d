"""Tests of an_tf.layers.conditional_batch_norm against a float64 numpy reference."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from an_tf.layers.conditional_batch_norm import ConditionalBatchNormalization
from tests.cgan.helpers import two_cpu_strategy


def _reference(x, labels, gain, bias, epsilon):
    """Batch norm over (B, H, W) per channel, then the per-class affine, in float64."""
    x = x.astype(np.float64)
    mean = x.mean(axis=(0, 1, 2))
    variance = x.var(axis=(0, 1, 2))
    normalized = (x - mean) / np.sqrt(variance + epsilon)
    return normalized * gain[labels][:, None, None, :] + bias[labels][:, None, None, :]


def _random_layer(num_classes=3, channels=5, seed=0):
    layer = ConditionalBatchNormalization(num_classes)
    layer.build((None, 4, 4, channels))
    rng = np.random.default_rng(seed)
    gain = rng.normal(1.0, 0.5, (num_classes, channels)).astype("float32")
    bias = rng.normal(0.0, 0.5, (num_classes, channels)).astype("float32")
    layer.gain.embeddings.assign(gain)
    layer.bias.embeddings.assign(bias)
    return layer, gain, bias


def test_training_output_matches_reference():
    layer, gain, bias = _random_layer()
    rng = np.random.default_rng(1)
    x = rng.normal(2.0, 3.0, (6, 4, 4, 5)).astype("float32")
    labels = np.array([0, 1, 2, 2, 1, 0])
    outputs = layer(x, labels, training=True)
    np.testing.assert_allclose(outputs, _reference(x, labels, gain, bias, layer.epsilon),
                               rtol=1e-4, atol=1e-4)


def test_starts_as_plain_batch_norm_and_labels_select_rows():
    layer = ConditionalBatchNormalization(4)
    x = np.random.default_rng(2).normal(size=(4, 3, 3, 6)).astype("float32")
    plain = _reference(x, np.zeros(4, int), np.ones((1, 6)), np.zeros((1, 6)), layer.epsilon)
    np.testing.assert_allclose(layer(x, np.array([3, 2, 1, 0]), training=True), plain, atol=1e-4)
    layer.bias.embeddings.assign(np.arange(24, dtype="float32").reshape(4, 6))
    shifted = layer(x, np.array([3, 2, 1, 0]), training=True) - plain
    np.testing.assert_allclose(shifted[:, 0, 0, :], np.arange(24).reshape(4, 6)[::-1], atol=1e-4)


def test_inference_uses_moving_statistics():
    layer = ConditionalBatchNormalization(2, momentum=0.0)  # moving stats = last batch's
    x = np.random.default_rng(3).normal(1.0, 2.0, (8, 4, 4, 3)).astype("float32")
    labels = np.zeros(8, int)
    layer(x, labels, training=True)
    np.testing.assert_allclose(layer.batch_norm.moving_mean, x.mean(axis=(0, 1, 2)), atol=1e-5)
    shifted = layer(x + 5.0, labels, training=False)
    assert float(tf.reduce_mean(shifted)) > 1.0  # not re-normalized with the batch's own mean


def test_config_round_trip_and_validation():
    layer = ConditionalBatchNormalization(7, momentum=0.5, epsilon=1e-3, synchronized=False)
    clone = ConditionalBatchNormalization.from_config(layer.get_config())
    assert clone.get_config() == layer.get_config()
    with pytest.raises(ValueError, match="num_classes"):
        ConditionalBatchNormalization(0)
    with pytest.raises(ValueError, match="momentum"):
        ConditionalBatchNormalization(3, momentum=1.5)


def test_mixed_precision_output_dtype():
    keras.config.set_dtype_policy("mixed_float16")
    layer = ConditionalBatchNormalization(3)
    outputs = layer(tf.random.normal([2, 4, 4, 8]), tf.constant([0, 2]), training=True)
    assert outputs.dtype == tf.float16
    assert all(weight.dtype == "float32" for weight in layer.weights)


def test_statistics_synchronized_across_replicas():
    """Two replicas on halves of a batch give the one-device result on the whole batch."""
    strategy = two_cpu_strategy()
    x = np.random.default_rng(4).normal(size=(4, 3, 3, 2)).astype("float32")
    x[2:] += 3.0  # the halves have different statistics
    labels = np.array([0, 1, 0, 1])
    with strategy.scope():
        layer = ConditionalBatchNormalization(2, momentum=0.0)
        layer.build(x.shape)
    dataset = tf.data.Dataset.from_tensors((x, labels))
    batch = next(iter(strategy.experimental_distribute_dataset(dataset)))
    outputs = strategy.run(lambda x, y: layer(x, y, training=True), args=batch)
    replicated = np.concatenate([t.numpy() for t in strategy.experimental_local_results(outputs)])
    expected = _reference(x, labels, np.ones((2, 2)), np.zeros((2, 2)), layer.epsilon)
    np.testing.assert_allclose(replicated, expected, atol=1e-4)
    np.testing.assert_allclose(layer.batch_norm.moving_mean, x.mean(axis=(0, 1, 2)), atol=1e-5)


def test_class_weights_mix_the_rows():
    layer, gain, bias = _random_layer(num_classes=3, channels=5)
    x = np.random.default_rng(5).normal(size=(2, 4, 4, 5)).astype("float32")
    weights = np.array([[0.0, 1.0, 0.0], [0.25, 0.0, 0.75]], "float32")
    mixed = layer(x, weights, training=True)
    normalized = _reference(x, np.zeros(2, int), np.ones((1, 5)), np.zeros((1, 5)), layer.epsilon)
    expected = normalized * (weights @ gain)[:, None, None, :] + (weights @ bias)[:, None, None, :]
    np.testing.assert_allclose(mixed, expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(mixed[:1], layer(x, np.array([1, 0]), training=True)[:1], atol=1e-5)


def test_class_weights_under_mixed_precision():
    keras.config.set_dtype_policy("mixed_float16")
    layer = ConditionalBatchNormalization(3)
    outputs = layer(tf.random.normal([2, 4, 4, 8]), tf.constant([[1.0, 0, 0], [0, 0.5, 0.5]]),
                    training=True)
    assert outputs.dtype == tf.float16
