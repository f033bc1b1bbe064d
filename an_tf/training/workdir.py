"""The resolved settings of a run, kept in <workdir>/config.json, and what changed on resume."""

import dataclasses
import json
import os

CONFIG_FILE = "config.json"


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


def record_run_settings(workdir, config, hparams, write=True):
    """Saves config and hparams in <workdir>/config.json and reports changes from the last run.

    Args:
        workdir: the run's directory (created if needed).
        config: the `TrainingConfig`.
        hparams: dict of all flags (JSON-serialisable; other values are stored as strings).
        write: False only reads and compares (non-chief workers).

    Returns:
        list of "name: old -> new" lines (empty for a new run or identical settings).
    """
    path = os.path.join(workdir, CONFIG_FILE)
    # A JSON round trip makes tuples lists etc., so an unchanged setting compares equal.
    current = json.loads(json.dumps(
        {"training_config": dataclasses.asdict(config), "hparams": dict(hparams or {})},
        default=str, sort_keys=True))
    changes = []
    if os.path.exists(path):
        with open(path, encoding="utf-8") as stream:
            changes = describe_changes(json.load(stream), current)
    if write:
        os.makedirs(workdir, exist_ok=True)
        with open(path + ".tmp", "w", encoding="utf-8") as stream:
            json.dump(current, stream, indent=2, sort_keys=True)
        os.replace(path + ".tmp", path)
    return changes
