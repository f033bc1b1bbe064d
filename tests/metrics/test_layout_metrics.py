"""Layout metrics: the colour rule finds the real objects, IoU and entity usage stream correctly."""

import numpy as np

from an_tf.cgan.visualize import entity_usage
from an_tf.data.synthetic_shapes import best_entity_iou, load_synthetic_shapes
from an_tf.metrics.layout_metrics import LayoutStatistics, colour_object_mask, usage_from_counts


def _real(num=64, num_classes=8):
    return next(load_synthetic_shapes(32, num_classes, num, seed=11).batch(num).as_numpy_iterator())


def _iou(a, b):
    return (a & b).sum((1, 2)) / np.maximum((a | b).sum((1, 2)), 1)


def test_colour_rule_recovers_the_true_object_masks():
    batch = _real()
    truth = batch["mask"][..., 0] > 0.5
    masks = colour_object_mask(batch["image"], batch["label"])
    assert _iou(masks, truth).mean() > 0.9
    # With the wrong class's hue the rule finds (almost) nothing: it does look at the colour.
    wrong = colour_object_mask(batch["image"], (batch["label"] + 4) % 8)
    assert _iou(wrong, truth).mean() < 0.2


def test_layout_statistics_equal_one_shot_values():
    rng = np.random.default_rng(0)
    layouts = rng.dirichlet(np.ones(5) * 0.3, size=(6, 8, 8))  # (B,r,r,n)
    layouts[..., 4] = 0.0  # an entity that never wins
    masks = rng.random((6, 32, 32)) > 0.7
    statistics = LayoutStatistics("g_")
    for rows in (slice(0, 2), slice(2, 6)):
        statistics.update({"up": layouts[rows]}, masks[rows])
    values = statistics.result()
    assert np.isclose(values["g_layout_object_iou/up"], best_entity_iou(layouts, masks).mean())
    assert values["g_entities_used/up"] == entity_usage(layouts) == 4


def test_usage_threshold():
    assert usage_from_counts([980, 10, 10]) == 3 and usage_from_counts([991, 9]) == 1
