"""an_tf.ops.layout_palette: one colour per entity, the same in TensorBoard and in the demo."""

import numpy as np

from an_tf.demo import layouts
from an_tf.ops.layout_palette import PALETTE, entity_colours
from an_tf.training.summaries import layout_pictures


def _one_hot_layout(num_entities):
    """(1, 1, n, n) layout whose column k is won by entity k."""
    return np.eye(num_entities, dtype=np.float32)[None, None]


def test_demo_and_summaries_colour_each_entity_alike():
    num_entities = len(PALETTE) + 3  # also the cycled colours
    layout = _one_hot_layout(num_entities)
    summary = layout_pictures(layout)["argmax"][0, 0]  # (n, 3) in [-1, 1]
    summary_rgb = np.round((summary + 1.0) * 127.5).astype(np.uint8)
    demo_rgb = layouts.argmax_colours(layout[0], 1, num_entities)[0]  # (n, 3) uint8
    np.testing.assert_array_equal(summary_rgb, demo_rgb)
    np.testing.assert_array_equal(demo_rgb, entity_colours(np.arange(num_entities)))


def test_palette_colours_are_distinct_and_cycle():
    assert len({tuple(colour) for colour in PALETTE}) == len(PALETTE)
    np.testing.assert_array_equal(entity_colours(len(PALETTE) + 2), PALETTE[2])
    assert entity_colours(np.zeros((2, 3), int)).shape == (2, 3, 3)
