"""Tests of an_tf.data.streams: per-epoch permutations that start anywhere at no cost."""

import numpy as np
import pytest
import tensorflow as tf

from an_tf.data import streams


def _take(dataset, count):
    return [int(x) for x in dataset.take(count).as_numpy_iterator()]


def test_every_epoch_is_a_new_permutation():
    values = np.array(_take(streams.shuffled_indices(7, seed=1), 21)).reshape(3, 7)
    for epoch in values:
        assert sorted(epoch) == list(range(7))
    assert len({tuple(epoch) for epoch in values}) == 3


@pytest.mark.parametrize("start", [0, 3, 7, 16])
def test_indices_from_start_equal_the_straight_stream(start):
    straight = _take(streams.shuffled_indices(7, seed=1, stream_id=2), 30)
    assert _take(streams.shuffled_indices(7, seed=1, start=start, stream_id=2), 10) == \
        straight[start:start + 10]
    assert straight != _take(streams.shuffled_indices(7, seed=1, stream_id=3), 30)


@pytest.mark.parametrize("start", [0, 5, 11])
def test_records_from_start_equal_the_straight_stream(start):
    records = tf.data.Dataset.range(100, 105)
    tf.random.set_seed(1)
    straight = _take(streams.shuffled_records(records, seed=4, shuffle_buffer=3), 20)
    tf.random.set_seed(2)  # another global seed: same stream
    resumed = _take(streams.shuffled_records(records, seed=4, start=start, shuffle_buffer=3), 5)
    assert resumed == straight[start:start + 5]
    assert sorted(straight[5:10]) == list(range(100, 105))


def test_empty_source_is_an_error():
    with pytest.raises(ValueError, match="num_examples must be >= 1"):
        streams.shuffled_indices(0, seed=0)
    with pytest.raises(ValueError, match="records is empty"):
        streams.shuffled_records(tf.data.Dataset.range(0), seed=0)


def test_first_element_counts_the_steps_of_one_input_pipeline():
    import tensorflow as tf

    assert streams.first_element(3, 16) == 48  # one pipeline, one replica
    # 4 replicas fed by 2 pipelines: each pipeline feeds 2 replicas per step.
    context = tf.distribute.InputContext(num_input_pipelines=2, input_pipeline_id=1,
                                         num_replicas_in_sync=4)
    assert streams.first_element(3, 8, context) == 3 * 2 * 8
    assert streams.first_element(5, 1, context) == 10  # elements that are whole batches
