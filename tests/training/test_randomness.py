"""Tests of replica_seed: distinct per replica, reproducible, advancing the SeedGenerator."""

import keras
import numpy as np
import tensorflow as tf

from an_tf import training


def _draw_twice(strategy):
    with strategy.scope():
        generator = keras.random.SeedGenerator(7)

    @tf.function
    def draw():
        def replica_fn():
            shared = keras.random.normal((3,), seed=generator)
            own = tf.random.stateless_normal((3,), seed=training.replica_seed(generator))
            return shared, own
        return strategy.run(replica_fn)

    results = [draw(), draw()]
    return [[[v.numpy() for v in strategy.experimental_local_results(x)] for x in r]
            for r in results], generator


def test_replicas_get_different_numbers_where_keras_random_gives_the_same():
    (first, second), generator = _draw_twice(
        training.create_strategy("mirrored"))  # the two logical CPUs of conftest
    shared, own = first
    np.testing.assert_array_equal(shared[0], shared[1])  # the problem replica_seed solves
    assert not np.allclose(own[0], own[1])
    assert not np.allclose(own[0], second[1][0])  # the generator advanced between steps
    np.testing.assert_array_equal(generator.state.numpy(), [7, 4])  # 2 draws per step, 2 steps


def test_single_replica_seed_is_reproducible():
    (first_a, _), _ = _draw_twice(tf.distribute.get_strategy())
    (first_b, _), _ = _draw_twice(tf.distribute.get_strategy())
    np.testing.assert_array_equal(first_a[1][0], first_b[1][0])
