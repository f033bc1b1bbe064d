"""Verifying checkpoints before they are used, and a safe fallback when the latest is damaged.

A checkpoint `ckpt-<step>` is verified when every file is there (the index and data shards
0..N-1 of `.data-0000i-of-0000N`), the index opens, every tensor reads back (reading checks TF's
CRC32C checksum of each tensor: a flipped byte is a `DataLossError`), and the manifest that
`Checkpointer` saves names exactly the saved tensors with their shapes and dtypes. A checkpoint of
the earlier layout (no manifest) is not damaged: it verifies, and restoring it is refused later.

On resume (`checkpoint_to_resume`) a checkpoint that fails is moved aside, never deleted: its
files are renamed `ckpt-<step>.corrupt-<UTC time>.<suffix>` (still a readable prefix for TF's
tools), the `checkpoint` state file is rewritten to name the newest checkpoint that verifies, and
the run resumes from it.
"""

import dataclasses
import glob
import os
import re
import time

import tensorflow as tf
from absl import logging
from google.protobuf import text_format
# The `checkpoint` state file's message (TF has no public name for it; the format is stable).
from tensorflow.python.training.checkpoint_state_pb2 import CheckpointState

from an_tf.training import checkpointing

_DATA = re.compile(r"\.data-(\d+)-of-(\d+)$")
_NAME = re.compile(r"ckpt-(\d+)\.(index|data-\d+-of-\d+)$")
STATE_FILE = "checkpoint"


@dataclasses.dataclass(frozen=True)
class CheckpointReport:
    """The verification of one checkpoint: `problem` is None when it verified."""

    path: str
    step: int
    size: int  # bytes of its index and data files
    problem: str | None


def checkpoint_files(path):
    """The index and data files of checkpoint prefix `path` that exist, sorted."""
    return sorted(glob.glob(glob.escape(path) + ".index")
                  + glob.glob(glob.escape(path) + ".data-*-of-*"))


def list_checkpoints(directory):
    """{step: prefix} of every `ckpt-<step>` with an index or data file in `directory`, newest
    first (complete or not; checkpoints moved aside have another name and are not listed)."""
    steps = set()
    if os.path.isdir(directory):
        for name in os.listdir(directory):
            match = _NAME.fullmatch(name)
            if match:
                steps.add(int(match.group(1)))
    return {step: os.path.join(directory, f"ckpt-{step}") for step in sorted(steps, reverse=True)}


def _missing_files(path):
    """Why the files of `path` are incomplete, or None."""
    if not os.path.exists(path + ".index"):
        return "index file missing"
    shards = [_DATA.search(name) for name in checkpoint_files(path)]
    shards = [(int(m.group(1)), int(m.group(2))) for m in shards if m]
    if not shards:
        return "no data file"
    total = max(count for _, count in shards)
    missing = sorted(set(range(total)) - {index for index, _ in shards})
    if missing:
        names = ", ".join(f"data-{index:05d}-of-{total:05d}" for index in missing[:3])
        return f"{len(missing)} data shard(s) missing ({names})"
    return None


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
    problem = _missing_files(path)
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
    match = re.search(r"ckpt-(\d+)$", path)
    size = sum(os.path.getsize(name) for name in checkpoint_files(path))
    return CheckpointReport(path, int(match.group(1)) if match else -1, size,
                            verify_checkpoint(path))


def verify_workdir(workdir):
    """Reports on every checkpoint of a run: <workdir>/checkpoints and its best/ folder.

    Reads only (no lock, nothing moved): safe beside a running training.

    Returns:
        list of (folder label "checkpoints" or "best", `CheckpointReport`), newest first per
        folder, and the number of checkpoints moved aside earlier (`*.corrupt-*`,
        `*.superseded-*`).
    """
    directory = checkpointing.checkpoint_directory(workdir)
    reports = []
    for label, folder in (("checkpoints", directory), ("best", os.path.join(directory, "best"))):
        reports += [(label, report(path)) for path in list_checkpoints(folder).values()]
    moved = {name.split(".")[0] + "." + name.split(".")[1]
             for name in (os.listdir(directory) if os.path.isdir(directory) else [])
             if re.match(r"ckpt-\d+\.(corrupt|superseded)-", name)}
    return reports, len(moved)


def move_aside(path, tag="corrupt"):
    """Renames the files of checkpoint `path` to `<path>.<tag>-<UTC time>.<suffix>` (never
    deletes them); the new names are no `ckpt-<step>` of `list_checkpoints`.

    Returns:
        The new prefix.
    """
    new_prefix = f"{path}.{tag}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    base, count = new_prefix, 1
    while checkpoint_files(new_prefix):  # never replace what an earlier move put aside
        new_prefix, count = f"{base}-{count}", count + 1
    for name in checkpoint_files(path):
        os.replace(name, new_prefix + name[len(path):])
    return new_prefix


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
    with open(path + ".tmp", "w", encoding="utf-8") as stream:
        stream.write(text_format.MessageToString(state))
    os.replace(path + ".tmp", path)


class CheckpointCorruptError(ValueError):
    """The checkpoint chosen with --restore_from does not verify (one line saying why)."""


def checkpoint_to_resume(workdir, restore_from=None, fix=True):
    """The checkpoint a run in `workdir` resumes from, verified; None to start at step 0.

    Without `restore_from`: the newest checkpoint of <workdir>/checkpoints that verifies. Each
    newer one that fails is reported in one warning line and, if `fix`, moved aside; the
    `checkpoint` state file is then rewritten to name the one chosen.

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
    directory = checkpointing.checkpoint_directory(workdir)
    if restore_from not in (None, ""):
        return _chosen_checkpoint(workdir, str(restore_from), fix)
    chosen = None
    for path in list_checkpoints(directory).values():
        problem = verify_checkpoint(path)
        if problem is None:
            chosen = path
            break
        where = f"moved aside to {move_aside(path)}.*" if fix else "skipped"
        logging.warning("checkpoint %s failed verification (%s): %s", path, problem, where)
    if fix and chosen is not None:
        _name_latest(directory, chosen)
    return chosen


def _chosen_checkpoint(workdir, restore_from, fix):
    """The verified checkpoint named by --restore_from; newer ones of the workdir moved aside."""
    directory = checkpointing.checkpoint_directory(workdir)
    if restore_from.isdigit():
        path = os.path.join(directory, f"ckpt-{int(restore_from)}")
    elif restore_from in ("latest", "best"):
        from an_tf.training.checkpoint_choice import resolve_checkpoint  # noqa: PLC0415
        path = resolve_checkpoint(workdir, restore_from)
    else:
        path = restore_from.removesuffix(".index")
    path = os.path.abspath(path)
    if not checkpoint_files(path):
        raise FileNotFoundError(f"--restore_from={restore_from}: no checkpoint {path} (python -m "
                                f"experiments.check_workdir --workdir={workdir} lists them)")
    problem = verify_checkpoint(path)
    if problem:
        raise CheckpointCorruptError(
            f"--restore_from={restore_from}: checkpoint {path} failed verification ({problem})")
    step = checkpointing.checkpoint_step(path)
    if fix:
        for newer_step, newer in list_checkpoints(directory).items():
            if newer_step > step or (newer_step == step and newer != path):
                logging.warning("--restore_from=%s: checkpoint %s is newer, moved aside to %s.*",
                                restore_from, newer, move_aside(newer, tag="superseded"))
        if os.path.dirname(path) == os.path.abspath(directory):
            _name_latest(directory, path)
        elif os.path.exists(os.path.join(directory, STATE_FILE)):  # another run's checkpoint
            write_checkpoint_state(directory, list(list_checkpoints(directory).values())[::-1])
    logging.warning("restoring %s (step %d) as --restore_from=%s asks", path, step, restore_from)
    return path


def _name_latest(directory, chosen):
    """Makes the state file name `chosen` as the latest (with the older ones it listed)."""
    state = tf.train.get_checkpoint_state(directory)
    if state is not None and os.path.basename(state.model_checkpoint_path) == \
            os.path.basename(chosen):
        return
    step = checkpointing.checkpoint_step(chosen)
    listed = list(state.all_model_checkpoint_paths) if state is not None else []
    older = [p for p in listed if checkpoint_files(p) and _step_of(p) < step]
    write_checkpoint_state(directory, older + [chosen])
    logging.warning("resuming from %s: the checkpoint state file now names it", chosen)


def _step_of(path):
    match = re.search(r"ckpt-(\d+)$", path)
    return int(match.group(1)) if match else -1
