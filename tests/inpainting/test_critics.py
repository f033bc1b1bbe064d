"""CA's critics: shapes, widths, float32 logits, mask weighting, exact box crops."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from an_tf.inpainting import critics


def test_global_and_local_widths_and_shapes():
    global_critic = critics.GlobalCritic(64)
    assert global_critic(tf.zeros([2, 256, 256, 3])).shape == (2, 1)
    assert [c.filters for c in global_critic.convs] == [64, 128, 256, 256]
    assert all(c.kernel_size == (5, 5) and c.strides == (2, 2) for c in global_critic.convs)
    local_critic = critics.LocalCritic(4)
    assert local_critic(tf.zeros([3, 32, 32, 3])).shape == (3, 1)
    assert [c.filters for c in local_critic.convs] == [4, 8, 16, 32]
    assert local_critic.logits.kernel.shape == (2 * 2 * 32, 1)  # 32 / 2^4 = 2
    clone = critics.ConvCritic.from_config(local_critic.get_config())
    assert clone.get_config() == local_critic.get_config()


def test_logits_are_float32_under_mixed_precision():
    keras.config.set_dtype_policy("mixed_float16")
    critic = critics.GlobalCritic(4)
    assert critic(tf.zeros([1, 32, 32, 3])).dtype == tf.float32
    patch = critics.PatchCritic(4)
    assert patch(tf.zeros([1, 32, 32, 3]), tf.ones([1, 32, 32, 1])).dtype == tf.float32


def test_patch_critic_weights_patches_by_hole_fraction():
    critic = critics.PatchCritic(4)
    images = tf.random.uniform([1, 64, 64, 3], seed=3)
    masks = np.zeros((1, 64, 64, 1), np.float32)
    masks[0, :16, :16] = 1.0  # exactly the top-left patch of the 4x4 patch map
    value = critic(images, masks)
    patch_logits = critic.logits(_features(critic, images))  # (1,4,4,1)
    np.testing.assert_allclose(value[0, 0], patch_logits[0, 0, 0, 0], rtol=1e-5)
    assert critic(tf.zeros([2, 48, 80, 3]), tf.ones([2, 48, 80, 1])).shape == (2, 1)
    with pytest.raises(ValueError, match="masks"):
        critic(images)


def _features(critic, images):
    x = images
    for conv in critic.convs:
        x = conv(x)
        x = tf.maximum(x, 0.2 * x)
    return x


def test_crop_boxes_is_exact():
    images = np.arange(2 * 10 * 12 * 3, dtype=np.float32).reshape(2, 10, 12, 3)
    boxes = tf.constant([[0, 0, 4, 4], [5, 7, 4, 4]])
    crops = critics.crop_boxes(images, boxes, 4).numpy()
    np.testing.assert_allclose(crops[0], images[0, 0:4, 0:4], atol=1e-3)
    np.testing.assert_allclose(crops[1], images[1, 5:9, 7:11], atol=1e-3)
