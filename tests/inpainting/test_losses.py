"""Inpainting losses against small hand-computed cases."""

import numpy as np
import pytest
import tensorflow as tf

from an_tf.inpainting import losses


def box_mask(size=7, top=1, bottom=6):
    mask = np.zeros((1, size, size, 1), np.float32)
    mask[0, top:bottom, top:bottom] = 1.0
    return tf.constant(mask)


def test_distance_and_discount_by_hand():
    distance = losses.distance_to_known(box_mask())[0, ..., 0].numpy()
    expected = np.zeros((7, 7))
    expected[1:6, 1:6] = 1
    expected[2:5, 2:5] = 2
    expected[3, 3] = 3
    np.testing.assert_array_equal(distance, expected)
    discount = losses.spatial_discount(box_mask(), gamma=0.5)[0, ..., 0].numpy()
    np.testing.assert_allclose(discount, np.where(expected > 0, 0.5 ** expected, 0.0))


def test_hole_covering_the_whole_image_terminates():
    distance = losses.distance_to_known(tf.ones([1, 4, 6, 1]))
    assert np.all(distance.numpy() == distance.numpy()[0, 0, 0, 0]) and distance[0, 0, 0, 0] > 0


def test_discounted_l1_by_hand():
    targets = tf.zeros([1, 7, 7, 1])
    predictions = tf.ones([1, 7, 7, 1])
    # Ring weights 0.5 (16 pixels), 0.25 (8), 0.125 (1), over 25 hole pixels.
    value = losses.discounted_l1(targets, predictions, box_mask(), gamma=0.5)
    np.testing.assert_allclose(value, (16 * 0.5 + 8 * 0.25 + 0.125) / 25, rtol=1e-6)
    with pytest.raises(ValueError, match="gamma"):
        losses.spatial_discount(box_mask(), gamma=1.5)


def test_known_region_l1_by_hand():
    targets = np.zeros((2, 2, 2, 1), np.float32)
    predictions = np.array([[[1, 2], [3, 4]], [[5, 5], [5, 5]]], np.float32)[..., None]
    masks = np.array([[[0, 1], [1, 1]], [[0, 0], [1, 1]]], np.float32)[..., None]
    # Example 0: one known pixel, error 1; example 1: two known pixels, errors 5 and 5.
    value = losses.known_region_l1(targets, predictions, masks)
    np.testing.assert_allclose(value, (1.0 + 5.0) / 2, rtol=1e-6)


def test_wasserstein_losses():
    real, fake = tf.constant([[1.0], [3.0]]), tf.constant([[0.5], [-0.5]])
    np.testing.assert_allclose(losses.critic_loss(real, fake), 0.0 - 2.0)
    np.testing.assert_allclose(losses.generator_adversarial_loss(fake), -0.0)


def test_gradient_penalty_with_a_linear_critic():
    rng = np.random.default_rng(0)
    weights = rng.normal(size=(1, 4, 4, 3)).astype(np.float32)
    masks = np.zeros((2, 4, 4, 1), np.float32)
    masks[0, 1:3, 1:3] = 1.0
    masks[1, :, 2:] = 1.0
    real = rng.normal(size=(2, 4, 4, 3)).astype(np.float32)
    fake = rng.normal(size=(2, 4, 4, 3)).astype(np.float32)
    alpha = np.array([0.3, 0.9], np.float32).reshape(2, 1, 1, 1)

    def critic(x):  # D(x) = <w, x>: its gradient is w everywhere
        return tf.reduce_sum(x * weights, axis=[1, 2, 3])

    value = losses.gradient_penalty(critic, real, fake, alpha, masks, epsilon=1e-8)
    norms = np.sqrt((weights.astype(np.float64) ** 2 * masks).sum(axis=(1, 2, 3)) + 1e-8)
    np.testing.assert_allclose(value, np.mean((norms - 1.0) ** 2), rtol=1e-5)
    unmasked = losses.gradient_penalty(critic, real, fake, alpha)
    np.testing.assert_allclose(
        unmasked, (np.sqrt((weights.astype(np.float64) ** 2).sum() + 1e-8) - 1) ** 2, rtol=1e-5)


def test_gradient_penalty_has_finite_gradients_at_zero_slope():
    scale = tf.Variable(0.0)
    x = tf.ones([2, 4, 4, 3])
    with tf.GradientTape() as tape:
        value = losses.gradient_penalty(lambda z: scale * tf.reduce_sum(z, [1, 2, 3]), x, x,
                                        tf.fill([2, 1, 1, 1], 0.5))
    gradient = tape.gradient(value, scale)
    assert np.isfinite(value.numpy()) and np.isfinite(gradient.numpy())
