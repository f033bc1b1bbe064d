"""Tests of an_tf.data.imagenet with tfds' mock data (no ImageNet needed)."""

import hashlib

import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from an_tf.data.imagenet import (ImageNetArchivesMissingError, ImageNetSource,
                                 centre_crop_and_resize, load_imagenet)


def test_mock_imagenet_examples():
    with tfds.testing.mock_data(num_examples=6):
        dataset = load_imagenet("train", resolution=32, seed=0)
        batch = next(iter(dataset.batch(6)))
    assert batch["image"].shape == (6, 32, 32, 3) and batch["image"].dtype == tf.float32
    assert batch["label"].dtype == tf.int32
    assert np.all((batch["label"] >= 0) & (batch["label"] < 1000))
    assert float(tf.reduce_min(batch["image"])) >= -1.0
    assert float(tf.reduce_max(batch["image"])) <= 1.0


def test_centre_crop_keeps_the_middle_square():
    image = np.zeros((4, 8, 3), np.uint8)
    image[:, 2:6] = 255  # the centre 4x4 square is white, the sides black
    square = centre_crop_and_resize(tf.constant(image), 2).numpy()
    np.testing.assert_allclose(square, np.ones((2, 2, 3)), atol=1e-5)
    tall = centre_crop_and_resize(tf.constant(np.transpose(image, (1, 0, 2))), 4).numpy()
    np.testing.assert_allclose(tall, np.ones((4, 4, 3)), atol=1e-5)
    gray = centre_crop_and_resize(tf.fill([6, 6, 3], tf.constant(0, tf.uint8)), 3).numpy()
    np.testing.assert_allclose(gray, -np.ones((3, 3, 3)), atol=1e-5)


def test_missing_archives_give_one_line_naming_the_manual_dir(tmp_path):
    manual = tmp_path / "manual"
    manual.mkdir()
    with pytest.raises(ImageNetArchivesMissingError) as error:
        load_imagenet("train", 32, data_dir=str(tmp_path / "tfds"), manual_dir=str(manual))
    message = str(error.value)
    assert str(manual) in message and "ILSVRC2012_img_train.tar" in message
    assert "\n" not in message


def test_source_splits_names_and_identity():
    source = ImageNetSource(resolution=32)
    names = source.class_names()
    assert len(names) == 1000 and names[0] == "n01440764"  # WordNet ids, no data needed
    version = tfds.builder("imagenet2012").version
    assert source.identity("eval") == hashlib.sha256(
        f"imagenet2012|eval|{version}".encode()).hexdigest()[:16]  # the cache keys of old runs
    assert source.picture_batch_fn(0) is None
    with tfds.testing.mock_data(num_examples=3):
        examples = list(source.real_dataset("eval"))
    assert len(examples) == 3 and examples[0]["image"].shape == (32, 32, 3)
