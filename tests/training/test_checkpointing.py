"""Tests of Checkpointer: round trip, RNG state, atomic saves, retention."""

import os

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.python.checkpoint import checkpoint_management

from an_tf import training
from an_tf.training import checkpointing
from tests.training import toy_model


def _model_with_state(value):
    """A built toy model whose weights, Adam slots and SeedGenerator state are all `value`."""
    model = toy_model.build_toy_model(noise_stddev=0.1)
    for variable in model.weights + model.optimizer.variables:
        variable.assign(tf.fill(variable.shape, tf.cast(value, variable.dtype)))
    for state in checkpointing.seed_generator_states(model):
        state.assign([value, value])
    return model


def _assert_model_holds(model, value):
    for variable in model.weights + model.optimizer.variables:
        np.testing.assert_array_equal(variable.numpy(), np.full(variable.shape, value),
                                      variable.path)
    for state in checkpointing.seed_generator_states(model):
        np.testing.assert_array_equal(state.numpy(), [value, value])


def _checkpointer(directory, model, max_to_keep=3):
    return training.Checkpointer(str(directory), max_to_keep=max_to_keep, model=model)


def test_round_trip_restores_weights_optimizer_rng_and_step(tmp_path):
    _checkpointer(tmp_path, _model_with_state(3)).save(7)
    restored = _model_with_state(0)
    assert _checkpointer(tmp_path, restored).restore_latest() == 7
    _assert_model_holds(restored, 3)


def test_seed_generator_states_are_found():
    model = toy_model.build_toy_model(noise_stddev=0.1)
    states = checkpointing.seed_generator_states(model)
    assert [s.shape for s in states] == [(2,)]
    assert states[0] is model.noise_generator.state


def test_empty_directory_restores_step_zero(tmp_path):
    assert _checkpointer(tmp_path, _model_with_state(1)).restore_latest() == 0


def test_save_interrupted_before_state_update_keeps_previous_checkpoint(tmp_path, monkeypatch):
    model = _model_with_state(1)
    checkpointer = _checkpointer(tmp_path, model)
    checkpointer.save(1)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed while saving")

    # The data files of ckpt-2 are written completely, then the process dies before the
    # `checkpoint` state file is updated.
    monkeypatch.setattr(checkpoint_management, "update_checkpoint_state_internal", crash)
    for variable in model.weights:
        variable.assign(tf.fill(variable.shape, 2.0))
    with pytest.raises(KeyboardInterrupt):
        checkpointer.save(2)
    monkeypatch.undo()
    assert os.path.exists(tmp_path / "ckpt-2.index")
    # A torn write of a later checkpoint's data files must not matter either.
    (tmp_path / "ckpt-3.index").write_bytes(b"\x00truncated")
    (tmp_path / "ckpt-3.data-00000-of-00001").write_bytes(b"\x00")

    fresh = _model_with_state(0)
    assert _checkpointer(tmp_path, fresh).restore_latest() == 1
    _assert_model_holds(fresh, 1)


def test_only_the_latest_checkpoints_are_kept(tmp_path):
    checkpointer = _checkpointer(tmp_path, _model_with_state(1), max_to_keep=2)
    for step in (10, 20, 30):
        checkpointer.save(step)
    kept = sorted(name for name in os.listdir(tmp_path) if name.endswith(".index"))
    assert kept == ["ckpt-20.index", "ckpt-30.index"]
    assert checkpointing.checkpoint_step(checkpointer.latest_checkpoint) == 30


def test_restoring_into_a_different_model_fails(tmp_path):
    _checkpointer(tmp_path, _model_with_state(1)).save(1)
    other = toy_model.ToyRegressor(hidden=4)
    other.compile(optimizer=keras.optimizers.Adam())
    other(tf.zeros((1, toy_model.FEATURES)))
    other.optimizer.build(other.trainable_variables)
    before = [v.numpy().copy() for v in other.weights]
    with pytest.raises(checkpointing.CheckpointMismatchError,
                       match="with another shape or dtype") as error:
        _checkpointer(tmp_path, other).restore_latest()
    assert "\n" not in str(error.value)
    for value, variable in zip(before, other.weights):  # nothing was restored
        np.testing.assert_array_equal(value, variable.numpy())


def test_reserved_name_step_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="reserved name 'step'"):
        training.Checkpointer(str(tmp_path), step=tf.Variable(0))


class TwoOptimizerModel(keras.Model):
    """The Keras GAN pattern: compile() sets two optimizers and leaves compile's default unused."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.first = keras.layers.Dense(2, name="first")
        self.second = keras.layers.Dense(1, name="second")

    def compile(self, first_optimizer, second_optimizer):
        super().compile()
        self.first_optimizer = first_optimizer
        self.second_optimizer = second_optimizer


def test_unbuilt_optimizers_ignores_the_unused_compile_default():
    model = TwoOptimizerModel()
    model.compile(keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam()),
                  keras.optimizers.Adam())
    assert checkpointing.unbuilt_optimizers(model) == ["first_optimizer", "second_optimizer"]
    model.first(tf.zeros((1, 2)))
    model.first_optimizer.build(model.first.trainable_variables)
    assert checkpointing.unbuilt_optimizers(model) == ["second_optimizer"]
    assert checkpointing.unbuilt_optimizers(toy_model.build_toy_model(built=False)) == ["optimizer"]
