"""Which checkpoint of a run to load: "latest" (the rotating ones), "best" (kept apart by the
evaluation during training, in <workdir>/checkpoints/best/) or a step number.

Used by `restore_model_for_export` and so by every tool that reads a workdir (export, evaluation,
figures): `--checkpoint=latest|best|<step>`.
"""

import json
import os

from an_tf.training import run_dir


def read_best_info(workdir):
    """{"step", "metric", "value"} of the run's best checkpoint, or None if it has none."""
    path = os.path.join(run_dir.best_directory(workdir), run_dir.BEST_INFO)
    if not os.path.exists(path) or not run_dir.list_checkpoints(run_dir.best_directory(workdir)):
        return None
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)


def available_checkpoints(workdir):
    """Human-readable list of what `resolve_checkpoint` accepts for this run, e.g.
    "latest (step 400), best (step 200, fd 3.1), steps 200, 300, 400"."""
    steps = sorted(run_dir.list_checkpoints(run_dir.checkpoint_directory(workdir)))
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
    directory = run_dir.checkpoint_directory(workdir)
    if which in ("latest", "best"):
        folder = directory if which == "latest" else run_dir.best_directory(workdir)
        path = next(iter(run_dir.list_checkpoints(folder).values()), None)  # the newest
    elif which.isdigit():
        path = run_dir.list_checkpoints(directory).get(int(which))
    else:
        raise ValueError(f"--checkpoint={which} must be latest, best or a step number")
    if path is None:
        hint = (" (a best checkpoint is kept when training with --eval_every)"
                if which == "best" else "")
        raise FileNotFoundError(f"no {which!r} checkpoint in {directory}{hint}; available: "
                                f"{available_checkpoints(workdir)}")
    return path
