"""The download-free classifier of any labelled dataset (data_classifier, references): trained
once on a tiny image folder with a held-out part, cached under the data's identity (a changed
folder trains a new one, and gets new real statistics), and its one-line refusals."""

import os

import numpy as np
import pytest

from an_tf.cgan import pipeline
from an_tf.cgan.evaluation import references
from an_tf.metrics import data_classifier
from an_tf.metrics.classifier_eval import evaluate_with_classifier
from tests.cgan.helpers import tiny_generator
from tests.data.labelled_images import save

RESOLUTION = 32


def _write_colour_folder(root, per_class=20, seed=0):
    """root/{red,blue}/<i>.png: noisy images, mostly red or mostly blue (separable classes)."""
    rng = np.random.default_rng(seed)
    for label, name in enumerate(("red", "blue")):
        for i in range(per_class):
            image = rng.integers(0, 90, (24, 24, 3), dtype=np.uint8)
            image[..., 0 if label == 0 else 2] += 160
            save(os.path.join(root, name, f"{i}.png"), image)
    return root


def _config(folder, num_classes=2):
    return pipeline.CGANConfig(dataset="image_folder", image_folder=folder, resolution=RESOLUTION,
                               num_classes=num_classes, channels=4, num_entities=4, z_dim=8,
                               g_an_resolutions=(32,), d_an_resolutions=(16,))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return _write_colour_folder(str(tmp_path_factory.mktemp("colours")))


def test_trained_once_held_out_and_cached(folder, tmp_path):
    options = references.ClassifierOptions(str(tmp_path), train_examples=1000, epochs=8)
    classifier = references.load_classifier(_config(folder), options)
    # 40 images: every 10th (4) held out, the other 36 trained on.
    assert classifier.info["train_examples"] == 36 and classifier.info["held_out_examples"] == 4
    assert classifier.accuracy == 1.0  # colours: trivially separable
    assert os.path.exists(os.path.join(tmp_path, classifier.hash + ".weights.h5"))
    again = references.load_classifier(_config(folder), options)  # from the cache
    assert again.accuracy == classifier.accuracy and again.hash == classifier.hash
    pixels = np.random.default_rng(0).integers(0, 256, (3, RESOLUTION, RESOLUTION, 3), np.uint8)
    np.testing.assert_array_equal(classifier(pixels)[1].numpy(), again(pixels)[1].numpy())


def test_changed_folder_gets_new_classifier_and_statistics(tmp_path):
    folder = _write_colour_folder(str(tmp_path / "data"), per_class=10)
    options = references.ClassifierOptions(str(tmp_path / "cache"), train_examples=100, epochs=1)
    config = _config(folder)
    workdir = str(tmp_path / "run")
    first = references.load_classifier(config, options)
    references.classifier_reference(workdir, config, first, num_real_examples=16,
                                    batch_size=8)
    save(os.path.join(folder, "red", "extra.png"), np.full((24, 24, 3), 200, np.uint8))
    second = references.load_classifier(config, options)
    assert second.hash != first.hash  # the identity of the data is part of the name
    references.classifier_reference(workdir, config, second, num_real_examples=16,
                                    batch_size=8)
    assert len(os.listdir(os.path.join(workdir, "eval_cache"))) == 2


def test_generated_samples_scored_with_per_class_fd(folder, tmp_path):
    options = references.ClassifierOptions(str(tmp_path), train_examples=1000, epochs=1)
    config = _config(folder)
    classifier = references.load_classifier(config, options)
    real = references.classifier_reference(str(tmp_path), config, classifier, 40, 20)
    results = evaluate_with_classifier(tiny_generator(num_classes=2), classifier, real,
                                       num_samples=20, batch_size=10, num_splits=2)
    assert sorted(results["intra_fd_per_class"]) == ["0", "1"]
    assert results["fd"] > 0 and 0 <= results["accuracy"] <= 1
    assert not any(key.startswith("g_layout") for key in results)  # shapes only


def test_one_class_or_too_few_images_is_one_line(tmp_path):
    with pytest.raises(ValueError, match="at least 2 classes") as error:
        references.check_download_free(_config(str(tmp_path), num_classes=1))
    assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match="at least 2 real training images per class"):
        data_classifier.check_trainable(num_train=3, num_held_out=1, num_classes=2)
    with pytest.raises(ValueError, match="1 held out"):
        data_classifier.check_trainable(num_train=30, num_held_out=0, num_classes=2)
