"""Shared helpers of the cGAN tests: tiny networks and GANs, synthetic batches, the smoke run."""

import os
import sys

import keras
import numpy as np
import tensorflow as tf

from an_tf.cgan import ConditionalGAN, Discriminator, Generator
from an_tf.data.synthetic_shapes import load_synthetic_shapes
from an_tf.training import create_strategy

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SMOKE_FLAGFILE = os.path.join(REPO, "experiments", "configs", "cgan_smoke.cfg")
TINY = dict(resolution=32, num_classes=4, channels=4, num_entities=4)
Z_DIM = 8


def tiny_generator(**overrides):
    return Generator(**{**TINY, "z_dim": Z_DIM, **overrides})


def tiny_discriminator(**overrides):
    return Discriminator(**{**TINY, "an_resolutions": (16,), "embedding_dim": 4, **overrides})


def tiny_gan(seed=0, ema_decay=None, d_steps=1, optimizer=None, run_eagerly=False,
             **network_overrides):
    """A compiled tiny GAN; the same `seed` gives the same initial weights. `optimizer`: a class
    taking a learning rate (default: Adam with the paper's settings)."""
    keras.utils.set_random_seed(seed)
    gan = ConditionalGAN(tiny_generator(**network_overrides), tiny_discriminator(),
                         d_steps=d_steps, ema_decay=ema_decay, seed=seed)
    if optimizer is None:
        d_optimizer = keras.optimizers.Adam(4e-4, beta_1=0.0, beta_2=0.9)
        g_optimizer = keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9)
    else:
        d_optimizer, g_optimizer = optimizer(0.1), optimizer(0.1)
    gan.compile(d_optimizer=d_optimizer, g_optimizer=g_optimizer, run_eagerly=run_eagerly)
    return gan


def synthetic_batch(size=4, num_classes=4, seed=0):
    """{"image" (size,32,32,3), "label" (size,) int32, "mask"} as tensors."""
    dataset = load_synthetic_shapes(32, num_classes, num_examples=size, seed=seed)
    return next(iter(dataset.batch(size)))


def two_cpu_strategy():
    """MirroredStrategy over the two logical CPUs of tests/conftest.py, as the pipelines build it."""
    return create_strategy("mirrored")


def weights_of(model):
    return [np.array(w) for w in model.weights]


def run_in_fresh_python(code):
    """Runs `code` in a new interpreter (cwd /, without the repo on sys.path); returns stdout."""
    import subprocess  # local: only the export tests need it

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["TF_CPP_MIN_LOG_LEVEL"] = "2"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd="/", env=env, timeout=120, check=False)
    if result.returncode:
        raise AssertionError(f"fresh python failed:\n{result.stderr[-3000:]}")
    return result.stdout


def tensor(x, dtype=tf.float32):
    return tf.constant(np.asarray(x), dtype)


_SMOKE_RUNS = {}


def parse_cgan_flags(*args, flagfile=SMOKE_FLAGFILE):
    """A fresh FlagValues with experiments.cgan's flags, parsed from `flagfile` and `args`."""
    from absl import flags

    from experiments import cgan

    flag_values = flags.FlagValues()
    cgan.define_flags(flag_values)
    flag_values(["cgan", f"--flagfile={flagfile}", *args])
    return flag_values


def run_cgan_main(*extra_flags):
    """Runs experiments.cgan.main with the smoke flagfile and `extra_flags` (e.g. --workdir=...)."""
    from experiments import cgan

    cgan.main(["cgan"], flag_values=parse_cgan_flags(*extra_flags))


def smoke_workdir(tmp_path_factory):
    """The workdir of one smoke training run (2 steps), shared by all tests of the session."""
    if "workdir" not in _SMOKE_RUNS:
        workdir = str(tmp_path_factory.mktemp("cgan_smoke") / "run")
        run_cgan_main(f"--workdir={workdir}")
        _SMOKE_RUNS["workdir"] = workdir
    return _SMOKE_RUNS["workdir"]
