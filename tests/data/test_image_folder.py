"""The image-folder reader: good files read, corrupt ones skipped and counted, crops."""

import numpy as np
from PIL import Image
import pytest
import tensorflow as tf

from an_tf.data import image_folder


def make_folder(root, sizes=((20, 30), (40, 24)), corrupt=True):
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for index, (height, width) in enumerate(sizes):
        pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(root / f"good_{index}.png")
    Image.fromarray(rng.integers(0, 256, (16, 16), dtype=np.uint8)).save(root / "gray.jpg")
    Image.fromarray(rng.integers(0, 256, (12, 18, 3), dtype=np.uint8)).save(root / "photo.tiff")
    (root / "notes.txt").write_text("not an image")
    if corrupt:
        (root / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
        data = (root / "good_0.png").read_bytes()
        (root / "truncated.png").write_bytes(data[: len(data) // 2])
    return root


def test_skips_and_counts_unreadable_files(tmp_path, caplog):
    folder = make_folder(tmp_path / "images")
    readable, skipped = image_folder.scan_image_folder(str(folder))
    assert sorted(p.rsplit("/", 1)[1] for p in skipped) == ["broken.png", "truncated.png"]
    assert len(readable) == 4
    images = list(image_folder.image_folder_dataset(str(folder)).as_numpy_iterator())
    assert sorted(i.shape for i in images) == sorted([(20, 30, 3), (40, 24, 3), (16, 16, 3),
                                                       (12, 18, 3)])
    assert all(i.dtype == np.uint8 for i in images)


def test_empty_or_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        image_folder.list_image_files(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no readable image"):
        image_folder.scan_image_folder(str(tmp_path / "empty"))


def test_crops():
    image = tf.constant(np.arange(50 * 60 * 3).reshape(50, 60, 3) % 256, tf.uint8)
    crop = image_folder.random_crop(image, 32, tf.constant([1, 2]))
    assert crop.shape == (32, 32, 3) and float(tf.reduce_min(crop)) >= -1.0
    np.testing.assert_array_equal(crop, image_folder.random_crop(image, 32, tf.constant([1, 2])))
    center = image_folder.center_crop(image, 32)
    expected = image.numpy()[9:41, 14:46].astype(np.float32) / 127.5 - 1
    np.testing.assert_allclose(center, expected, atol=1e-6)
    small = image_folder.center_crop(image[:10, :20], 32)  # upscaled first
    assert small.shape == (32, 32, 3)
    resized = image_folder.random_crop(image, 16, tf.constant([0, 0]), load_size=20)
    assert resized.shape == (16, 16, 3)
    np.testing.assert_array_equal(image_folder.to_uint8(expected), image.numpy()[9:41, 14:46])
