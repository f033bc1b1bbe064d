"""The cGAN pipeline's data interface (an_tf.cgan.data_sources, re-exported by pipeline):
real_dataset, dataset_identity, class_names and the workdir's class_names.json."""

import json

import numpy as np
import pytest

from an_tf.cgan import pipeline
from an_tf.data.synthetic_shapes import make_example
from tests.data.labelled_images import write_folder

TINY = dict(resolution=32, channels=4, d_an_resolutions=(16,))


def _synthetic(**overrides):
    return pipeline.CGANConfig(**{**TINY, "dataset": "synthetic", "num_classes": 10,
                                  "synthetic_examples": 6, **overrides})


def test_synthetic_real_dataset_names_and_identity():
    config = _synthetic()
    examples = list(pipeline.real_dataset(config, "train", seed=3))
    assert len(examples) == 6 and set(examples[0]) == {"image", "label"}
    np.testing.assert_allclose(examples[2]["image"], make_example(3, 2, 32, 10)["image"],
                               atol=1e-6)  # graph vs eager rounding
    assert pipeline.class_names(config)[7:10] == ["frame", "disk_1", "square_1"]
    identities = {pipeline.dataset_identity(config, "train", seed=3),
                  pipeline.dataset_identity(config, "train", seed=4),
                  pipeline.dataset_identity(config, "eval", seed=3),
                  pipeline.dataset_identity(_synthetic(synthetic_examples=7), "train", seed=3)}
    assert len(identities) == 4


def test_folder_splits_labels_and_identity(tmp_path):
    write_folder(str(tmp_path / "train"), classes=("b", "a"), per_class=2)
    write_folder(str(tmp_path / "eval"), classes=("b",), per_class=2, seed=50)
    config = pipeline.CGANConfig(**TINY, dataset="image_folder", image_folder=str(tmp_path),
                                 num_classes=2)
    assert pipeline.class_names(config) == ["a", "b"]
    held_out = list(pipeline.real_dataset(config, "eval"))
    assert [int(e["label"]) for e in held_out] == [1, 1]  # labels of the training classes
    assert held_out[0]["image"].shape == (32, 32, 3)
    train_id = pipeline.dataset_identity(config)
    assert train_id != pipeline.dataset_identity(config, "eval")
    write_folder(str(tmp_path / "train"), classes=("c",), per_class=2)
    assert pipeline.dataset_identity(config) != train_id
    flat = pipeline.CGANConfig(**TINY, dataset="image_folder",
                               image_folder=str(tmp_path / "train"), num_classes=3)
    with pytest.raises(ValueError, match="no eval split"):
        pipeline.real_dataset(flat, "eval")


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
