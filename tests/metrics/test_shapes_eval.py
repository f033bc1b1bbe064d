"""Download-free evaluation of a generator: the same numbers on one device and on two replicas,
and against a one-shot recomputation of the accuracy."""

import numpy as np
import pytest

from an_tf.metrics.generator_eval import real_class_moments
from an_tf.metrics.shapes_classifier import ShapesClassifier, build_classifier
from an_tf.metrics.shapes_eval import (chance_layout_iou, evaluate_generator_on_shapes,
                                       real_shapes)
from an_tf.metrics.streaming import noise_and_labels, quantize
from tests.cgan.helpers import tiny_generator, two_cpu_strategy


def test_same_metrics_under_default_and_mirrored_strategies():
    generator = tiny_generator()
    classifier = ShapesClassifier(build_classifier(32, 4), None, "untrained")
    real = real_class_moments(classifier, real_shapes(32, 4, 24, batch_size=12))
    results = [evaluate_generator_on_shapes(generator, classifier, real, num_samples=13,
                                            batch_size=5, num_splits=2, strategy=strategy)
               for strategy in (None, two_cpu_strategy())]
    assert results[0].keys() == results[1].keys()
    for name, value in results[0].items():
        assert results[1][name] == pytest.approx(value, rel=1e-4, abs=1e-6), name
    z, labels = map(np.concatenate, zip(*noise_and_labels(13, 8, 4, 5, seed=0)))
    _, logits = classifier(quantize(generator(z, labels, training=False)))
    assert results[0]["accuracy"] == pytest.approx(np.mean(np.argmax(logits, -1) == labels))
    assert 1 <= results[0]["g_entities_used/up_block_32_an"] <= 4


def test_chance_layout_iou_is_the_object_area():
    batches = list(real_shapes(32, 4, 20, batch_size=10))
    area = np.mean([batch["mask"].mean() for batch in batches])
    assert chance_layout_iou(batches) == pytest.approx(area, rel=0.05)
