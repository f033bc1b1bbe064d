"""The files of a run directory (workdir), read and written in one place.

    <workdir>/config.json               the run's settings (`read_settings`; written by
                                        `run_settings.record_run_settings`)
    <workdir>/checkpoints/ckpt-<step>.* the rotating checkpoints (`list_checkpoints`)
    <workdir>/checkpoints/best/         the best one by the evaluation metric, with best.json

A checkpoint exists when its files are complete: the index file and every data shard its name
announces (`.data-0000i-of-0000N`, i = 0..N-1). TensorFlow writes them before it names the
checkpoint in the `checkpoint` state file, so complete files are a finished save; files of a save
that did not finish (`partial_checkpoints`) are no checkpoint. Whether a complete checkpoint's
bytes can be trusted is `training.verify`'s question (it reads every tensor).

JSON and other small files of the run are written atomically (`write_json`, `write_text`): to a
temporary file, flushed to disk, then renamed over the old one, so a reader or a crash never meets
half a file; a failing disk raises one line (`write_errors.WorkdirWriteError`).
"""

import contextlib
import json
import os
import re
import time

from an_tf.training.write_errors import write_failure

SETTINGS_FILE = "config.json"
CHECKPOINT_DIR = "checkpoints"
BEST_DIR = "best"
BEST_INFO = "best.json"  # {"step", "metric", "value"} of the checkpoint in best/
CHECKPOINT_NAME = "ckpt"  # checkpoints are <CHECKPOINT_NAME>-<step>

# <prefix>.index or <prefix>.data-<shard>-of-<shards>, prefix ckpt-<step>: TF's file names.
_CHECKPOINT_FILE = re.compile(CHECKPOINT_NAME + r"-(\d+)\.(?:index|data-\d+-of-\d+)")
_PREFIX = re.compile(CHECKPOINT_NAME + r"-(\d+)")
# ckpt-<step>.<tag>-<UTC time>[-<n>].<suffix>: files moved aside by `move_aside`.
_MOVED = re.compile(f"({CHECKPOINT_NAME}" + r"-\d+\.(?:corrupt|superseded)-[0-9TZ]+(?:-\d+)?)\..+")


def settings_path(workdir):
    return os.path.join(workdir, SETTINGS_FILE)


def read_settings(workdir, kind="training run"):
    """The run's saved settings {"training_config": {...}, "hparams": {...}}.

    Args:
        workdir: the run's directory.
        kind: what the directory should be, for the error message (e.g. "cGAN run").

    Raises:
        FileNotFoundError: there is no <workdir>/config.json (one line).
    """
    path = settings_path(workdir)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} not found: --workdir must be a {kind} directory")
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)


def read_hparams(workdir, kind="training run"):
    """The "hparams" (the entry point's flags) of the run's settings; see `read_settings`."""
    settings = read_settings(workdir, kind)
    return settings.get("hparams", settings)


def write_text(path, text, what, consequence=""):
    """Writes `text` to `path` atomically (temporary file, fsync, rename).

    Args:
        path: the file.
        text: str.
        what, consequence: for the one-line error (see `write_errors.write_failure`).

    Raises:
        write_errors.WorkdirWriteError: the disk is full, read-only or gone; `path` is unchanged.
    """
    temporary = path + ".tmp"
    with write_failure(what, path, consequence):
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        try:
            with open(temporary, "w", encoding="utf-8") as stream:
                stream.write(text)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.remove(temporary)  # a partial file would only hold space
            raise
    return path


def write_json(path, value, what, consequence="", **dump_options):
    """`write_text` of `json.dumps(value, **dump_options)`."""
    return write_text(path, json.dumps(value, **dump_options), what, consequence)


def checkpoint_directory(workdir):
    """The directory of a run's rotating checkpoints: <workdir>/checkpoints."""
    return os.path.join(workdir, CHECKPOINT_DIR)


def best_directory(workdir):
    """<workdir>/checkpoints/best: the best checkpoint by the evaluation metric (one kept)."""
    return os.path.join(checkpoint_directory(workdir), BEST_DIR)


def checkpoint_prefix(directory, step):
    """The path prefix of checkpoint `step` in `directory`: <directory>/ckpt-<step>."""
    return os.path.join(directory, f"{CHECKPOINT_NAME}-{int(step)}")


def step_of(prefix):
    """The step in a checkpoint prefix's name (.../ckpt-400 -> 400), or None."""
    match = _PREFIX.fullmatch(os.path.basename(prefix))
    return int(match.group(1)) if match else None


def _data_file(name):
    """Matches the data shard file names of checkpoint name `name`: (shard, shards)."""
    return re.compile(re.escape(name) + r"\.data-(\d+)-of-(\d+)")


def checkpoint_files(prefix):
    """The index and data files of checkpoint `prefix` that exist, sorted."""
    directory, name = os.path.split(prefix)
    if not os.path.isdir(directory or "."):
        return []
    data = _data_file(name)
    return sorted(os.path.join(directory, file) for file in os.listdir(directory or ".")
                  if file == name + ".index" or data.fullmatch(file))


def missing_files(prefix):
    """Why the files of checkpoint `prefix` are incomplete, or None when they are complete."""
    files = [os.path.basename(path) for path in checkpoint_files(prefix)]
    name = os.path.basename(prefix)
    if name + ".index" not in files:
        return "index file missing"
    shards = [_data_file(name).fullmatch(file) for file in files]
    shards = [(int(m.group(1)), int(m.group(2))) for m in shards if m]
    if not shards:
        return "no data file"
    total = max(count for _, count in shards)
    missing = sorted(set(range(total)) - {index for index, _ in shards})
    if missing:
        names = ", ".join(f"data-{index:05d}-of-{total:05d}" for index in missing[:3])
        return f"{len(missing)} data shard(s) missing ({names})"
    return None


def _prefixes_on_disk(directory):
    """{step: prefix} of every ckpt-<step> with at least one file in `directory`."""
    if not os.path.isdir(directory):
        return {}
    steps = {int(match.group(1)) for match in map(_CHECKPOINT_FILE.fullmatch,
                                                  os.listdir(directory)) if match}
    return {step: checkpoint_prefix(directory, step) for step in steps}


def list_checkpoints(directory):
    """{step: prefix} of the checkpoints in `directory` (complete files), newest first."""
    return {step: prefix for step, prefix in sorted(_prefixes_on_disk(directory).items(),
                                                    reverse=True)
            if missing_files(prefix) is None}


def partial_checkpoints(directory):
    """{step: (prefix, why)} of the files in `directory` left by saves that did not finish (no
    checkpoint), newest first."""
    found = {step: (prefix, missing_files(prefix))
             for step, prefix in sorted(_prefixes_on_disk(directory).items(), reverse=True)}
    return {step: entry for step, entry in found.items() if entry[1] is not None}


def move_aside(prefix, tag="corrupt"):
    """Renames the files of checkpoint `prefix` to `<prefix>.<tag>-<UTC time>.<suffix>` (never
    deletes them); the new names are no checkpoint of `list_checkpoints`.

    Args:
        prefix: a checkpoint prefix.
        tag: "corrupt" or "superseded".

    Returns:
        The new prefix (still a readable prefix for TF's tools).
    """
    new_prefix = f"{prefix}.{tag}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    base, count = new_prefix, 1
    while checkpoint_files(new_prefix):  # never replace what an earlier move put aside
        new_prefix, count = f"{base}-{count}", count + 1
    for name in checkpoint_files(prefix):
        os.replace(name, new_prefix + name[len(prefix):])
    return new_prefix


def moved_aside(directory):
    """The prefixes of the checkpoints moved aside in `directory` (sorted)."""
    if not os.path.isdir(directory):
        return []
    return sorted({match.group(1) for match in map(_MOVED.fullmatch, os.listdir(directory))
                   if match})
