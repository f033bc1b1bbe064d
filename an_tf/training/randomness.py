"""Per-replica random seeds for training steps under tf.distribute.

A `keras.random.SeedGenerator` created under a MirroredStrategy has a mirrored state, so
`keras.random.normal(shape, seed=generator)` inside `strategy.run` draws the SAME numbers on every
replica (checked on TF 2.21 / Keras 3.15): with 2 replicas, a GAN's noise z for the two halves of
the global batch would be identical. `replica_seed` folds the replica index into the seed.
"""

import tensorflow as tf


def replica_seed(seed_generator):
    """A stateless seed that differs between replicas and advances `seed_generator` once.

    Use it with `tf.random.stateless_*` ops inside `train_step`, e.g.
    `z = tf.random.stateless_normal((batch, z_dim), seed=replica_seed(self.noise_generator))`.
    The generator's state is checkpointed by `run_training`, so a resumed run draws the same
    numbers. With one replica the seed is `fold_in(state, 0)`, so runs with different replica
    counts draw different numbers.

    Args:
        seed_generator: a `keras.random.SeedGenerator` (created in the model's `__init__`).

    Returns:
        int64 tensor (2,).
    """
    seed = tf.cast(seed_generator.next(), tf.int64)  # (2,)
    context = tf.distribute.get_replica_context()
    replica = 0 if context is None else context.replica_id_in_sync_group
    return tf.random.experimental.stateless_fold_in(seed, tf.cast(replica, tf.int64))
