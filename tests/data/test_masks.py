"""Mask generators: invariants, determinism, per-example boxes, validation."""

import numpy as np
import pytest
import tensorflow as tf

from an_tf.data import masks as masks_lib


def assert_binary(masks, shape):
    assert masks.dtype == tf.float32 and tuple(masks.shape) == shape
    assert set(np.unique(masks.numpy())) <= {0.0, 1.0}


def test_random_box_masks():
    masks, boxes = masks_lib.random_box_masks(tf.constant([3, 4]), 16, 64, 48, box_size=32,
                                              max_shrink=4)
    assert_binary(masks, (16, 64, 48, 1))
    boxes = boxes.numpy()
    for mask, (top, left, height, width) in zip(masks.numpy()[..., 0], boxes):
        assert height == width == 32 and 0 <= top <= 32 and 0 <= left <= 16
        rows, cols = np.nonzero(mask)
        assert rows.min() >= top and rows.max() < top + 32 and cols.min() >= left
        assert cols.max() < left + 32
        dy, dx = rows.min() - top, cols.min() - left
        assert 0 <= dy <= 4 and 0 <= dx <= 4
        assert mask.sum() == (32 - 2 * dy) * (32 - 2 * dx)  # symmetric shrink, one rectangle
    assert len({tuple(b) for b in boxes}) > 1  # one box per example, not one per batch


def test_random_masks_are_seeded():
    first = masks_lib.make_masks("rect", tf.constant([1, 2]), 4, 32, 32, 16, 2)["masks"]
    again = masks_lib.make_masks("rect", tf.constant([1, 2]), 4, 32, 32, 16, 2)["masks"]
    other = masks_lib.make_masks("rect", tf.constant([1, 3]), 4, 32, 32, 16, 2)["masks"]
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)
    free = masks_lib.free_form_masks(tf.constant([5, 6]), 4, 40, 40)
    np.testing.assert_array_equal(free, masks_lib.free_form_masks(tf.constant([5, 6]), 4, 40, 40))


def test_centered_box_masks():
    masks, boxes = masks_lib.centered_box_masks(2, 256, 256, 128)
    assert_binary(masks, (2, 256, 256, 1))
    expected = np.zeros((256, 256))
    expected[64:192, 64:192] = 1
    np.testing.assert_array_equal(masks[1, ..., 0], expected)
    np.testing.assert_array_equal(boxes, [[64, 64, 128, 128]] * 2)


def test_free_form_masks():
    masks = masks_lib.free_form_masks(tf.constant([0, 1]), 8, 64, 64)
    assert_binary(masks, (8, 64, 64, 1))
    fractions = masks.numpy().mean(axis=(1, 2, 3))
    assert np.all(fractions > 0) and np.all(fractions < 0.9)
    assert len(set(fractions.tolist())) > 1


def test_make_masks_and_errors():
    out = masks_lib.make_masks("free_form", tf.constant([0, 0]), 2, 32, 32, 16)
    assert out["masks"].shape == (2, 32, 32, 1) and out["boxes"].shape == (2, 4)
    with pytest.raises(ValueError, match="mask_type"):
        masks_lib.make_masks("circle", tf.constant([0, 0]), 2, 32, 32)
    with pytest.raises(ValueError, match="box_size"):
        masks_lib.random_box_masks(tf.constant([0, 0]), 2, 32, 32, box_size=64)
    with pytest.raises(ValueError, match="max_shrink"):
        masks_lib.random_box_masks(tf.constant([0, 0]), 2, 32, 32, box_size=16, max_shrink=8)


def test_validate_masks():
    masks_lib.validate_masks(np.zeros((1, 4, 4, 1)), (1, 4, 4, 3))
    with pytest.raises(ValueError, match=r"\(B, H, W, 1\)"):
        masks_lib.validate_masks(np.zeros((1, 4, 4)))
    with pytest.raises(ValueError, match="do not match"):
        masks_lib.validate_masks(np.zeros((1, 4, 4, 1)), (1, 4, 5, 3))
    with pytest.raises(ValueError, match="only 0"):
        masks_lib.validate_masks(np.full((1, 4, 4, 1), 0.5))
