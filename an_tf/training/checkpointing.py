"""Step-numbered, complete, atomic checkpoints of a training run.

What is saved: every variable reachable from the given objects (models, their optimizers' slots,
iteration counts and loss scales, batch-norm statistics, spectral-norm vectors, SeedGenerator
states, metric accumulators), each under a unique attribute-path key (`an_tf.training.state`), the
step, and a manifest {key: [shape, dtype]}. On restore the manifest must equal the current objects'
keys, shapes and dtypes exactly, else a one-line `CheckpointMismatchError` names the first
differences and nothing is restored; then TF's own `assert_consumed` double-checks that every saved
value landed and every variable got one. A checkpoint of the earlier layout (round 1:
`tf.train.Checkpoint(model=...)`, which missed layers held in lists) has no manifest and is refused.

Atomicity: `tf.train.Checkpoint` first writes all data and index files of `ckpt-<step>` (shards in
a temporary directory, merged into place), and only then does CheckpointManager rewrite the
`checkpoint` state file (itself written to a temporary file and renamed); older checkpoints are
deleted after that. A run killed during a save therefore leaves the state file pointing at the
previous, complete checkpoint (tested in tests/training/test_checkpointing.py).
"""

import contextlib
import glob
import json
import os
import shutil

import keras
import tensorflow as tf
from absl import logging

from an_tf.training import run_dir
from an_tf.training.state import state_variables
from an_tf.training.write_errors import WorkdirWriteError, write_failure

STEP_KEY = "step/.ATTRIBUTES/VARIABLE_VALUE"
MANIFEST_KEY = "manifest/.ATTRIBUTES/VARIABLE_VALUE"
_SHOWN = 3  # differences named in an error message


class CheckpointMismatchError(ValueError):
    """A checkpoint does not hold exactly the variables of the objects it is restored into."""


def seed_generator_states(model):
    """The state variables of every `keras.random.SeedGenerator` of `model`, in a stable order.

    (They are saved with everything else by `Checkpointer`; kept for code that inspects them.)
    """
    return [v for v in model.variables if v.name == "seed_generator_state"]


def checkpoint_step(path):
    """The training step stored in the checkpoint `path` (a prefix like .../ckpt-100)."""
    return int(tf.train.load_variable(path, STEP_KEY))


def saved_name(key):
    """The name in a checkpoint file of the variable saved under `key` (TF escapes "/" and ".")."""
    escaped = key.replace(".", "..").replace("/", ".S")
    return f"state/{escaped}/.ATTRIBUTES/VARIABLE_VALUE"


def load_saved_state(path):
    """{key: numpy value} of every variable saved in checkpoint `path` (for tests and inspection;
    e.g. comparing two runs tensor by tensor)."""
    return {key: tf.train.load_variable(path, saved_name(key)) for key in read_manifest(path)}


def _manifest(variables):
    """{key: [shape, dtype]} of a {key: variable} mapping."""
    return {key: [list(variable.shape), str(variable.dtype)] for key, variable in variables.items()}


def read_manifest(path):
    """The manifest of checkpoint `path`; CheckpointMismatchError for the earlier layout."""
    names = {name for name, _ in tf.train.list_variables(path)}
    if MANIFEST_KEY not in names:
        raise CheckpointMismatchError(
            f"checkpoint {path} has the earlier an_tf layout (no variable manifest; it missed "
            "layers held in lists): it cannot be restored exactly, so it is refused; train again "
            "in a new workdir")
    return json.loads(tf.train.load_variable(path, MANIFEST_KEY).decode("utf-8"))


def check_manifest(saved, current, path):
    """Raises a one-line CheckpointMismatchError unless the two manifests are equal."""
    missing = [key for key in current if key not in saved]
    unexpected = [key for key in saved if key not in current]
    changed = [f"{key} {saved[key]} -> {current[key]}" for key in current
               if key in saved and saved[key] != current[key]]
    problems = []
    if missing:
        problems.append(f"{len(missing)} variable(s) not in the checkpoint (first: "
                        f"{', '.join(missing[:_SHOWN])})")
    if unexpected:
        problems.append(f"{len(unexpected)} saved variable(s) with no place in the model "
                        f"(first: {', '.join(unexpected[:_SHOWN])})")
    if changed:
        problems.append(f"{len(changed)} with another shape or dtype (first: "
                        f"{'; '.join(changed[:_SHOWN])})")
    if problems:
        raise CheckpointMismatchError(
            f"checkpoint {path} does not match the objects to restore: {'; '.join(problems)}")


class Checkpointer:
    """Saves and restores every variable of the given objects and the training step.

    Args:
        directory: where the `ckpt-<step>` files and the `checkpoint` state file live.
        max_to_keep: number of most recent checkpoints kept.
        **objects: what to save, by name (e.g. model=gan: its optimizers, EMA copy and seed
            generators are attributes and come along). Build every variable first: Keras 3
            variables created after a restore are not filled in.

    Raises:
        ValueError: a reserved name ("step", "manifest") is used.
        an_tf.training.state.StateError: some variable cannot be keyed (see `state_variables`).

    Example:
        checkpointer = Checkpointer(workdir + "/checkpoints", model=model)
        step = checkpointer.restore_latest()  # 0 if there is no checkpoint
        ...
        checkpointer.save(step)
    """

    def __init__(self, directory, max_to_keep=3, **objects):
        for reserved in ("step", "manifest"):
            if reserved in objects:
                raise ValueError(f"objects must not use the reserved name {reserved!r}")
        self.directory = directory
        self.max_to_keep = max_to_keep
        self.variables = state_variables(**objects)  # {key: keras.Variable}
        self.manifest = _manifest(self.variables)
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self._manifest_text = tf.Variable(json.dumps(self.manifest), trainable=False,
                                          name="manifest")
        self.checkpoint = tf.train.Checkpoint(
            step=self.step, manifest=self._manifest_text, state=dict(self.variables))
        self.manager = tf.train.CheckpointManager(
            self.checkpoint, directory, max_to_keep=max_to_keep,
            checkpoint_name=run_dir.CHECKPOINT_NAME)

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

        Raises:
            training.write_errors.WorkdirWriteError: the disk is full, read-only or gone (one
                line with the free space); the partial files are removed, and the `checkpoint`
                state file still names the previous complete checkpoint.
        """
        self.step.assign(step)
        prefix = run_dir.checkpoint_prefix(self.directory, step)
        consequence = (f"the latest complete checkpoint is still {self.latest_checkpoint}"
                       if self.latest_checkpoint else "no checkpoint was written yet")
        try:
            with write_failure("checkpoint", prefix, consequence + "; free space and rerun"):
                path = self.manager.save(checkpoint_number=step)
        except WorkdirWriteError:
            if prefix not in self.manager.checkpoints:  # never a complete, listed checkpoint
                _remove_partial_save(prefix)
            raise
        logging.info("saved checkpoint %s (%d variables)", path, len(self.variables))
        return path

    def restore(self, path):
        """Restores every variable from checkpoint `path` and returns its step.

        Args:
            path: a checkpoint prefix, e.g. ".../ckpt-100".

        Returns:
            The restored step (int).

        Raises:
            CheckpointMismatchError: the checkpoint's variables differ from the objects' (missing,
                extra, other shape or dtype) or it has the earlier layout; nothing is restored.
        """
        check_manifest(read_manifest(path), self.manifest, path)
        status = self.checkpoint.restore(path)
        status.assert_consumed()
        logging.info("restored checkpoint %s (%d variables)", path, len(self.variables))
        return int(self.step.numpy())

    def restore_latest(self):
        """Restores the latest checkpoint of `directory`, if there is one.

        Returns:
            The restored step (int), or 0 if the directory has no checkpoint.
        """
        path = self.latest_checkpoint
        return 0 if path is None else self.restore(path)


def _remove_partial_save(prefix):
    """Deletes what a failed save of `prefix` left (TF's `<prefix>_temp` shard directory, a
    partly merged index or data file), so that the space is free again."""
    shutil.rmtree(prefix + "_temp", ignore_errors=True)
    for path in glob.glob(glob.escape(prefix) + ".*"):
        with contextlib.suppress(OSError):
            os.remove(path)


def run_objects(model):
    """What `run_training` checkpoints: the model (with its optimizers, EMA copies, seed
    generators) and the loop's count of skipped updates. Restore into the same structure."""
    return {"model": model,
            "skipped_updates": keras.Variable(0, dtype="int64", trainable=False,
                                              name="skipped_updates")}


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
