"""Step-numbered, atomic checkpoints of a training run (tf.train.Checkpoint + CheckpointManager).

Atomicity: `tf.train.Checkpoint` first writes all data and index files of `ckpt-<step>` (shards in
a temporary directory, merged into place), and only then does CheckpointManager rewrite the
`checkpoint` state file (itself written to a temporary file and renamed); older checkpoints are
deleted after that. A run killed during a save therefore leaves
the state file pointing at the previous, complete checkpoint (tested in
tests/training/test_checkpointing.py).
"""

import os

import keras
import tensorflow as tf
from absl import logging

STEP_KEY = "step/.ATTRIBUTES/VARIABLE_VALUE"


def seed_generator_states(model):
    """The state variables of every `keras.random.SeedGenerator` of `model`, in a stable order.

    Keras 3 SeedGenerators are not `Trackable`, so `tf.train.Checkpoint(model=model)` does not save
    them (checked on TF 2.21 / Keras 3.15): they must be checkpointed explicitly for an exact
    resume.

    Args:
        model: a Keras layer or model (SeedGenerators created in `__init__`).

    Returns:
        A list of Keras variables (the state of each SeedGenerator, shape (2,)).
    """
    return [v for v in model.variables if v.name == "seed_generator_state"]


def checkpoint_step(path):
    """The training step stored in the checkpoint `path` (a prefix like .../ckpt-100)."""
    return int(tf.train.load_variable(path, STEP_KEY))


def checkpoint_has(path, key):
    """True if the checkpoint `path` contains an object saved under the top-level name `key`."""
    return any(name.startswith(key + "/") for name, _ in tf.train.list_variables(path))


class Checkpointer:
    """Saves and restores trackable objects and the training step in `directory`.

    Args:
        directory: where the `ckpt-<step>` files and the `checkpoint` state file live.
        max_to_keep: number of most recent checkpoints kept.
        **trackables: objects to save, by name (e.g. model=model, iterator=iterator,
            rng=seed_generator_states(model)). A `step` variable is added under the name "step".

    Example:
        checkpointer = Checkpointer(workdir + "/checkpoints", model=model)
        step = checkpointer.restore_latest()  # 0 if there is no checkpoint
        ...
        checkpointer.save(step)
    """

    def __init__(self, directory, max_to_keep=3, **trackables):
        if "step" in trackables:
            raise ValueError("trackables must not use the reserved name 'step'")
        self.directory = directory
        self.max_to_keep = max_to_keep
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self.checkpoint = tf.train.Checkpoint(step=self.step, **trackables)
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, directory, max_to_keep=max_to_keep, checkpoint_name="ckpt")

    @property
    def latest_checkpoint(self):
        """Path prefix of the latest complete checkpoint, or None."""
        return self.manager.latest_checkpoint

    def save(self, step):
        """Writes checkpoint `ckpt-<step>` atomically and drops checkpoints beyond `max_to_keep`.

        Args:
            step: int, the number of training steps done.

        Returns:
            The path prefix of the new checkpoint.
        """
        self.step.assign(step)
        path = self.manager.save(checkpoint_number=step)
        logging.info("saved checkpoint %s", path)
        return path

    def restore(self, path):
        """Restores the checkpoint `path` into the objects and returns its step.

        Every object given to the constructor must already have its variables (build models and
        optimizers first): Keras 3 variables created after a restore are NOT filled in
        (no deferred restoration; checked on TF 2.21 / Keras 3.15).

        Args:
            path: a checkpoint prefix, e.g. ".../ckpt-100".

        Returns:
            The restored step (int).

        Raises:
            AssertionError (from TF): some object has variables missing from the checkpoint.
        """
        status = self.checkpoint.restore(path)
        status.assert_existing_objects_matched()
        status.expect_partial()
        logging.info("restored checkpoint %s", path)
        return int(self.step.numpy())

    def restore_latest(self):
        """Restores the latest checkpoint of `directory`, if there is one.

        Returns:
            The restored step (int), or 0 if the directory has no checkpoint.
        """
        path = self.latest_checkpoint
        return 0 if path is None else self.restore(path)

def checkpoint_directory(workdir):
    """The directory of a run's checkpoints: <workdir>/checkpoints."""
    return os.path.join(workdir, "checkpoints")


def model_optimizers(model):
    """The optimizers that are attributes of `model`.

    Args:
        model: a keras.Model whose optimizers are attributes (`optimizer`, `g_optimizer`, ...).

    Returns:
        dict attribute name (without leading underscores) -> `keras.optimizers.Optimizer`.
    """
    return {name.lstrip("_"): value for name, value in vars(model).items()
            if isinstance(value, keras.optimizers.Optimizer)}


def unbuilt_optimizers(model):
    """Sorted attribute names of the model's optimizers that have no variables yet.

    When the model has other optimizer attributes, `model.optimizer` is ignored: Keras GAN models
    call `super().compile()`, which sets an unused default optimizer there.
    """
    optimizers = model_optimizers(model)
    if len(optimizers) > 1:
        optimizers.pop("optimizer", None)
    return sorted(name for name, optimizer in optimizers.items() if not optimizer.built)


def state_variable_count(model):
    """Number of variables of the model and of its optimizers (to detect late creation)."""
    optimizers = model_optimizers(model).values()
    return len(model.variables) + sum(len(optimizer.variables) for optimizer in optimizers)
