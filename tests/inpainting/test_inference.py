"""Padding to the network's stride and cropping back, on an odd-sized image."""

import numpy as np
import tensorflow as tf

from an_tf.inpainting import inference
from tests.inpainting.helpers import tiny_generator


def test_pad_to_multiple():
    images, masks = inference.pad_to_multiple(tf.ones([1, 37, 51, 3]), tf.ones([1, 37, 51, 1]), 8)
    assert images.shape == (1, 40, 56, 3) and masks.shape == (1, 40, 56, 1)
    assert float(tf.reduce_sum(masks)) == 37 * 51  # padding is known (0), not hole


def test_complete_an_odd_sized_image():
    rng = np.random.default_rng(0)
    images = tf.constant(rng.uniform(-1, 1, (2, 37, 51, 3)), tf.float32)
    masks = np.zeros((2, 37, 51, 1), np.float32)
    masks[0, 10:20, 5:30] = 1.0
    masks[1, 0:5, 40:51] = 1.0
    for attention in ("an", "contextual"):
        outputs = inference.complete(tiny_generator(attention), images, masks)
        assert all(v.shape == (2, 37, 51, 3) for v in outputs.values())
        known = np.broadcast_to(masks == 0, images.shape)
        np.testing.assert_array_equal(outputs["completed"].numpy()[known], images.numpy()[known])
        hole = ~known
        np.testing.assert_allclose(outputs["completed"].numpy()[hole],
                                   outputs["refined"].numpy()[hole])
