"""SavedModel export of a trained model: restore the latest checkpoint, write atomically."""

import os
import shutil
import tempfile

import tensorflow as tf
from absl import logging

from an_tf.training import checkpointing, run_dir
from an_tf.training.write_errors import write_failure
from an_tf.training.checkpoint_choice import resolve_checkpoint


def save_model_atomically(module_or_model, export_dir, signatures=None):
    """Writes a SavedModel to `export_dir` so that readers never see a half-written directory.

    The SavedModel is written to a temporary directory beside `export_dir` (same filesystem), then
    renamed into place. An existing `export_dir` is first renamed aside and deleted after the
    swap, so at every moment `export_dir` is either absent, the old or the new complete SavedModel.

    Args:
        module_or_model: a tf.Module (or Keras model) with the functions to serve.
        export_dir: target directory.
        signatures: passed to `tf.saved_model.save` (e.g. {"serving_default": concrete_fn}).

    Returns:
        `export_dir`.

    Raises:
        ValueError: `export_dir` is a non-empty directory that is not a SavedModel (it would be
            deleted: e.g. the workdir given as export_dir by mistake).
        training.write_errors.WorkdirWriteError: the disk is full, read-only or gone (one line
            with the free space); the temporary directory is removed.
    """
    export_dir = os.path.abspath(export_dir)
    if (os.path.isdir(export_dir) and os.listdir(export_dir)
            and not os.path.exists(os.path.join(export_dir, "saved_model.pb"))):
        raise ValueError(
            f"export_dir {export_dir} exists and is not a SavedModel: not replacing it")
    parent, name = os.path.split(export_dir)
    consequence = "an earlier export there is unchanged; free space and export again"
    with write_failure("export", export_dir, consequence):
        os.makedirs(parent, exist_ok=True)
        temporary = tempfile.mkdtemp(prefix=f".{name}.tmp-", dir=parent)
    try:
        with write_failure("export", export_dir, consequence):
            tf.saved_model.save(module_or_model, temporary, signatures=signatures)
            old = None
            if os.path.exists(export_dir):
                old = tempfile.mkdtemp(prefix=f".{name}.old-", dir=parent)
                os.replace(export_dir, os.path.join(old, name))
            os.replace(temporary, export_dir)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    logging.info("exported SavedModel to %s", export_dir)
    return export_dir


def track_model_variables(module, model):
    """Tracks the tf.Variables behind `model`'s Keras variables on the serving `module`.

    As Keras' own ExportArchive does: the TF1-style loader of `saved_model_cli run` restores only
    variables it reaches this way, not through Keras layers (TF 2.21 / Keras 3.15). Call it once the
    model is built.
    """
    module.tf_variables = [variable.value for variable in model.variables]


def restore_model_for_export(workdir, model, checkpoint="latest"):
    """Loads every variable of a checkpoint of a run (by default the latest) into `model`.

    The whole saved state is restored (weights, EMA copies, batch-norm statistics, spectral-norm
    vectors, optimizer slots), and it must match the model exactly, so a model built differently
    from the trained one fails loudly instead of serving partly untrained weights.

    Args:
        workdir: the run's directory (as in `TrainingConfig.workdir`).
        model: a model built exactly like the trained one (same `build_model`: networks and
            optimizers built).
        checkpoint: "latest", "best" (kept by the evaluation during training) or a step number
            (see `checkpoint_choice.resolve_checkpoint`).

    Returns:
        The step of the checkpoint (int).

    Raises:
        FileNotFoundError: the workdir has no such checkpoint (one line listing what exists).
        training.checkpointing.CheckpointMismatchError: the checkpoint does not hold exactly the
            model's variables (one line naming the first differences).
    """
    directory = run_dir.checkpoint_directory(workdir)
    if not run_dir.list_checkpoints(directory):
        raise FileNotFoundError(
            f"no checkpoint in {directory}: train with --workdir={workdir} first")
    path = resolve_checkpoint(workdir, checkpoint)
    checkpointer = checkpointing.Checkpointer(directory, **checkpointing.run_objects(model))
    step = checkpointer.restore(path)
    logging.info("restored all %d variables of step %d from %s",
                 len(checkpointer.variables), step, path)
    return step
