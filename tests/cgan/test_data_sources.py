"""The cGAN pipeline's data interface (an_tf.cgan.data_sources, re-exported by pipeline): one
data source per dataset from the config (real data, identity, class names, streams), a folder
walked and scanned once per source, and the workdir's class_names.json."""

import hashlib
import json
import os

import numpy as np
import pytest
import tensorflow as tf

from an_tf.cgan import pipeline
from an_tf.data import image_folder
from an_tf.data.imagenet import ImageNetSource
from an_tf.data.labelled_folder import LabelledFolderSource
from an_tf.data.source import DataSource
from an_tf.data.synthetic_shapes import SyntheticShapesSource, make_example
from an_tf.data.tfds_classification import TfdsSource
from tests.data.labelled_images import write_folder

TINY = dict(resolution=32, channels=4, d_an_resolutions=(16,))


def _synthetic(**overrides):
    return pipeline.CGANConfig(**{**TINY, "dataset": "synthetic", "num_classes": 10,
                                  "synthetic_examples": 6, **overrides})


def _identity(config, split="train", seed=0):
    return pipeline.make_data_source(config).identity(split, seed)


def test_every_dataset_has_a_source_class():
    configs = {"imagenet2012": dict(num_classes=1000), "synthetic": {},
               "image_folder": dict(image_folder="unused"), "tfds": dict(tfds_name="unused")}
    kinds = {"imagenet2012": ImageNetSource, "synthetic": SyntheticShapesSource,
             "image_folder": LabelledFolderSource, "tfds": TfdsSource}
    assert pipeline.DATASETS == ("imagenet2012", "synthetic", "image_folder", "tfds")
    for dataset in pipeline.DATASETS:  # building one reads nothing (the paths do not exist)
        source = pipeline.make_data_source(pipeline.CGANConfig(
            **TINY, dataset=dataset, **{"num_classes": 4, **configs[dataset]}))
        assert isinstance(source, kinds[dataset]) and isinstance(source, DataSource)
    with pytest.raises(ValueError, match="dataset must be one of"):
        pipeline.make_data_source(type("Config", (), {"dataset": "mnist"})())


def test_synthetic_real_dataset_names_and_identity():
    config = _synthetic()
    source = pipeline.make_data_source(config)
    examples = list(source.real_dataset("train", seed=3))
    assert len(examples) == 6 and set(examples[0]) == {"image", "label"}
    np.testing.assert_allclose(examples[2]["image"], make_example(3, 2, 32, 10)["image"],
                               atol=1e-6)  # graph vs eager rounding
    assert source.class_names()[7:10] == ["frame", "disk_1", "square_1"]
    identities = {_identity(config, "train", seed=3), _identity(config, "train", seed=4),
                  _identity(config, "eval", seed=3),
                  _identity(_synthetic(synthetic_examples=7), "train", seed=3)}
    assert len(identities) == 4
    # The cache keys of existing runs: the same text as before the data sources.
    assert _identity(config, "eval", seed=3) == hashlib.sha256(
        b"synthetic|eval|6|10|3").hexdigest()[:16]
    with pytest.raises(ValueError, match="split must be"):
        source.real_dataset("test")


def test_folder_splits_labels_and_identity(tmp_path):
    paths = write_folder(str(tmp_path / "train"), classes=("b", "a"), per_class=2)
    write_folder(str(tmp_path / "eval"), classes=("b",), per_class=2, seed=50)
    config = pipeline.CGANConfig(**TINY, dataset="image_folder", image_folder=str(tmp_path),
                                 num_classes=2)
    source = pipeline.make_data_source(config)
    assert source.classes_from_data and source.class_names() == ["a", "b"]
    held_out = list(source.real_dataset("eval"))
    assert [int(e["label"]) for e in held_out] == [1, 1]  # labels of the training classes
    assert held_out[0]["image"].shape == (32, 32, 3)
    train_id = source.identity()
    assert train_id != source.identity("eval")
    # The cache keys of existing runs: relative paths, sizes and mtimes, classes in name order.
    digest = hashlib.sha256()
    for path in paths["a"] + paths["b"]:
        stat = os.stat(path)
        digest.update(f"{os.path.relpath(path, tmp_path / 'train')}|{stat.st_size}|"
                      f"{stat.st_mtime_ns}\n".encode())
    assert train_id == digest.hexdigest()[:16]
    write_folder(str(tmp_path / "train"), classes=("c",), per_class=2)
    assert source.identity() == train_id  # a source describes the folder as it listed it
    assert _identity(config) != train_id  # the next run's source sees the change
    flat = pipeline.CGANConfig(**TINY, dataset="image_folder",
                               image_folder=str(tmp_path / "train"), num_classes=3)
    with pytest.raises(ValueError, match="no eval split"):
        pipeline.make_data_source(flat).real_dataset("eval")


def test_a_folder_is_walked_once_and_each_split_scanned_once(tmp_path, monkeypatch):
    write_folder(str(tmp_path / "train"), classes=("a", "b"), per_class=3)
    write_folder(str(tmp_path / "eval"), classes=("a", "b"), per_class=2, seed=50)
    walks, inspected = [], []
    walk, inspect = os.walk, image_folder.inspect_image
    monkeypatch.setattr(os, "walk", lambda *a, **k: walks.append(a[0]) or walk(*a, **k))
    monkeypatch.setattr(image_folder, "inspect_image",
                        lambda path: inspected.append(path) or inspect(path))
    config = pipeline.CGANConfig(**TINY, dataset="image_folder", image_folder=str(tmp_path),
                                 num_classes=2)
    source = pipeline.make_data_source(config).prepare()
    for _ in range(2):  # what training and evaluation ask, twice over
        source.prepare()
        source.class_names()
        source.identity("train")
        source.identity("eval")
        source.real_dataset("train")
        source.real_dataset("eval")
        source.training_stream(0, 0)
        pipeline.make_dataset_fn(source, 2)(tf.distribute.InputContext())
    assert walks == [str(tmp_path)]
    assert sorted(inspected) == sorted(set(inspected)) and len(inspected) == 10


def test_class_names_file_and_its_fallback(tmp_path):
    with open(tmp_path / "config.json", "w", encoding="utf-8") as stream:
        json.dump({"hparams": {"num_classes": 3}}, stream)
    assert pipeline.read_class_names(str(tmp_path)) == ["0", "1", "2"]  # an older run
    pipeline.write_class_names(str(tmp_path), ["x", "y", "z"])
    assert pipeline.read_class_names(str(tmp_path)) == ["x", "y", "z"]
    pipeline.check_class_names(str(tmp_path), ["x", "y", "z"])
    with pytest.raises(ValueError, match="other classes"):
        pipeline.check_class_names(str(tmp_path), ["x", "y", "w"])
    with pytest.raises(FileNotFoundError):
        pipeline.read_class_names(str(tmp_path / "nothing"))


def test_old_config_json_without_the_data_keys_still_loads():
    old = {"dataset": "synthetic", "resolution": "32", "num_classes": 4, "channels": 4,
           "d_an_resolutions": ["16"], "ema_decay": 0.0}
    config = pipeline.cgan_config_from_hparams(old)
    assert (config.image_folder, config.tfds_split, config.random_crop) == (None, "train", False)


@pytest.mark.parametrize("overrides, match", [
    ({"dataset": "image_folder"}, "--image_folder"),
    ({"dataset": "tfds"}, "--tfds_name"),
    ({"dataset": "synthetic", "resolution": 48}, "resolution"),
])
def test_incomplete_configs_are_one_line_errors(overrides, match):
    with pytest.raises(ValueError, match=match) as error:
        pipeline.CGANConfig(**{**TINY, "num_classes": 4, **overrides})
    assert "\n" not in str(error.value)
