"""Which checkpoint of a run to load: "latest" (the rotating ones), "best" (kept apart by the
evaluation during training, in <workdir>/checkpoints/best/) or a step number.

Used by `restore_model_for_export` and so by every tool that reads a workdir (export, evaluation,
figures): `--checkpoint=latest|best|<step>`.
"""

import json
import os
import re

import tensorflow as tf

from an_tf.training.checkpointing import checkpoint_directory

BEST_DIR = "best"
BEST_INFO = "best.json"  # {"step", "metric", "value"} of the checkpoint in best/


def best_directory(workdir):
    """<workdir>/checkpoints/best: the best checkpoint by the evaluation metric (one kept)."""
    return os.path.join(checkpoint_directory(workdir), BEST_DIR)


def read_best_info(workdir):
    """{"step", "metric", "value"} of the run's best checkpoint, or None if it has none."""
    path = os.path.join(best_directory(workdir), BEST_INFO)
    if not os.path.exists(path) or tf.train.latest_checkpoint(best_directory(workdir)) is None:
        return None
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)


def _steps_on_disk(directory):
    """Steps of the complete ckpt-<step> checkpoints in `directory` (those with an index file)."""
    if not os.path.isdir(directory):
        return []
    steps = [int(match.group(1)) for match in
             (re.fullmatch(r"ckpt-(\d+)\.index", name) for name in os.listdir(directory)) if match]
    return sorted(steps)


def available_checkpoints(workdir):
    """Human-readable list of what `resolve_checkpoint` accepts for this run, e.g.
    "latest (step 400), best (step 200, fd 3.1), steps 200, 300, 400"."""
    steps = _steps_on_disk(checkpoint_directory(workdir))
    if not steps:
        return "none"
    parts = [f"latest (step {steps[-1]})"]
    best = read_best_info(workdir)
    if best is not None:
        parts.append(f"best (step {best['step']}, {best['metric']} {best['value']:.4g})")
    parts.append("steps " + ", ".join(str(step) for step in steps))
    return ", ".join(parts)


def resolve_checkpoint(workdir, which="latest"):
    """The checkpoint prefix of a run chosen by `which`.

    Args:
        workdir: the run's directory.
        which: "latest", "best" or a step number (int or digits).

    Returns:
        A checkpoint path prefix, e.g. <workdir>/checkpoints/ckpt-400.

    Raises:
        FileNotFoundError: no such checkpoint (one line listing those that exist).
        ValueError: `which` is none of the accepted forms.
    """
    which = str(which).strip()
    directory = checkpoint_directory(workdir)
    if which == "latest":
        path = tf.train.latest_checkpoint(directory)
    elif which == "best":
        path = tf.train.latest_checkpoint(best_directory(workdir))
    elif which.isdigit():
        path = os.path.join(directory, f"ckpt-{int(which)}")
        path = path if int(which) in _steps_on_disk(directory) else None
    else:
        raise ValueError(f"--checkpoint={which} must be latest, best or a step number")
    if path is None:
        hint = (" (a best checkpoint is kept when training with --eval_every)"
                if which == "best" else "")
        raise FileNotFoundError(f"no {which!r} checkpoint in {directory}{hint}; available: "
                                f"{available_checkpoints(workdir)}")
    return path
