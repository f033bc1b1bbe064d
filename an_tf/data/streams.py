"""Infinite, shuffled example streams that can start at any position cheaply (exact resume).

A training run resumed at step s must see exactly the batches a straight run sees from step s on,
without producing the s * batch examples before them (at ImageNet scale, hours of decoding). Each
epoch's order is therefore a pure function of (seed, epoch): epochs before the start are skipped
arithmetically, and only the position inside the first epoch is skipped element by element.

- `shuffled_indices`: indices 0..N-1 in a fresh random permutation per epoch, O(1) per element
  (`tf.random.experimental.index_shuffle`): starting anywhere costs nothing. For sources with
  random access (the synthetic shapes).
- `shuffled_records`: a finite dataset of undecoded records, shuffled per epoch with a buffer
  seeded by (seed, epoch); the start skips at most one epoch of raw records (no decoding). For
  sequential sources (tfds TFRecords).
"""

import tensorflow as tf

_EPOCH_SALT = 1_000_003  # spreads (seed, epoch) pairs over distinct shuffle seeds


def shuffled_indices(num_examples, seed, start=0, stream_id=0):
    """Infinite dataset of int64 indices in [0, num_examples), a new permutation per epoch.

    Element j of the stream is the position j % N of epoch j // N's permutation; the dataset
    begins at element `start`.

    Args:
        num_examples: N >= 1.
        seed: int seed of the permutations.
        start: index of the first element of the stream (e.g. step * examples per step).
        stream_id: distinguishes the streams of several input pipelines with one seed.
    """
    if num_examples < 1:
        raise ValueError(f"num_examples must be >= 1, got {num_examples}")
    count = tf.constant(num_examples, tf.int64)

    def index_at(position):
        epoch, offset = position // count, position % count
        permutation_seed = tf.stack([tf.cast(seed, tf.int64) * _EPOCH_SALT + stream_id, epoch])
        return tf.random.experimental.index_shuffle(offset, permutation_seed, count - 1)

    return tf.data.Dataset.range(start, tf.int64.max).map(index_at)


def shuffled_records(records, seed, start=0, shuffle_buffer=10000, num_records=None):
    """Infinite stream of `records`' elements, reshuffled per epoch, beginning at element `start`.

    Args:
        records: finite dataset in a fixed order (cheap elements: undecoded bytes).
        seed: int seed; epoch e is shuffled with a buffer seeded by (seed, e).
        start: index of the first element of the stream.
        shuffle_buffer: size of the shuffle buffer.
        num_records: the records' count, if known and `records.cardinality()` is not (else they
            are counted once: one pass over undecoded records).
    """
    count = num_records or int(records.cardinality())
    if count < 0:  # unknown or infinite cardinality
        count = int(records.reduce(tf.constant(0, tf.int64), lambda total, _: total + 1))
    if count < 1:
        raise ValueError("records is empty: nothing to stream")
    first_epoch, offset = divmod(int(start), count)

    def epoch_records(epoch):
        # The epoch's seed is a tensor; a global seed (keras.utils.set_random_seed) would make
        # tf.data test it as a Python bool, so this function graph drops the global seed: the
        # order then depends on (seed, epoch) only.
        tf.random.set_seed(None)
        return records.shuffle(shuffle_buffer, seed=seed * _EPOCH_SALT + epoch,
                               reshuffle_each_iteration=False)

    epochs = tf.data.Dataset.range(first_epoch, tf.int64.max).flat_map(epoch_records)
    return epochs.skip(offset)


def first_element(step, per_replica_batch_size, input_context=None):
    """Position, in one input pipeline's stream, of the first element of training step `step`.

    Each input pipeline feeds (replicas / pipelines) replicas per step, each
    `per_replica_batch_size` elements (1 when the stream's elements are whole batches); without a
    `tf.distribute.InputContext` there is one pipeline for one replica.
    """
    replicas_per_pipeline = 1
    if input_context is not None:
        replicas_per_pipeline = (input_context.num_replicas_in_sync
                                 // input_context.num_input_pipelines)
    return int(step) * replicas_per_pipeline * int(per_replica_batch_size)
