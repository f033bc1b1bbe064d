"""One way to pick a `tf.distribute` strategy from a name (the experiments' --strategy flag)."""

import os
import threading

import tensorflow as tf
from absl import logging

from an_tf.training.config import STRATEGIES


def configure_cpu_devices(num_devices):
    """Splits the first physical CPU into `num_devices` logical devices.

    This must happen before TensorFlow runs its first op; if TF is already initialised with exactly
    `num_devices` logical CPUs (e.g. by a test's conftest) nothing is done.

    Args:
        num_devices: int >= 1, the number of logical CPU devices wanted.

    Returns:
        The list of logical CPU device names, e.g. ["/device:CPU:0", "/device:CPU:1"].

    Raises:
        ValueError: `num_devices` < 1.
        RuntimeError: TF is already initialised with a different number of logical CPU devices.
    """
    if num_devices < 1:
        raise ValueError(f"num_cpu_devices must be >= 1, got {num_devices}")
    cpu = tf.config.list_physical_devices("CPU")[0]
    current = tf.config.get_logical_device_configuration(cpu)
    if current is None or len(current) != num_devices:
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration()] * num_devices)
        except RuntimeError:  # TF's runtime is already initialised: the device list is frozen.
            pass
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    if len(devices) != num_devices:
        raise RuntimeError(
            f"num_cpu_devices={num_devices} but TensorFlow is already initialised with "
            f"{len(devices)} logical CPU device(s); set it before any TensorFlow op runs")
    return devices


def create_strategy(name, tpu=None, num_cpu_devices=1):
    """Creates the distribution strategy called `name`.

    Args:
        name: "default" (the default strategy, one device), "mirrored" (MirroredStrategy over all
            GPUs, else over all logical CPU devices), "multi_worker" (MultiWorkerMirroredStrategy,
            cluster from the TF_CONFIG environment variable) or "tpu" (TPUStrategy).
        tpu: TPU name or grpc address for "tpu"; None means the local TPU VM.
        num_cpu_devices: if > 1, first split the CPU into that many logical devices
            (see `configure_cpu_devices`).

    Returns:
        A `tf.distribute.Strategy`.

    Raises:
        ValueError: unknown `name`, or `tpu` given with another strategy.
        RuntimeError: the TPU cannot be reached (one line naming it).
    """
    if name not in STRATEGIES:
        raise ValueError(f"unknown strategy {name!r}: expected one of {', '.join(STRATEGIES)}")
    if tpu and name != "tpu":
        raise ValueError(f"tpu={tpu!r} is only used with strategy 'tpu', not {name!r}")
    if num_cpu_devices > 1:
        configure_cpu_devices(num_cpu_devices)
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        gpus = [d.name for d in tf.config.list_logical_devices("GPU")]
        if gpus:
            return tf.distribute.MirroredStrategy(gpus)
        # On CPU devices the default collective all-reduce reuses instance keys when a process
        # builds a second MirroredStrategy, and a later all-reduce then fails with "Shape mismatch
        # in the collective instance" (TF 2.21); reducing to one device has no such state.
        cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
        return tf.distribute.MirroredStrategy(
            cpus, cross_device_ops=tf.distribute.ReductionToOneDevice())
    if name == "multi_worker":
        if "TF_CONFIG" not in os.environ:
            logging.warning("strategy 'multi_worker' without TF_CONFIG: running as a single worker")
        return tf.distribute.MultiWorkerMirroredStrategy()
    return _create_tpu_strategy(tpu)


TPU_CONNECT_TIMEOUT_SECONDS = 30.0


def _create_tpu_strategy(tpu, timeout=TPU_CONNECT_TIMEOUT_SECONDS):
    """Connects to the TPU `tpu` (None: local TPU VM) and returns a TPUStrategy.

    TF's connection to an unreachable TPU can block for minutes (metadata-server and gRPC
    retries), so it runs in a daemon thread and is given up after `timeout` seconds.
    """
    outcome = {}

    def connect():
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver(tpu=tpu or "")
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
            outcome["resolver"] = resolver
        except (ValueError, RuntimeError, OSError, tf.errors.OpError) as error:  # OSError: URLError
            outcome["error"] = error

    thread = threading.Thread(target=connect, name="tpu-connect", daemon=True)
    thread.start()
    thread.join(timeout)
    name = tpu or "(local)"
    if thread.is_alive():
        raise RuntimeError(f"cannot connect to TPU {name}: no answer within {timeout:g} s")
    if "error" in outcome:
        text = str(outcome["error"]).strip()
        first_line = text.splitlines()[0] if text else type(outcome["error"]).__name__
        raise RuntimeError(f"cannot connect to TPU {name}: {first_line}")
    return tf.distribute.TPUStrategy(outcome["resolver"])


def is_chief(strategy):
    """True on the worker that writes checkpoints, summaries and exports (always, off multi-worker).

    Args:
        strategy: a `tf.distribute.Strategy`.

    Returns:
        bool.
    """
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return True
    resolver = strategy.cluster_resolver
    task_type, task_id = resolver.task_type, resolver.task_id
    has_chief = "chief" in resolver.cluster_spec().as_dict()
    first_worker = task_type == "worker" and task_id == 0 and not has_chief
    return task_type in (None, "chief") or first_worker


def task_name(strategy):
    """A short name of this worker, e.g. "worker_1" (for non-chief temporary directories)."""
    if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return "local"
    resolver = strategy.cluster_resolver
    return f"{resolver.task_type}_{resolver.task_id}"

