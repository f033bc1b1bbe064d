"""Tests of image_grid, layout_pictures and SummaryWriter (PNG grids and TensorBoard events)."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from an_tf import training
from tests.training.summary_reading import image_tags, read_scalars


def test_image_grid_places_tiles_row_major_with_padding():
    images = np.stack([np.full((2, 3, 3), value, np.float32) for value in (-1.0, 0.0, 1.0)])
    grid = training.image_grid(images, ncols=2, padding=1)
    assert grid.shape == (2 * 2 + 1, 2 * 3 + 1, 3) and grid.dtype == np.uint8
    np.testing.assert_array_equal(grid[0:2, 0:3], 0)       # -1 -> 0
    np.testing.assert_array_equal(grid[0:2, 4:7], 128)     # 0 -> round(127.5) = 128
    np.testing.assert_array_equal(grid[3:5, 0:3], 255)     # 1 -> 255
    np.testing.assert_array_equal(grid[2, :], 0)           # padding row
    np.testing.assert_array_equal(grid[3:5, 4:7], 0)       # empty last cell


def test_image_grid_grayscale_square_default_and_clipping():
    images = np.full((5, 4, 4, 1), 3.0, np.float32)  # out of range: clipped to 1
    grid = training.image_grid(tf.constant(images), padding=0)
    assert grid.shape == (2 * 4, 3 * 4, 3)  # ceil(sqrt(5)) = 3 columns, 2 rows
    assert grid[:4, :12].min() == 255


def test_image_grid_rejects_bad_shapes():
    with pytest.raises(ValueError, match="images must have shape"):
        training.image_grid(np.zeros((4, 4, 3)))


def test_layout_pictures_argmax_colours_and_entity_normalisation():
    # One example, 2x2 positions, 3 entities; entity k wins where layout[..., k] is largest.
    layout = np.array([[[[0.7, 0.2, 0.1], [0.1, 0.8, 0.1]],
                        [[0.2, 0.2, 0.6], [0.6, 0.3, 0.1]]]], np.float32)  # (1, 2, 2, 3)
    pictures = training.layout_pictures(layout)
    argmax, entities = pictures["argmax"], pictures["entities"]
    assert argmax.shape == (1, 2, 2, 3) and entities.shape == (3, 2, 2, 3)
    assert argmax.min() >= -1 and argmax.max() <= 1
    np.testing.assert_array_equal(argmax[0, 0, 0], argmax[0, 1, 1])  # both entity 0
    assert not np.array_equal(argmax[0, 0, 0], argmax[0, 0, 1])      # entity 0 vs 1
    # Entity 0's map [[.7, .1], [.2, .6]] min-max normalised to [-1, 1] (float64 reference).
    expected = 2 * (np.array([[0.7, 0.1], [0.2, 0.6]]) - 0.1) / 0.6 - 1
    np.testing.assert_allclose(entities[0, ..., 0], expected, atol=1e-6)
    np.testing.assert_array_equal(entities[0, ..., 0], entities[0, ..., 2])  # grey


def test_layout_pictures_constant_map_is_zero_and_order_is_example_major():
    layout = np.zeros((2, 3, 3, 2), np.float32)
    layout[1, 0, 0, 1] = 1.0  # only example 1, entity 1 varies
    entities = training.layout_pictures(layout)["entities"]  # (B*n, H, W, 3)
    np.testing.assert_array_equal(entities[:3], 0.0)
    assert entities[3, 0, 0, 0] == 1.0 and entities[3, 1, 1, 0] == -1.0


def test_summary_writer_writes_events_and_png_grids(tmp_path):
    writer = training.SummaryWriter(str(tmp_path))
    writer.scalars(5, {"loss": 0.25, "d/real": np.float32(1.5)})
    images = np.random.default_rng(0).uniform(-1, 1, (4, 8, 8, 3)).astype(np.float32)
    paths = writer.write(5, {"samples": images, "gamma": tf.constant(0.5),
                             "entities": np.zeros((2, 3, 8, 8, 3), np.float32)})
    writer.close()
    logdir = tmp_path / "tensorboard"
    assert read_scalars(logdir, "loss") == [(5, 0.25)]
    assert read_scalars(logdir, "d/real") == [(5, 1.5)]
    assert read_scalars(logdir, "gamma") == [(5, 0.5)]
    assert image_tags(logdir) == {"samples": [5], "entities": [5]}
    assert paths["samples"] == str(tmp_path / "images" / "samples" / "5.png")
    png = np.asarray(Image.open(paths["samples"]))
    np.testing.assert_array_equal(png, training.image_grid(images))
    table = np.asarray(Image.open(tmp_path / "images" / "entities" / "5.png"))
    assert table.shape == (2 * 8 + 2, 3 * 8 + 2 * 2, 3)  # 2 rows of 3 tiles, padding 2


def test_summary_writer_rejects_other_ranks_and_disabled_writer_writes_nothing(tmp_path):
    writer = training.SummaryWriter(str(tmp_path / "on"))
    with pytest.raises(ValueError, match=r"not: \['vector'\]"):
        writer.write(1, {"vector": np.zeros(3)})
    disabled = training.SummaryWriter(str(tmp_path / "off"), enabled=False)
    disabled.write(1, {"samples": np.zeros((1, 4, 4, 3)), "loss": 1.0})
    disabled.close()
    assert not (tmp_path / "off").exists()
