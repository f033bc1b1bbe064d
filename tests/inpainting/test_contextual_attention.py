"""Vectorised contextual attention against a per-example port of CA's original code."""

import numpy as np
import pytest
import tensorflow as tf

from an_tf.inpainting.contextual_attention import ContextualAttention
from an_tf.inpainting.contextual_attention import contextual_attention
from an_tf.inpainting.contextual_attention import contextual_attention_scores


def ca_reference(f, b, mask, rate=2, ksize=3, fuse_k=3, scale=10.0):
    """CA's contextual_attention for ONE example (its loop body), with its convolutions."""
    height, width, channels = b.shape[1:]
    kernel = 2 * rate
    raw = tf.image.extract_patches(b, [1, kernel, kernel, 1], [1, rate, rate, 1], [1, 1, 1, 1],
                                   "SAME")
    raw = tf.transpose(tf.reshape(raw, [-1, kernel, kernel, channels]), [1, 2, 3, 0])
    f_ds, b_ds, m_ds = f[:, ::rate, ::rate], b[:, ::rate, ::rate], mask[:, ::rate, ::rate]
    h, w = f_ds.shape[1:3]
    wi = tf.image.extract_patches(b_ds, [1, ksize, ksize, 1], [1] * 4, [1] * 4, "SAME")
    wi = tf.transpose(tf.reshape(wi, [-1, ksize, ksize, channels]), [1, 2, 3, 0])
    m = tf.image.extract_patches(m_ds, [1, ksize, ksize, 1], [1] * 4, [1] * 4, "SAME")
    mm = tf.cast(tf.reduce_mean(tf.reshape(m, [-1, ksize * ksize]), axis=1) == 0.0, tf.float32)
    wi_normed = wi / tf.maximum(tf.sqrt(tf.reduce_sum(tf.square(wi), axis=[0, 1, 2])), 1e-4)
    yi = tf.nn.conv2d(f_ds, wi_normed, strides=1, padding="SAME")
    fuse = tf.reshape(tf.eye(fuse_k), [fuse_k, fuse_k, 1, 1])
    yi = tf.nn.conv2d(tf.reshape(yi, [1, h * w, h * w, 1]), fuse, 1, "SAME")
    yi = tf.transpose(tf.reshape(yi, [1, h, w, h, w]), [0, 2, 1, 4, 3])
    yi = tf.nn.conv2d(tf.reshape(yi, [1, h * w, h * w, 1]), fuse, 1, "SAME")
    yi = tf.transpose(tf.reshape(yi, [1, w, h, w, h]), [0, 2, 1, 4, 3])
    yi = tf.reshape(yi, [1, h, w, h * w]) * mm
    yi = tf.nn.softmax(yi * scale, axis=3) * mm
    out = tf.nn.conv2d_transpose(yi, raw, [1, height, width, channels], rate, "SAME") / 4.0
    return out, yi


@pytest.fixture
def inputs():
    rng = np.random.default_rng(0)
    x = tf.constant(rng.normal(size=(2, 12, 16, 3)), tf.float32)
    masks = np.zeros((2, 12, 16, 1), np.float32)
    masks[0, 2:8, 4:10] = 1.0
    masks[1, 6:12, 0:6] = 1.0  # a different hole per example
    return x, tf.constant(masks)


def test_matches_ca_per_example(inputs):
    x, masks = inputs
    output = contextual_attention(x, x, masks)
    scores = contextual_attention_scores(x, x, masks)
    for index in range(2):
        expected, expected_scores = ca_reference(x[index:index + 1], x[index:index + 1],
                                                 masks[index:index + 1])
        np.testing.assert_allclose(output[index:index + 1], expected, atol=1e-4)
        np.testing.assert_allclose(scores[index:index + 1], expected_scores, atol=1e-5)


def test_hole_patches_get_no_attention(inputs):
    x, masks = inputs
    scores = contextual_attention_scores(x, x, masks)  # (B,h,w,L)
    small = masks[:, ::2, ::2, 0].numpy()  # (B,h,w)
    padded = np.pad(small, [(0, 0), (1, 1), (1, 1)])
    touches_hole = np.zeros_like(small, bool)
    for dy in range(3):
        for dx in range(3):
            touches_hole |= padded[:, dy:dy + 6, dx:dx + 8] > 0
    weights = scores.numpy().reshape(2, 48, 48)
    assert np.all(weights[:, :, touches_hole.reshape(2, 48)[0]][0] == 0.0)
    assert np.all(weights[1][:, touches_hole.reshape(2, 48)[1]] == 0.0)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)


def test_layer(inputs):
    x, masks = inputs
    layer = ContextualAttention()
    assert layer(x, masks).shape == x.shape
    assert ContextualAttention.from_config(layer.get_config()).get_config() == layer.get_config()
    with pytest.raises(ValueError, match="rate"):
        ContextualAttention(rate=0)
