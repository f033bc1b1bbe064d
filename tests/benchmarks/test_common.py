"""Unit tests of benchmarks/_common.py: FLOP counting, slopes, tables, argument types."""

import argparse
import math

import pytest
import tensorflow as tf

import _common  # made importable by tests/benchmarks/__init__.py


def test_graph_flops_counts_live_convolutions_and_matmuls():
    images = tf.random.normal([2, 16, 16, 8])
    kernel = tf.Variable(tf.random.normal([3, 3, 8, 4]))
    weights = tf.Variable(tf.random.normal([4, 5]))

    @tf.function
    def step(images):
        with tf.GradientTape() as tape:
            features = tf.nn.conv2d(images, kernel, 1, "SAME")  # (2,16,16,4)
            loss = tf.reduce_sum(tf.matmul(tf.reshape(features, [-1, 4]), weights))
        return tape.gradient(loss, [kernel, weights])

    flops, unknown = _common.graph_flops(step.get_concrete_function(images))
    conv = 2 * (2 * 16 * 16 * 4) * 9 * 8  # forward conv, and its filter gradient
    matmul = 2 * 512 * 4 * 5  # the weights' and the features' gradients; the forward product
    # feeds only a sum whose gradient does not need it, and the images' gradient is unused.
    assert unknown == 0
    assert flops == 2 * conv + 2 * matmul


def test_loglog_slope_recovers_power_laws():
    linear = [(p, 3.0 * p) for p in (1e3, 1e4, 1e5)]
    quadratic = [(p, 1e-6 * p * p) for p in (1e3, 1e4, 1e5)]
    assert math.isclose(_common.loglog_slope(linear), 1.0)
    assert math.isclose(_common.loglog_slope(quadratic), 2.0)
    assert _common.loglog_slope(linear[:1]) is None


def test_format_table_is_markdown_with_missing_cells():
    table = _common.format_table([{"a": 1.23456, "b": None}], ["a", "b"])
    assert table.splitlines() == ["| a | b |", "|---|---|", "| 1.23 | - |"]


@pytest.mark.parametrize("text", ["0", "-3", "x", ""])
def test_int_list_rejects_bad_values(text):
    with pytest.raises(argparse.ArgumentTypeError):
        _common.int_list(text)


def test_int_list_parses():
    assert _common.int_list("64,128") == [64, 128]
