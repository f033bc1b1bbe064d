"""Tests of an_tf.data.synthetic_shapes: determinism, content, masks, and the layout score."""

import numpy as np
import pytest

from an_tf.data.synthetic_shapes import best_entity_iou, load_synthetic_shapes


def _batch(seed=0, resolution=32, num_classes=8, size=64):
    dataset = load_synthetic_shapes(resolution, num_classes, num_examples=size, seed=seed)
    return {k: v.numpy() for k, v in next(iter(dataset.batch(size))).items()}


def test_deterministic_from_seed_and_index():
    first, again, other = _batch(seed=3), _batch(seed=3), _batch(seed=4)
    for key in ("image", "label", "mask"):
        np.testing.assert_array_equal(first[key], again[key])
    assert not np.array_equal(first["image"], other["image"])
    # Example i does not depend on where the dataset starts.
    tail = load_synthetic_shapes(32, 8, num_examples=4, seed=3, first_index=60)
    np.testing.assert_array_equal(next(iter(tail.batch(4)))["image"], first["image"][60:])


def test_shapes_ranges_and_labels():
    batch = _batch(resolution=64, num_classes=5, size=100)
    assert batch["image"].shape == (100, 64, 64, 3) and batch["image"].dtype == np.float32
    assert batch["mask"].shape == (100, 64, 64, 1)
    assert batch["image"].min() >= -1.0 and batch["image"].max() <= 1.0
    assert set(np.unique(batch["mask"])) == {0.0, 1.0}
    assert set(batch["label"]) == set(range(5))
    area = batch["mask"].mean(axis=(1, 2, 3))
    assert area.min() > 0.01 and area.max() < 0.5  # always an object, never the whole image


def test_mask_marks_the_flat_coloured_object():
    batch = _batch(size=32)
    for image, mask in zip(batch["image"], batch["mask"][..., 0]):
        inside, outside = image[mask == 1], image[mask == 0]
        # The object is one saturated colour with mild shading, the background a texture.
        assert np.ptp(inside, axis=0).max() < 0.6
        assert np.abs(inside.mean(0) - outside.mean(0)).max() > 0.15


def test_classes_have_distinct_shapes():
    batch = _batch(size=400)
    # Shape families by compactness: area / bounding-box area differs (disk ~0.79, square ~1,
    # triangle ~0.5, ring/frame hollow ...), measured over many examples per class.
    fill = []
    for label in range(8):
        ratios = []
        for mask in batch["mask"][batch["label"] == label][..., 0]:
            rows, cols = np.nonzero(mask)
            box = (np.ptp(rows) + 1) * (np.ptp(cols) + 1)
            ratios.append(mask.sum() / box)
        fill.append(np.median(ratios))
    assert len(set(np.round(fill, 2))) >= 6, fill


def test_best_entity_iou_hand_computed():
    mask = np.zeros((1, 4, 4, 1))
    mask[0, :2, :2] = 1  # object: the top-left 2x2 quarter
    argmax = np.zeros((1, 4, 4), int)
    argmax[0, :2, :3] = 1  # entity 1 covers 6 cells including the 4 object cells
    layout = np.eye(3)[argmax]  # (1,4,4,3) one-hot
    assert best_entity_iou(layout, mask)[0] == pytest.approx(4 / 6)
    # A layout at half the resolution: the mask is area-downsampled first.
    coarse = np.eye(2)[np.array([[[1, 0], [0, 0]]])]  # (1,2,2,2), entity 1 = top-left cell
    assert best_entity_iou(coarse, mask)[0] == pytest.approx(1.0)
    uniform = np.zeros((1, 4, 4, 2))
    uniform[..., 0] = 1
    assert best_entity_iou(uniform, mask)[0] == pytest.approx(4 / 16)  # the object's area


def test_rejects_bad_arguments():
    with pytest.raises(ValueError, match="num_classes"):
        load_synthetic_shapes(32, 0)
    with pytest.raises(ValueError, match="resolution"):
        load_synthetic_shapes(4, 3)
