"""The resolved settings of a run, kept in <workdir>/config.json, and what changed on resume."""

import dataclasses
import json
import os

from an_tf.training import run_dir


def _flatten(settings):
    """{"hparams": {"a": 1}} -> {"hparams.a": 1} (one level, as config.json has)."""
    flat = {}
    for section, values in settings.items():
        for name, value in (values or {}).items():
            flat[f"{section}.{name}"] = value
    return flat


def describe_changes(previous, current):
    """Lines "name: old -> new" for every setting that differs between two config.json dicts.

    Args:
        previous, current: dicts {"training_config": {...}, "hparams": {...}}.

    Returns:
        sorted list of str.
    """
    before, after = _flatten(previous), _flatten(current)
    missing = object()
    lines = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name, missing), after.get(name, missing)
        if old != new:
            old_text = "(unset)" if old is missing else repr(old)
            new_text = "(unset)" if new is missing else repr(new)
            lines.append(f"{name}: {old_text} -> {new_text}")
    return lines


# The `TrainingConfig` fields that may change between the runs of one workdir: how long and how
# often (evaluation reads the model, never changes it: training.eval_hook), where, on what
# hardware. The other fields (seed, batch size, precision) and the pipeline's settings define the
# run: resuming with another value is refused, unless the pipeline names them as mutable too.
MUTABLE_TRAINING_SETTINGS = frozenset({
    "train_steps", "checkpoint_every", "summary_every", "sample_every", "steps_per_loop",
    "keep_checkpoints", "export_dir", "on_nan", "strategy", "tpu", "num_cpu_devices", "workdir",
    "restore_from", "eval_every",
})


class ConfigMismatchError(ValueError):
    """A run resumed in a workdir with settings that define another run."""


def _setting_name(line):
    """"hparams.channels: 4 -> 8" -> "channels"."""
    return line.split(":", 1)[0].split(".", 1)[-1]


def record_run_settings(workdir, config, hparams, write=True, resuming=False, mutable=()):
    """Saves config and hparams in <workdir>/config.json and reports changes from the last run.

    Args:
        workdir: the run's directory (created if needed).
        config: the `TrainingConfig`.
        hparams: dict of all flags (JSON-serialisable; other values are stored as strings).
        write: False only reads and compares (non-chief workers).
        resuming: the workdir has a checkpoint: settings outside `MUTABLE_TRAINING_SETTINGS` and
            `mutable` must not change (a setting that one of the two runs does not know, e.g. a
            flag added to the code since, is only reported).
        mutable: names of the pipeline's hparams that may change on resume (where its data is,
            how it is evaluated).

    Returns:
        list of "name: old -> new" lines (empty for a new run or identical settings).

    Raises:
        ConfigMismatchError: resuming with other values of settings that are not mutable (one
            line naming them); config.json is then left as it was.
    """
    path = run_dir.settings_path(workdir)
    # A JSON round trip makes tuples lists etc., so an unchanged setting compares equal.
    current = json.loads(json.dumps(
        {"training_config": dataclasses.asdict(config), "hparams": dict(hparams or {})},
        default=str, sort_keys=True))
    changes = []
    if os.path.exists(path):
        changes = describe_changes(run_dir.read_settings(workdir), current)
    allowed = MUTABLE_TRAINING_SETTINGS | set(mutable)
    forbidden = sorted({_setting_name(line) for line in changes
                        if _setting_name(line) not in allowed and "(unset)" not in line})
    if resuming and forbidden:
        raise ConfigMismatchError(
            f"{path} was written by a run with other settings of {', '.join(forbidden)} "
            f"({'; '.join(line for line in changes if _setting_name(line) in forbidden)[:300]}): "
            "a workdir belongs to one configuration; use a new --workdir or the same flags")
    if write:
        run_dir.write_json(path, current, "run settings", "nothing was trained in this run",
                           indent=2, sort_keys=True)
    return changes
