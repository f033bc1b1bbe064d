"""Tests of TrainingConfig validation and of the config.json change report."""

import json

import pytest

from an_tf import training
from an_tf.training import run_settings


def test_defaults_follow_the_contract():
    config = training.TrainingConfig(workdir="w", train_steps=10, batch_size=4)
    assert (config.strategy, config.tpu, config.seed, config.mixed_precision) == (
        "default", None, 0, None)
    assert (config.checkpoint_every, config.summary_every, config.sample_every) == (1000, 100, 1000)
    assert (config.steps_per_loop, config.keep_checkpoints, config.export_dir,
            config.num_cpu_devices) == (1, 3, None, 1)


@pytest.mark.parametrize("overrides, message", [
    ({"train_steps": 0}, r"^TrainingConfig.train_steps must be an integer >= 1, got 0$"),
    ({"batch_size": 2.0}, r"^TrainingConfig.batch_size must be an integer >= 1, got 2.0$"),
    ({"steps_per_loop": True}, r"^TrainingConfig.steps_per_loop must be an integer >= 1"),
    ({"strategy": "gpu"}, r"^TrainingConfig.strategy must be one of .*'gpu'$"),
    ({"mixed_precision": "float16"}, r"^TrainingConfig.mixed_precision must be one of"),
    ({"workdir": ""}, r"^TrainingConfig.workdir must be a non-empty path$"),
])
def test_bad_values_are_one_line_value_errors(overrides, message):
    settings = dict(workdir="w", train_steps=10, batch_size=4)
    settings.update(overrides)
    with pytest.raises(ValueError, match=message):
        training.TrainingConfig(**settings)


def test_run_settings_are_saved_and_changes_reported(tmp_path):
    config = training.TrainingConfig(workdir=str(tmp_path), train_steps=10, batch_size=4)
    hparams = {"lr": 0.1, "sizes": (1, 2)}
    assert run_settings.record_run_settings(str(tmp_path), config, hparams) == []
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["hparams"] == {"lr": 0.1, "sizes": [1, 2]}
    assert saved["training_config"]["train_steps"] == 10
    hparams = {"lr": 0.1, "sizes": (1, 2)}
    assert run_settings.record_run_settings(str(tmp_path), config, hparams) == []
    longer = training.TrainingConfig(workdir=str(tmp_path), train_steps=20, batch_size=4)
    changes = run_settings.record_run_settings(str(tmp_path), longer, {"lr": 0.2, "new": "x"},
                                              write=False)
    assert changes == ["hparams.lr: 0.1 -> 0.2", "hparams.new: (unset) -> 'x'",
                       "hparams.sizes: [1, 2] -> (unset)", "training_config.train_steps: 10 -> 20"]
    assert json.loads((tmp_path / "config.json").read_text()) == saved  # write=False


def _config(**overrides):
    return training.TrainingConfig(**{"workdir": "w", "train_steps": 10, "batch_size": 4,
                                      **overrides})


def test_resuming_with_another_architecture_is_refused_in_one_line(tmp_path):
    workdir = str(tmp_path)
    run_settings.record_run_settings(workdir, _config(workdir=workdir), {"channels": 4, "seed": 0})
    with pytest.raises(run_settings.ConfigMismatchError,
                       match=r"other settings of channels, seed \(") as error:
        run_settings.record_run_settings(workdir, _config(workdir=workdir),
                                        {"channels": 8, "seed": 1}, resuming=True)
    assert "\n" not in str(error.value)
    saved = json.loads((tmp_path / "config.json").read_text())
    assert saved["hparams"]["channels"] == 4  # left as it was


def test_training_only_settings_may_change_and_are_reported(tmp_path):
    workdir = str(tmp_path)
    run_settings.record_run_settings(workdir, _config(workdir=workdir), {"train_steps": 10})
    changes = run_settings.record_run_settings(
        workdir, _config(workdir=workdir, train_steps=20, on_nan="skip"),
        {"train_steps": 20, "new_flag": 1}, resuming=True)
    assert "hparams.train_steps: 10 -> 20" in changes
    assert "hparams.new_flag: (unset) -> 1" in changes  # a flag added since: reported only


def test_the_pipeline_names_its_own_mutable_settings(tmp_path):
    workdir = str(tmp_path)
    run_settings.record_run_settings(workdir, _config(workdir=workdir),
                                     {"image_folder": "a", "channels": 4})
    changes = run_settings.record_run_settings(
        workdir, _config(workdir=workdir), {"image_folder": "b", "channels": 4}, resuming=True,
        mutable={"image_folder"})
    assert changes == ["hparams.image_folder: 'a' -> 'b'"]
    with pytest.raises(run_settings.ConfigMismatchError, match="other settings of image_folder"):
        run_settings.record_run_settings(workdir, _config(workdir=workdir),
                                         {"image_folder": "c", "channels": 4}, resuming=True)
