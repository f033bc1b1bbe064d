"""Streaming a function over batches under a tf.distribute strategy, and the uint8 quantization
of generated images that the published evaluation code applies.

Shape letters: B global batch, b per-replica batch, R resolution.
"""

import numpy as np
import tensorflow as tf


def quantize(images):
    """Images in [-1, 1] -> uint8 [0, 255]: clip(x * 127.5 + 127.5) truncated, as SN-GAN's and
    TF-GAN's evaluation code saves generated images."""
    return tf.cast(tf.clip_by_value(tf.cast(images, tf.float32) * 127.5 + 127.5, 0.0, 255.0),
                   tf.uint8)


def dequantize(pixels):
    """uint8 [0, 255] -> float32 [-1, 1]."""
    return tf.cast(pixels, tf.float32) / 127.5 - 1.0


class DistributedMapper:
    """Runs fn(**inputs) -> dict of tensors on global batches of numpy inputs, split over the
    replicas of `strategy` (default: the current one); returns the outputs as numpy, in order.

    The global batch is padded to a multiple of the number of replicas and the padding dropped
    from the outputs, so any batch size works under any strategy.
    """

    def __init__(self, fn, strategy=None):
        self.strategy = strategy or tf.distribute.get_strategy()
        self._step = tf.function(lambda inputs: fn(**inputs))

    def __call__(self, **inputs):
        replicas = self.strategy.num_replicas_in_sync
        size = len(next(iter(inputs.values())))
        per_replica = -(-size // replicas)
        padded = {name: np.concatenate([value, np.repeat(value[-1:], per_replica * replicas - size,
                                                         axis=0)])
                  for name, value in ((n, np.asarray(v)) for n, v in inputs.items())}

        def slice_for(context):
            start = context.replica_id_in_sync_group * per_replica
            return {name: tf.constant(value[start:start + per_replica])
                    for name, value in padded.items()}

        distributed = self.strategy.experimental_distribute_values_from_function(slice_for)
        outputs = self.strategy.run(self._step, args=(distributed,))
        return {name: np.concatenate([np.asarray(part) for part in
                                      self.strategy.experimental_local_results(value)])[:size]
                for name, value in outputs.items()}


def noise_and_labels(num_samples, z_dim, num_classes, batch_size, seed=0, label=None):
    """Yields (z (B, Z) float32, labels (B,) int32) batches totalling `num_samples`: labels cycle
    through the classes (equal counts), or are all `label`; z from a seeded generator."""
    rng = np.random.default_rng(seed)
    for start in range(0, num_samples, batch_size):
        size = min(batch_size, num_samples - start)
        index = np.arange(start, start + size)
        labels = np.full(size, label) if label is not None else index % num_classes
        yield rng.standard_normal((size, z_dim)).astype(np.float32), labels.astype(np.int32)
