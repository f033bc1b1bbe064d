"""Verifying checkpoints before they are used, and a safe fallback when the latest is damaged.

A checkpoint `ckpt-<step>` is verified when every file is there (the index and data shards
0..N-1 of `.data-0000i-of-0000N`), the index opens, every tensor reads back (reading checks TF's
CRC32C checksum of each tensor: a flipped byte is a `DataLossError`), and the manifest that
`Checkpointer` saves names exactly the saved tensors with their shapes and dtypes. A checkpoint of
the earlier layout (no manifest) is not damaged: it verifies, and restoring it is refused later.

On resume (`checkpoint_to_resume`) a checkpoint that fails, and the files of a save that did not
finish, are moved aside, never deleted: their files are renamed
`ckpt-<step>.corrupt-<UTC time>.<suffix>` (still a readable prefix for TF's tools), the `checkpoint`
state file is rewritten to name the newest checkpoint that verifies, and the run resumes from it.
Which files make a checkpoint is `training.run_dir`'s definition.
"""

import dataclasses
import os
import time

import tensorflow as tf
from absl import logging
from google.protobuf import text_format
# The `checkpoint` state file's message (TF has no public name for it; the format is stable).
from tensorflow.python.training.checkpoint_state_pb2 import CheckpointState

from an_tf.training import checkpointing, run_dir

STATE_FILE = "checkpoint"


@dataclasses.dataclass(frozen=True)
class CheckpointReport:
    """The verification of one checkpoint: `problem` is None when it verified."""

    path: str
    step: int
    size: int  # bytes of its index and data files
    problem: str | None


def _first_line(error):
    text = str(getattr(error, "message", None) or error).strip()
    return (text.splitlines()[0] if text else type(error).__name__)[:200]


def _check_manifest(path, reader):
    """Why the saved manifest does not describe the saved tensors, or None."""
    shapes = reader.get_variable_to_shape_map()
    if checkpointing.MANIFEST_KEY not in shapes:
        return None  # the earlier layout: refused with its own message when restored
    manifest = checkpointing.read_manifest(path)
    dtypes = reader.get_variable_to_dtype_map()
    for key, (shape, dtype) in manifest.items():
        name = checkpointing.saved_name(key)
        if name not in shapes:
            return f"manifest names {key}, which is not saved"
        if list(shapes[name]) != list(shape) or dtypes[name].name != dtype:
            return (f"{key} is saved as {list(shapes[name])} {dtypes[name].name}, the manifest "
                    f"says {shape} {dtype}")
    if checkpointing.STEP_KEY not in shapes:
        return "no step saved"
    return None


def verify_checkpoint(path):
    """Why checkpoint `path` cannot be trusted, or None if it verified.

    Args:
        path: a checkpoint prefix, e.g. <workdir>/checkpoints/ckpt-400.

    Returns:
        None, or a one-line reason: missing files, an index that does not open, a tensor that
        does not read back (checksum), or a manifest that does not match the saved tensors.
    """
    problem = run_dir.missing_files(path)
    if problem:
        return problem
    try:
        reader = tf.train.load_checkpoint(path)
    except (tf.errors.OpError, ValueError) as error:
        return f"index unreadable: {_first_line(error)}"
    for name in sorted(reader.get_variable_to_shape_map()):
        try:
            reader.get_tensor(name)  # checks the tensor's CRC32C
        except (tf.errors.OpError, ValueError) as error:
            return f"tensor {name} unreadable: {_first_line(error)}"
    try:
        return _check_manifest(path, reader)
    except (tf.errors.OpError, ValueError) as error:
        return f"manifest unreadable: {_first_line(error)}"


def report(path):
    """A `CheckpointReport` of checkpoint prefix `path`."""
    step = run_dir.step_of(path)
    size = sum(os.path.getsize(name) for name in run_dir.checkpoint_files(path))
    return CheckpointReport(path, -1 if step is None else step, size, verify_checkpoint(path))


def _on_disk(directory):
    """[prefix] of the checkpoints and of the files of unfinished saves in `directory`, newest
    first."""
    found = {**run_dir.list_checkpoints(directory),
             **{step: prefix for step, (prefix, _) in
                run_dir.partial_checkpoints(directory).items()}}
    return [found[step] for step in sorted(found, reverse=True)]


def verify_workdir(workdir):
    """Reports on every checkpoint of a run: <workdir>/checkpoints and its best/ folder.

    Reads only (no lock, nothing moved): safe beside a running training.

    Returns:
        list of (folder label "checkpoints" or "best", `CheckpointReport`), newest first per
        folder (the files of an unfinished save too, as failed), and the number of checkpoints
        moved aside earlier (`*.corrupt-*`, `*.superseded-*`).
    """
    reports = []
    for label, folder in (("checkpoints", run_dir.checkpoint_directory(workdir)),
                          ("best", run_dir.best_directory(workdir))):
        reports += [(label, report(path)) for path in _on_disk(folder)]
    return reports, len(run_dir.moved_aside(run_dir.checkpoint_directory(workdir)))


def write_checkpoint_state(directory, prefixes):
    """Rewrites `<directory>/checkpoint` to list `prefixes` (oldest first; the last is the latest),
    keeping their save times so that CheckpointManager's max_to_keep still deletes the oldest.

    Written to a temporary file and renamed, as TF writes it; relative names, as TF writes them.
    """
    path = os.path.join(directory, STATE_FILE)
    if not prefixes:  # TF refuses a state file naming no checkpoint
        if os.path.exists(path):
            os.remove(path)
        return
    old = tf.train.get_checkpoint_state(directory)
    times = {}
    if old is not None:
        times = dict(zip((os.path.basename(p) for p in old.all_model_checkpoint_paths),
                         old.all_model_checkpoint_timestamps))
    state = CheckpointState()
    names = [os.path.basename(prefix) for prefix in prefixes]
    state.model_checkpoint_path = names[-1] if names else ""
    state.all_model_checkpoint_paths.extend(names)
    now = time.time()
    state.all_model_checkpoint_timestamps.extend(times.get(name, now) for name in names)
    state.last_preserved_timestamp = old.last_preserved_timestamp if old is not None else 0.0
    run_dir.write_text(path, text_format.MessageToString(state), "checkpoint state file")


class CheckpointCorruptError(ValueError):
    """The checkpoint chosen with --restore_from does not verify (one line saying why)."""


def checkpoint_to_resume(workdir, restore_from=None, fix=True):
    """The checkpoint a run in `workdir` resumes from, verified; None to start at step 0.

    Without `restore_from`: the newest checkpoint of <workdir>/checkpoints that verifies. Each
    newer one that fails, and the files of every unfinished save, are reported in one warning
    line and, if `fix`, moved aside; the `checkpoint` state file is then rewritten to name the
    one chosen.

    Args:
        workdir: the run's directory.
        restore_from: None, a step number, "latest", "best" or a checkpoint prefix (of any run):
            resume from exactly that one. Newer checkpoints of this workdir are moved aside (tag
            "superseded") if `fix`, so that the run does not overwrite or mix with them.
        fix: move files and rewrite the state file (the chief); False only reads (other workers).

    Returns:
        A checkpoint prefix, or None.

    Raises:
        CheckpointCorruptError: the checkpoint named by `restore_from` does not verify.
        FileNotFoundError: `restore_from` names no checkpoint.
    """
    directory = run_dir.checkpoint_directory(workdir)
    if restore_from not in (None, ""):
        return _chosen_checkpoint(workdir, str(restore_from), fix)
    for prefix, problem in run_dir.partial_checkpoints(directory).values():
        where = f"moved aside to {run_dir.move_aside(prefix)}.*" if fix else "skipped"
        logging.warning("checkpoint %s is incomplete (%s): %s", prefix, problem, where)
    chosen = None
    for path in run_dir.list_checkpoints(directory).values():
        problem = verify_checkpoint(path)
        if problem is None:
            chosen = path
            break
        where = f"moved aside to {run_dir.move_aside(path)}.*" if fix else "skipped"
        logging.warning("checkpoint %s failed verification (%s): %s", path, problem, where)
    if fix and chosen is not None:
        _name_latest(directory, chosen)
    return chosen


def _chosen_checkpoint(workdir, restore_from, fix):
    """The verified checkpoint named by --restore_from; newer ones of the workdir moved aside."""
    directory = run_dir.checkpoint_directory(workdir)
    if restore_from.isdigit():
        path = run_dir.checkpoint_prefix(directory, restore_from)
    elif restore_from in ("latest", "best"):
        from an_tf.training.checkpoint_choice import resolve_checkpoint  # noqa: PLC0415
        path = resolve_checkpoint(workdir, restore_from)
    else:
        path = restore_from.removesuffix(".index")
    path = os.path.abspath(path)
    if not run_dir.checkpoint_files(path):
        raise FileNotFoundError(f"--restore_from={restore_from}: no checkpoint {path} (python -m "
                                f"experiments.check_workdir --workdir={workdir} lists them)")
    problem = verify_checkpoint(path)
    if problem:
        raise CheckpointCorruptError(
            f"--restore_from={restore_from}: checkpoint {path} failed verification ({problem})")
    step = checkpointing.checkpoint_step(path)
    if fix:
        for newer in _on_disk(directory):
            newer_step = run_dir.step_of(newer)
            if newer_step > step or (newer_step == step and os.path.abspath(newer) != path):
                logging.warning("--restore_from=%s: checkpoint %s is newer, moved aside to %s.*",
                                restore_from, newer,
                                run_dir.move_aside(newer, tag="superseded"))
        if os.path.dirname(path) == os.path.abspath(directory):
            _name_latest(directory, path)
        elif os.path.exists(os.path.join(directory, STATE_FILE)):  # another run's checkpoint
            write_checkpoint_state(directory,
                                   list(run_dir.list_checkpoints(directory).values())[::-1])
    logging.warning("restoring %s (step %d) as --restore_from=%s asks", path, step, restore_from)
    return path


def _name_latest(directory, chosen):
    """Makes the state file name `chosen` as the latest (with the older ones it listed)."""
    state = tf.train.get_checkpoint_state(directory)
    if state is not None and os.path.basename(state.model_checkpoint_path) == \
            os.path.basename(chosen):
        return
    step = checkpointing.checkpoint_step(chosen)
    listed = {os.path.basename(p) for p in state.all_model_checkpoint_paths} if state else set()
    older = [prefix for older_step, prefix in sorted(run_dir.list_checkpoints(directory).items())
             if older_step < step and os.path.basename(prefix) in listed]
    write_checkpoint_state(directory, older + [chosen])
    logging.warning("resuming from %s: the checkpoint state file now names it", chosen)
