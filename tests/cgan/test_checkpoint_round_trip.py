"""The whole cGAN state survives a checkpoint: G, D, the EMA copy of G with all its blocks,
batch-norm statistics, spectral-norm vectors, seed generators, both optimizers."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from an_tf import training
from an_tf.cgan.pipeline import CGANConfig, build_gan
from an_tf.training import checkpointing
from tests.training import state_checks

CONFIG = CGANConfig(dataset="synthetic", resolution=32, num_classes=4, z_dim=8, channels=4,
                    embedding_dim=4, num_entities=4, g_an_resolutions=(32,),
                    d_an_resolutions=(16,), ema_decay=0.9)


@pytest.mark.parametrize("policy", ["float32", "mixed_float16"])
def test_every_variable_round_trips_into_a_fresh_build(tmp_path, policy):
    keras.config.set_dtype_policy(policy)
    trained = build_gan(CONFIG)
    state_checks.randomize(trained)
    objects = checkpointing.run_objects(trained)
    training.Checkpointer(str(tmp_path), **objects).save(3)
    fresh = build_gan(CONFIG)
    assert training.Checkpointer(str(tmp_path), **checkpointing.run_objects(fresh)) \
        .restore_latest() == 3
    state_checks.assert_same_state(trained, fresh, policy)
    # The EMA generator's blocks (held in a list) were the first victims of the old layout.
    ema_keys = [k for k in checkpointing.load_saved_state(str(tmp_path / "ckpt-3"))
                if k.startswith("model/ema_generator/blocks/")]
    assert any(k.endswith("moving_mean") for k in ema_keys)
    assert any(k.endswith("vector_u") for k in ema_keys)


def test_round_trip_under_mirrored_strategy(tmp_path):
    strategy = training.create_strategy("mirrored")
    with strategy.scope():
        trained = build_gan(CONFIG)
    state_checks.randomize(trained)
    training.Checkpointer(str(tmp_path), **checkpointing.run_objects(trained)).save(5)
    with strategy.scope():
        fresh = build_gan(CONFIG)
    training.Checkpointer(str(tmp_path), **checkpointing.run_objects(fresh)).restore_latest()
    state_checks.assert_same_state(trained, fresh, "mirrored")


def test_a_checkpoint_of_another_architecture_is_refused_in_one_line(tmp_path):
    training.Checkpointer(str(tmp_path), **checkpointing.run_objects(build_gan(CONFIG))).save(1)
    other = build_gan(CGANConfig(**{**CONFIG.__dict__, "ema_decay": None}))
    with pytest.raises(checkpointing.CheckpointMismatchError,
                       match=r"saved variable\(s\) with no place in the model \(first: "
                             r"model/ema_generator/") as error:
        training.Checkpointer(str(tmp_path), **checkpointing.run_objects(other)).restore_latest()
    assert "\n" not in str(error.value)


def test_a_checkpoint_of_the_earlier_layout_is_refused(tmp_path):
    gan = build_gan(CONFIG)
    old = tf.train.Checkpoint(step=tf.Variable(4, dtype=tf.int64), model=gan)
    tf.train.CheckpointManager(old, str(tmp_path), 3, checkpoint_name="ckpt").save(4)
    before = [v.numpy().copy() for v in gan.generator.variables]
    with pytest.raises(checkpointing.CheckpointMismatchError, match="earlier an_tf layout"):
        training.Checkpointer(str(tmp_path), **checkpointing.run_objects(gan)).restore_latest()
    for value, variable in zip(before, gan.generator.variables):
        np.testing.assert_array_equal(value, variable.numpy())
