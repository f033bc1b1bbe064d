"""Tests of create_strategy and configure_cpu_devices (conftest gives two logical CPUs)."""

import time

import pytest
import tensorflow as tf

from an_tf import training


def test_default_strategy_has_one_replica():
    strategy = training.create_strategy("default")
    assert strategy is tf.distribute.get_strategy()
    assert strategy.num_replicas_in_sync == 1
    assert training.is_chief(strategy)


def test_mirrored_uses_all_logical_cpus():
    strategy = training.create_strategy("mirrored")
    assert isinstance(strategy, tf.distribute.MirroredStrategy)
    assert strategy.num_replicas_in_sync == 2
    assert sorted(strategy.extended.worker_devices) == [
        "/job:localhost/replica:0/task:0/device:CPU:0",
        "/job:localhost/replica:0/task:0/device:CPU:1"]


def test_matching_cpu_device_count_is_accepted():
    assert len(training.configure_cpu_devices(2)) == 2
    assert training.create_strategy("mirrored", num_cpu_devices=2).num_replicas_in_sync == 2


def test_cpu_device_count_after_initialisation_is_a_clear_error():
    with pytest.raises(RuntimeError, match=r"^num_cpu_devices=3 but TensorFlow is already "
                                           r"initialised with 2 logical CPU device\(s\)"):
        training.configure_cpu_devices(3)


@pytest.mark.parametrize("name, tpu, message", [
    ("gpu", None,
     r"^unknown strategy 'gpu': expected one of default, mirrored, multi_worker, tpu$"),
    ("mirrored", "my-tpu", r"^tpu='my-tpu' is only used with strategy 'tpu', not 'mirrored'$"),
])
def test_bad_arguments_are_one_line_value_errors(name, tpu, message):
    with pytest.raises(ValueError, match=message):
        training.create_strategy(name, tpu=tpu)


def test_unreachable_local_tpu_is_one_line_runtime_error():
    with pytest.raises(RuntimeError, match=r"^cannot connect to TPU \(local\): [^\n]+$"):
        training.create_strategy("tpu")


def test_tpu_connection_that_never_answers_is_given_up(monkeypatch):
    from an_tf.training import strategy

    def never_answers(*args, **kwargs):
        time.sleep(30)  # what TF does for minutes with an unreachable TPU

    monkeypatch.setattr(tf.distribute.cluster_resolver, "TPUClusterResolver", never_answers)
    start = time.monotonic()
    with pytest.raises(RuntimeError, match=r"^cannot connect to TPU my-tpu: no answer within "
                                           r"0\.5 s$"):
        strategy._create_tpu_strategy("my-tpu", timeout=0.5)
    assert time.monotonic() - start < 5
