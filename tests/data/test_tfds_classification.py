"""an_tf.data.tfds_classification with datasets prepared here by real tfds builders: keys, class
names, gray images, eval split, exact resume, and one-line errors."""

import numpy as np
import pytest

from an_tf.data import tfds_classification as tc
from tests.data import tiny_tfds

KEYS = {"image_key": "picture", "label_key": "fruit"}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("tfds"))
    tiny_tfds.prepare("tiny_fruits", path)
    return path


def test_names_splits_and_evaluation_dataset(data_dir):
    builder = tc.open_builder("tiny_fruits", data_dir, **KEYS)
    assert tc.class_names(builder, "fruit") == tiny_tfds.FRUITS
    assert tc.eval_split(builder) == "test"
    examples = list(tc.classification_dataset(builder, "test", 32, "picture", "fruit"))
    assert sorted(int(e["label"]) for e in examples) == [0, 0, 1, 1, 2, 2]  # tfds shuffles
    image = examples[0]["image"].numpy()
    assert image.shape == (32, 32, 3) and -1 <= image.min() < image.max() <= 1
    assert tc.identity(builder, "train", **KEYS) != tc.identity(builder, "test", **KEYS)


def test_stream_resumes_exactly(data_dir):
    builder = tc.open_builder("tiny_fruits", data_dir, **KEYS)

    def batches(start, count):
        stream = tc.classification_stream(builder, "train", 32, seed=5, start=start,
                                          shuffle_buffer=8, random_crop=True, random_flip=True,
                                          **KEYS)
        return [b["image"].numpy() for b in stream.batch(4).take(count)]

    straight = batches(0, 8)  # 32 examples: almost three epochs of 12
    for expected, actual in zip(straight[5:], batches(5 * 4, 3)):
        np.testing.assert_array_equal(expected, actual)


def test_gray_images_become_rgb(tmp_path):
    builder = tiny_tfds.prepare("tiny_gray_fruits", str(tmp_path))
    builder = tc.open_builder("tiny_gray_fruits", str(tmp_path), **KEYS)
    image = next(iter(tc.classification_dataset(builder, "train", 32, "picture", "fruit")))
    image = image["image"].numpy()
    np.testing.assert_array_equal(image[..., 0], image[..., 2])  # gray, three channels


@pytest.mark.parametrize("name, keys, match", [
    ("no_such_dataset_xyz", KEYS, "no dataset"),
    ("tiny_manual_fruits", KEYS, "tfds build tiny_manual_fruits"),
    ("tiny_rgba_fruits", KEYS, "4-channel"),
    ("tiny_fruits", {"image_key": "image", "label_key": "fruit"}, "--tfds_image_key"),
    ("tiny_fruits", {"image_key": "picture", "label_key": "label"}, "--tfds_label_key"),
])
def test_bad_datasets_are_one_line_errors(name, keys, match, data_dir, tmp_path):
    where = str(tmp_path) if name == "tiny_manual_fruits" else data_dir
    with pytest.raises(ValueError, match=match) as error:
        tc.open_builder(name, where, **keys)
    assert "\n" not in str(error.value)


def test_unknown_split_is_one_line(data_dir):
    builder = tc.open_builder("tiny_fruits", data_dir, **KEYS)
    with pytest.raises(ValueError, match="no split 'validation'"):
        tc.check_split(builder, "validation")
    assert tc.check_split(builder, "train[:50%]") == "train[:50%]"


def test_source_opens_the_builder_once_and_maps_the_splits(data_dir, monkeypatch):
    opened = []
    open_builder = tc.open_builder
    monkeypatch.setattr(tc, "open_builder", lambda *a, **k: opened.append(a) or open_builder(
        *a, **k))
    source = tc.TfdsSource("tiny_fruits", 32, data_dir, "train[:50%]", random_crop=True, **KEYS)
    assert source.classes_from_data and source.class_names() == tiny_tfds.FRUITS
    source.prepare()
    builder = source.builder()
    assert source.identity("eval") == tc.identity(builder, "test", **KEYS)  # the cache keys
    assert source.identity() == tc.identity(builder, "train[:50%]", **KEYS)
    assert len(list(source.real_dataset("eval"))) == 6
    plain = next(iter(source.training_stream(5, augment=False)))["image"].numpy()
    assert plain.shape == (32, 32, 3)
    assert len(opened) == 2  # class names (unprepared), then the prepared builder: once
    with pytest.raises(ValueError, match="no split 'validation'"):
        tc.TfdsSource("tiny_fruits", 32, data_dir, "validation", **KEYS).prepare()
