"""Tests of run_training: exact resume, strategies, steps_per_loop, summaries, samples, export."""

import json
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from an_tf import training
from tests.training import toy_model
from tests.training.summary_reading import read_scalars


@pytest.fixture(scope="module")
def straight_run(tmp_path_factory):
    """10 steps of the noisy toy model in one call, default strategy."""
    return toy_model.run_toy_training(tmp_path_factory.mktemp("straight"), 10, noise_stddev=0.1)


def test_resume_continues_step_data_order_optimizer_and_rng(tmp_path, straight_run):
    straight_result, straight_model = straight_run
    first, _ = toy_model.run_toy_training(tmp_path, 6, noise_stddev=0.1)
    assert first.step == 6
    resumed, resumed_model = toy_model.run_toy_training(tmp_path, 10, noise_stddev=0.1)
    assert resumed.step == straight_result.step == 10
    # Same weights and Adam moments only if data order, optimizer and noise state all continued.
    toy_model.assert_same_state(straight_model, resumed_model)
    assert resumed.metrics["loss"] == straight_result.metrics["loss"]
    # The second call trained only steps 7..10: its summaries start after step 6.
    steps = sorted(step for step, _ in read_scalars(os.path.join(tmp_path, "tensorboard"), "loss"))
    assert steps == [2, 4, 6, 8, 10]
    config = json.loads((tmp_path / "config.json").read_text())
    assert config["training_config"]["train_steps"] == 10 and config["hparams"]["train_steps"] == 10


def test_mirrored_two_replicas_match_default_strategy(tmp_path):
    _, default_model = toy_model.run_toy_training(tmp_path / "default", 6)
    mirrored_result, mirrored_model = toy_model.run_toy_training(
        tmp_path / "mirrored", 6, strategy="mirrored")
    assert mirrored_model.distribute_strategy.num_replicas_in_sync == 2
    toy_model.assert_same_state(default_model, mirrored_model, rtol=1e-5, atol=1e-6)
    assert mirrored_result.step == 6


def test_mirrored_resume_skips_consumed_batches(tmp_path):
    _, straight_model = toy_model.run_toy_training(tmp_path / "straight", 6, strategy="mirrored")
    toy_model.run_toy_training(tmp_path / "resumed", 2, strategy="mirrored")
    result, resumed_model = toy_model.run_toy_training(tmp_path / "resumed", 6, strategy="mirrored")
    assert result.step == 6
    toy_model.assert_same_state(straight_model, resumed_model, rtol=1e-6, atol=1e-7)


def test_steps_per_loop_gives_same_result_and_summary_steps(tmp_path, straight_run):
    _, straight_model = straight_run
    result, model = toy_model.run_toy_training(
        tmp_path, 10, noise_stddev=0.1, steps_per_loop=3, summary_every=4, checkpoint_every=5)
    toy_model.assert_same_state(straight_model, model)
    assert result.step == 10
    steps = sorted(step for step, _ in read_scalars(os.path.join(tmp_path, "tensorboard"), "loss"))
    assert steps == [4, 8, 10]
    checkpoint_dir = os.path.join(tmp_path, "checkpoints")
    assert tf.train.latest_checkpoint(checkpoint_dir).endswith("ckpt-10")
    assert os.path.exists(os.path.join(checkpoint_dir, "ckpt-5.index"))


def test_samples_are_written_and_export_is_called(tmp_path):
    exported = []

    def sample_fn(model, step):
        images = np.linspace(-1, 1, 2 * 4 * 4 * 3, dtype=np.float32).reshape(2, 4, 4, 3)
        return {"samples": images, "weight_norm": np.float32(step)}

    config = training.TrainingConfig(workdir=str(tmp_path), train_steps=4, batch_size=4,
                                     sample_every=2, export_dir=str(tmp_path / "export"))
    result = training.run_training(
        config, toy_model.build_toy_model, toy_model.make_toy_dataset_fn(4), sample_fn=sample_fn,
        export_fn=lambda model, export_dir: exported.append((model, export_dir)))
    assert sorted(os.listdir(tmp_path / "images" / "samples")) == ["2.png", "4.png"]
    assert [step for step, _ in read_scalars(tmp_path / "tensorboard", "weight_norm")] == [2, 4]
    assert len(exported) == 1 and exported[0][1] == str(tmp_path / "export")
    assert set(result.metrics) == {"loss", "running_loss"}


def test_finished_run_is_not_trained_again(tmp_path):
    toy_model.run_toy_training(tmp_path, 2)
    result, _ = toy_model.run_toy_training(tmp_path, 2)
    assert result.step == 2 and result.metrics == {}


def test_batch_size_not_divisible_by_replicas_is_one_line_error(tmp_path):
    config = training.TrainingConfig(workdir=str(tmp_path), train_steps=1, batch_size=3,
                                     strategy="mirrored")
    with pytest.raises(ValueError, match=r"^batch_size=3 \(global\) is not divisible by the 2 "):
        training.run_training(config, toy_model.build_toy_model, toy_model.make_toy_dataset_fn(3))


def test_unbuilt_optimizer_is_one_line_error(tmp_path):
    config = training.TrainingConfig(workdir=str(tmp_path), train_steps=1, batch_size=4)
    with pytest.raises(ValueError, match=r"unbuilt optimizer\(s\) \['optimizer'\]"):
        training.run_training(config, lambda: toy_model.build_toy_model(built=False),
                              toy_model.make_toy_dataset_fn(4))


class LateVariableRegressor(toy_model.ToyRegressor):
    """Creates a layer's variables inside train_step (what build_model must avoid)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.late = keras.layers.Dense(1, name="late", trainable=False)

    def train_step(self, batch):
        self.late(batch[0])
        return super().train_step(batch)


@pytest.mark.filterwarnings("ignore:`build\\(\\)` was called on layer:UserWarning")
def test_variables_created_by_train_step_fail_the_resume(tmp_path):
    def build_model():
        model = LateVariableRegressor()
        model.compile(optimizer=keras.optimizers.Adam())
        model(tf.zeros((1, toy_model.FEATURES)))
        model.optimizer.build(model.trainable_variables)
        return model

    config = training.TrainingConfig(workdir=str(tmp_path), train_steps=1, batch_size=4)
    training.run_training(config, build_model, toy_model.make_toy_dataset_fn(4))  # warns
    config = training.TrainingConfig(workdir=str(tmp_path), train_steps=2, batch_size=4)
    with pytest.raises(RuntimeError, match="not restored from the step-1 checkpoint$"):
        training.run_training(config, build_model, toy_model.make_toy_dataset_fn(4))


def test_mixed_precision_policy_is_set_before_build_model(tmp_path):
    policies = []

    def build_model():
        model = toy_model.build_toy_model()
        policies.append(model.hidden_layer.dtype_policy.name)
        return model

    config = training.TrainingConfig(workdir=str(tmp_path), train_steps=2, batch_size=4,
                                     mixed_precision="mixed_bfloat16")
    result = training.run_training(config, build_model, toy_model.make_toy_dataset_fn(4))
    assert policies == ["mixed_bfloat16"]
    assert np.isfinite(result.metrics["loss"])
