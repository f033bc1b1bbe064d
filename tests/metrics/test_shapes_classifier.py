"""The shapes classifier: learns (above chance with a tiny budget), is cached, reloads equal."""

import numpy as np
import tensorflow as tf

from an_tf.metrics import shapes_classifier
from an_tf.metrics.generator_eval import real_class_moments
from an_tf.metrics.shapes_eval import real_shapes


def test_trains_once_then_loads_from_the_cache(tmp_path, monkeypatch):
    options = dict(resolution=32, num_classes=4, train_examples=256, epochs=2)
    first = shapes_classifier.load_or_train_classifier(str(tmp_path), **options)
    assert first.accuracy > 0.5  # chance is 0.25; the hue alone gives the class

    def no_training(*args, **kwargs):
        raise AssertionError("trained again instead of loading the cache")

    monkeypatch.setattr(shapes_classifier, "_train", no_training)
    second = shapes_classifier.load_or_train_classifier(str(tmp_path), **options)
    assert second.accuracy == first.accuracy and second.hash == first.hash
    pixels = tf.constant(np.random.default_rng(0).integers(0, 256, (3, 32, 32, 3)), tf.uint8)
    for a, b in zip(first(pixels), second(pixels)):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)
    moments = real_class_moments(second, real_shapes(32, 4, 40, batch_size=16))
    assert moments.overall().count == 40 and moments.overall().mean.shape == (64,)
