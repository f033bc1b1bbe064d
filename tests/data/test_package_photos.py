"""The embedded photos load offline as RGB uint8, with disjoint splits."""

import numpy as np
import pytest

from an_tf.data import package_photos


def test_splits_are_disjoint_rgb_photos():
    assert not set(package_photos.TRAIN_PHOTOS) & set(package_photos.EVAL_PHOTOS)
    photos = package_photos.load_photos("eval")
    assert len(photos) == len(package_photos.EVAL_PHOTOS)
    assert all(p.dtype == np.uint8 and p.ndim == 3 and p.shape[-1] == 3 for p in photos)
    assert package_photos.load_photo("brick").shape == (512, 512, 3)  # grayscale -> RGB
    with pytest.raises(ValueError, match="split"):
        package_photos.load_photos("test")


def test_dataset_with_shorter_side():
    images = list(package_photos.package_photos_dataset("eval", shorter_side=40)
                  .as_numpy_iterator())
    assert len(images) == 2 and all(min(i.shape[:2]) == 40 for i in images)
    chelsea = package_photos.load_photo("chelsea")
    assert images[0].shape == (40, round(40 * chelsea.shape[1] / chelsea.shape[0]), 3)


def test_scene_subset_and_stereo_photo():
    scenes = package_photos.load_photos("train", subset="scenes")
    assert len(scenes) == len(package_photos.SCENE_PHOTOS)
    assert set(package_photos.SCENE_PHOTOS) <= set(package_photos.TRAIN_PHOTOS)
    assert package_photos.load_photo("stereo_motorcycle").shape == (500, 741, 3)  # left view
    assert len(package_photos.load_photos("eval", subset="scenes")) == 2  # eval is unchanged
    with pytest.raises(ValueError, match="subset"):
        package_photos.load_photos("train", subset="textures")
