"""absl flags and `run_main` shared by the entry points (experiments/*.py).

Usage in an entry point:
    common_flags.define_training_flags()   # at import time, before app.run
    ...
    config = common_flags.training_config_from_flags()
    training.run_training(config, ..., hparams=common_flags.flag_values_dict())

Importing this module does not import TensorFlow (tested): tools that never train (the demo, the
plotting tools) use `run_main` without loading it. The training code is imported inside the
functions that need it.
"""

import os
import sys

from absl import app, flags

MIXED_PRECISION_CHOICES = ("none", "mixed_float16", "mixed_bfloat16")
_POSITIVE_INTEGER_FLAGS = {
    "batch_size": (16, "GLOBAL batch size, split evenly over the replicas."),
    "train_steps": (1000, "Total number of training steps (a resumed run stops there too)."),
    "checkpoint_every": (1000, "Steps between checkpoints (one is also written at the end)."),
    "summary_every": (100, "Steps between TensorBoard scalar summaries."),
    "sample_every": (1000, "Steps between sample/layout images (TensorBoard and PNG)."),
    "steps_per_loop": (1, "Training steps per tf.function call."),
    "num_cpu_devices": (1, "Split the CPU into this many logical devices (--strategy=mirrored "
                           "on a CPU-only machine, e.g. demos)."),
}


def define_training_flags(flag_values=flags.FLAGS):
    """Defines --workdir --batch_size --train_steps --strategy --tpu --seed --mixed_precision
    --checkpoint_every --summary_every --sample_every --steps_per_loop --export_dir
    --num_cpu_devices --on_nan --restore_from, the evaluation flags (--eval_every
    --best_metric) and their validators. Calling it again on the same FlagValues does nothing.

    Args:
        flag_values: the absl FlagValues to define them in (tests pass a fresh one).
    """
    if "workdir" in flag_values:
        return
    from an_tf.training.config import STRATEGIES  # noqa: PLC0415 (TensorFlow: see module doc)
    from an_tf.training.divergence import ON_NAN_CHOICES  # noqa: PLC0415

    flags.DEFINE_string("workdir", None, "Run directory: checkpoints, summaries, images, "
                        "config.json. Re-running with the same workdir resumes.",
                        flag_values=flag_values, required=True)
    for name, (default, help_text) in _POSITIVE_INTEGER_FLAGS.items():
        flags.DEFINE_integer(name, default, help_text, lower_bound=1, flag_values=flag_values)
    flags.DEFINE_enum("strategy", "default", STRATEGIES, "tf.distribute strategy.",
                      flag_values=flag_values)
    flags.DEFINE_string("tpu", None, "TPU name or address (--strategy=tpu; empty: local TPU VM).",
                        flag_values=flag_values)
    flags.DEFINE_integer("seed", 0, "Random seed.", lower_bound=0, flag_values=flag_values)
    flags.DEFINE_enum("mixed_precision", "none", MIXED_PRECISION_CHOICES,
                      "Keras mixed-precision dtype policy.", flag_values=flag_values)
    flags.DEFINE_string("export_dir", None, "If set, export a SavedModel there at the end.",
                        flag_values=flag_values)
    flags.DEFINE_enum("on_nan", "stop", ON_NAN_CHOICES, "At a non-finite loss or gradient: stop "
                      "without saving (the last checkpoint stays the latest), or skip that update "
                      "and count it (summary 'skipped_updates').", flag_values=flag_values)
    flags.DEFINE_string("restore_from", None, "Resume from this checkpoint: a step number, "
                        "'latest', 'best' or a checkpoint path prefix (default: the newest that "
                        "verifies; newer ones of the workdir are moved aside).",
                        flag_values=flag_values)
    define_eval_flags(flag_values)
    _register_validators(flag_values)


# Flags of this module besides TrainingConfig's that may change when a run is resumed (evaluation
# reads the model, never changes it).
MUTABLE_FLAGS = frozenset({"best_metric"})


def define_eval_flags(flag_values=flags.FLAGS):
    """--eval_every and --best_metric: evaluation during training, for every pipeline (each says
    what it measures: the cGAN FID or FD, inpainting PSNR/SSIM)."""
    fv = {"flag_values": flag_values}
    flags.DEFINE_integer("eval_every", 0, "Evaluate every N steps and at the end (TensorBoard "
                         "eval/..., <workdir>/metrics.jsonl, the best checkpoint in "
                         "<workdir>/checkpoints/best/); 0: never.", lower_bound=0, **fv)
    flags.DEFINE_string("best_metric", None, "The evaluation result by which the best checkpoint "
                        "is kept (default: the pipeline's, fid or fd for the cGAN, psnr for "
                        "inpainting); its direction is known per metric.", **fv)


def define_checkpoint_flag(flag_values=flags.FLAGS):
    """--checkpoint of the tools that read a workdir (export, evaluation, figures), unless
    already defined."""
    if "checkpoint" not in flag_values:
        flags.DEFINE_string("checkpoint", "latest", "Which checkpoint: latest, best (kept by "
                            "--eval_every in training) or a step number.",
                            flag_values=flag_values)


def define_classifier_flags(flag_values=flags.FLAGS):
    """--classifier_dir --classifier_train_examples --classifier_epochs: the download-free
    classifier of the cGAN metrics (training, evaluation, studies), unless already defined."""
    if "classifier_dir" in flag_values:
        return
    fv = {"flag_values": flag_values}
    flags.DEFINE_string("classifier_dir", "runs/shapes_classifier", "Cache of the download-free "
                        "classifier (trained there once per dataset, ~30 s for the shapes).", **fv)
    flags.DEFINE_integer("classifier_train_examples", 6000, "Real images the classifier trains "
                         "on (at most).", lower_bound=1, **fv)
    flags.DEFINE_integer("classifier_epochs", 3, "Classifier epochs.", lower_bound=1, **fv)


def _register_validators(flag_values):
    """Cross-flag checks, each failing with one line naming the flags."""
    flags.register_multi_flags_validator(
        ["tpu", "strategy"], lambda f: not f["tpu"] or f["strategy"] == "tpu",
        message="--tpu is only used with --strategy=tpu", flag_values=flag_values)
    flags.register_multi_flags_validator(
        ["num_cpu_devices", "strategy"],
        lambda f: f["num_cpu_devices"] == 1 or f["strategy"] in ("mirrored", "multi_worker"),
        message="--num_cpu_devices > 1 needs --strategy=mirrored (or multi_worker)",
        flag_values=flag_values)
    flags.register_multi_flags_validator(
        ["export_dir", "workdir"], lambda f: not _contains(f["export_dir"], f["workdir"]),
        message="--export_dir must not be --workdir or one of its parents (it is replaced on "
                "export)", flag_values=flag_values)


def _contains(outer, inner):
    """True if path `outer` is `inner` or one of its parents (both set)."""
    if not outer or not inner:
        return False
    outer, inner = os.path.abspath(outer), os.path.abspath(inner)
    return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


def training_config_from_flags(flag_values=flags.FLAGS):
    """Builds the `TrainingConfig` from parsed flags.

    Args:
        flag_values: parsed absl FlagValues with the training flags.

    Returns:
        `an_tf.training.TrainingConfig`.
    """
    from an_tf.training.config import TrainingConfig  # noqa: PLC0415 (TensorFlow: module doc)

    f = flag_values
    return TrainingConfig(
        workdir=f.workdir, train_steps=f.train_steps, batch_size=f.batch_size,
        strategy=f.strategy, tpu=f.tpu or None, seed=f.seed,
        mixed_precision=None if f.mixed_precision == "none" else f.mixed_precision,
        checkpoint_every=f.checkpoint_every, summary_every=f.summary_every,
        sample_every=f.sample_every, steps_per_loop=f.steps_per_loop,
        export_dir=f.export_dir or None, num_cpu_devices=f.num_cpu_devices, on_nan=f.on_nan,
        restore_from=f.restore_from or None, eval_every=f.eval_every)


def flag_values_dict(flag_values=flags.FLAGS):
    """All flags of the program except absl's own (logging, help, flagfile): the run's hparams.

    Args:
        flag_values: parsed absl FlagValues.

    Returns:
        dict flag name -> value, for `run_training(hparams=...)` and <workdir>/config.json.
    """
    values = {}
    for module, module_flags in flag_values.flags_by_module_dict().items():
        if module.startswith("absl."):
            continue
        for flag in module_flags:
            values[flag.name] = flag.value
    return dict(sorted(values.items()))


def run_main(main):
    """`absl.app.run(main)`, with errors that are one line by design shown as one line, and
    positional arguments refused (no entry point takes any: everything is a flag).

    A run stopped by SIGTERM/SIGINT after its checkpoint (`TrainingInterrupted`) prints
    "stopped: ..." and exits with its code (75, see `an_tf.training.preemption`).

    absl prints the module's whole help before a `UsageError`; our own errors (bad flag
    combinations, missing files, a workdir of another configuration, a mismatched checkpoint, a
    diverged run) are one-line messages, so the traceback only hides them. Multi-line errors
    (bugs, TensorFlow internals) keep their traceback; AN_TF_TRACEBACK=1 keeps it for all.
    """

    def main_with_one_line_errors(argv):
        try:
            if len(argv) > 1:
                raise app.UsageError(f"unexpected arguments: {' '.join(argv[1:])}")
            return main(argv)
        except _training_interrupted() as stop:
            print(f"stopped: {stop}", file=sys.stderr, flush=True)
            raise SystemExit(stop.exitcode) from None
        except (app.UsageError, ValueError, RuntimeError, OSError) as error:
            message = str(error).strip()
            if os.environ.get("AN_TF_TRACEBACK") or not message or "\n" in message:
                raise
            print(f"error: {message}", file=sys.stderr, flush=True)
            raise SystemExit(getattr(error, "exitcode", 1)) from None

    app.run(main_with_one_line_errors)


def _training_interrupted():
    """The class `TrainingInterrupted` if the training code is loaded; else an empty tuple (an
    `except` that matches nothing): without it nothing can raise it."""
    preemption = sys.modules.get("an_tf.training.preemption")
    return preemption.TrainingInterrupted if preemption else ()
