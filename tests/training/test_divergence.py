"""Tests of an_tf.training.divergence: a non-finite update is skipped entirely, on one device and
with two replicas that disagree."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from an_tf.training import divergence


def _layer_and_optimizer():
    layer = keras.layers.Dense(2)
    layer.build((None, 3))
    optimizer = keras.optimizers.Adam(0.1)
    optimizer.build(layer.trainable_variables)
    return layer, optimizer


def _snapshot(layer, optimizer):
    return [v.numpy().copy() for v in layer.variables + optimizer.variables]


@pytest.mark.parametrize("bad_value", [np.nan, np.inf])
def test_skip_leaves_weights_slots_and_iterations_untouched(bad_value):
    layer, optimizer = _layer_and_optimizer()
    before = _snapshot(layer, optimizer)

    @tf.function
    def step(loss):
        gradients = [tf.ones_like(v) for v in layer.trainable_variables]
        return divergence.apply_gradients(optimizer, gradients, layer.trainable_variables,
                                          [loss], on_nan="skip")

    assert float(step(tf.constant(bad_value, tf.float32))) == 1.0
    for old, new in zip(before, _snapshot(layer, optimizer)):
        np.testing.assert_array_equal(old, new)
    assert float(step(tf.constant(1.0))) == 0.0  # a finite step is applied
    assert int(optimizer.iterations) == 1
    assert not np.array_equal(before[0], layer.kernel.numpy())


def test_stop_applies_and_reports():
    layer, optimizer = _layer_and_optimizer()
    gradients = [tf.fill(v.shape, np.nan) for v in layer.trainable_variables]
    flag = divergence.apply_gradients(optimizer, gradients, layer.trainable_variables, [],
                                      on_nan="stop")
    assert float(flag) == 1.0 and int(optimizer.iterations) == 1


def test_two_replicas_skip_together_when_one_is_not_finite():
    strategy = tf.distribute.MirroredStrategy(
        ["/cpu:0", "/cpu:1"], cross_device_ops=tf.distribute.ReductionToOneDevice())
    with strategy.scope():
        layer, optimizer = _layer_and_optimizer()
    before = _snapshot(layer, optimizer)

    @tf.function
    def step(bad_replica):
        def replica_fn():
            replica = tf.distribute.get_replica_context().replica_id_in_sync_group
            value = tf.where(tf.equal(replica, bad_replica), np.nan, 1.0)
            gradients = [tf.fill(v.shape, value) for v in layer.trainable_variables]
            return divergence.apply_gradients(optimizer, gradients, layer.trainable_variables,
                                              [], on_nan="skip")
        flags = strategy.run(replica_fn)
        return strategy.experimental_local_results(flags)

    assert [float(f) for f in step(tf.constant(1))] == [1.0, 1.0]
    for old, new in zip(before, _snapshot(layer, optimizer)):
        np.testing.assert_array_equal(old, new)
    assert [float(f) for f in step(tf.constant(-1))] == [0.0, 0.0]
    assert int(optimizer.iterations.numpy()) == 1


def test_unknown_on_nan_is_one_line_error():
    layer, optimizer = _layer_and_optimizer()
    with pytest.raises(ValueError, match=r"^on_nan must be one of \('stop', 'skip'\), got 'x'$"):
        divergence.apply_gradients(optimizer, [], [], [], on_nan="x")
