"""The runs of a small-scale cGAN study (experiments/study_cgan.py, experiments/chaos_floor.py):
each (arm, seed) trained with `run_training` and scored with the download-free metrics, its record
cached in <root>/<arm>/seed<k>/result.json, so a finished run is never redone.

A run is a `StudyRun`: plain JSON settings (the training config, the run's hparams, from which
its `CGANConfig` with the arm's options comes, and the evaluation). `run_all` runs the pending
ones `jobs` at a time, each in a fresh process that reads its <run>/study_run.json, so peak memory
is the run's own and no command line has to be rebuilt.
"""

import concurrent.futures
import dataclasses
import json
import os
import resource
import subprocess
import sys
import time

from an_tf import training
from an_tf.cgan import pipeline, study_arms
from an_tf.cgan.evaluation import run_eval
from an_tf.layers.attentive_normalization import orthogonality_losses
from an_tf.metrics.shapes_classifier import load_or_train_classifier

RESULT_FILE = "result.json"
RUN_FILE = "study_run.json"
# What a child process runs: one StudyRun from its file (argv[1]).
_CHILD_CODE = "import sys; from an_tf.cgan import study; study.run_from_file(sys.argv[1])"


@dataclasses.dataclass(frozen=True)
class StudyEvaluation:
    """The download-free scoring of every run: `num_samples` generated and `num_real` held-out
    real images, with the shapes classifier cached in `classifier_dir` (trained once with
    `classifier_train_examples` images for `classifier_epochs`)."""

    classifier_dir: str = "runs/shapes_classifier"
    num_samples: int = 2000
    num_real: int = 2000
    classifier_train_examples: int = 6000
    classifier_epochs: int = 3


@dataclasses.dataclass(frozen=True)
class StudyRun:
    """One (arm, seed): `training` the `TrainingConfig` fields, `hparams` the run's settings
    (recorded in its config.json; the `CGANConfig` is read from them), `evaluation` the
    `StudyEvaluation` fields, `mutable_settings` the hparams that may change on resume."""

    arm: str
    seed: int
    training: dict
    hparams: dict
    evaluation: dict
    mutable_settings: tuple = ()

    def __post_init__(self):  # a tuple also when read back from study_run.json's list
        object.__setattr__(self, "mutable_settings", tuple(self.mutable_settings))

    @property
    def workdir(self):
        return self.training["workdir"]


def plan_runs(root, arms, seeds, training_config, hparams, evaluation, mutable_settings=()):
    """The `StudyRun`s of `arms` x `seeds` in <root>/<arm>/seed<k>, seed-major (a stopped study
    has every arm's first seeds). `hparams` are the settings shared by every run (CGANConfig
    fields and anything to record); each arm adds its `study_arms.ARMS` options."""
    unknown = sorted(set(arms) - set(study_arms.ARMS))
    if unknown:
        raise ValueError(f"unknown arms {unknown}, expected some of {list(study_arms.ARMS)}")
    runs = []
    for seed in seeds:
        for arm in arms:
            workdir = os.path.join(root, arm, f"seed{seed}")
            config = dataclasses.replace(training_config, workdir=workdir, seed=seed,
                                         export_dir=None)
            runs.append(StudyRun(
                arm, seed, dataclasses.asdict(config),
                {**hparams, **study_arms.ARMS[arm], "seed": seed, "workdir": workdir,
                 "study_arm": arm}, dataclasses.asdict(evaluation), tuple(mutable_settings)))
    return runs


def finished(run):
    return os.path.exists(os.path.join(run.workdir, RESULT_FILE))


def read_result(workdir):
    """The record of a finished run in `workdir`."""
    with open(os.path.join(workdir, RESULT_FILE), encoding="utf-8") as stream:
        return json.load(stream)


def run_all(runs, jobs=1, isolate=True, environment=None):
    """Runs every unfinished run: in this process (isolate=False) or each in its own, `jobs` at
    once, with `environment` added to theirs; with jobs > 1 a child's output goes to
    <root>/<arm>/seed<k>.log. A killed run is redone (it resumes from its last checkpoint).
    RuntimeError naming the runs that failed."""
    if environment and not isolate:
        raise ValueError("an environment for the runs needs isolated runs (their own processes)")
    pending = [run for run in runs if not finished(run)]
    if not isolate:
        for run in pending:
            train_and_evaluate(run)
        return
    if pending:  # trained here first, so that no two children race to train it
        _load_classifier(pending[0])
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        codes = list(pool.map(lambda run: _run_in_child(run, jobs > 1, environment), pending))
    failed = [f"{run.arm}/seed{run.seed}" for run, code in zip(pending, codes) if code]
    if failed:
        raise RuntimeError(f"runs failed (see their logs): {', '.join(failed)}")


def _load_classifier(run):
    config = pipeline.cgan_config_from_hparams(run.hparams)
    evaluation = StudyEvaluation(**run.evaluation)
    return load_or_train_classifier(evaluation.classifier_dir, config.resolution,
                                    config.num_classes, evaluation.classifier_train_examples,
                                    evaluation.classifier_epochs)


def _run_in_child(run, to_log, environment):
    """Exit code of `run` in a fresh Python process (output to <workdir>.log if `to_log`)."""
    os.makedirs(run.workdir, exist_ok=True)
    path = training.run_dir.write_json(os.path.join(run.workdir, RUN_FILE),
                                       dataclasses.asdict(run), "the study run's settings",
                                       indent=1)
    command = [sys.executable, "-c", _CHILD_CODE, path]
    env = {**os.environ, **(environment or {})}
    if not to_log:
        return subprocess.run(command, env=env, check=False).returncode
    with open(run.workdir + ".log", "a", encoding="utf-8") as log:
        return subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env,
                              check=False).returncode


def run_from_file(path):
    """Runs the `StudyRun` saved in `path` (what a child process does)."""
    from absl import logging  # noqa: PLC0415 (a child has no absl.app to set its verbosity)

    logging.set_verbosity(logging.INFO)
    with open(path, encoding="utf-8") as stream:
        train_and_evaluate(StudyRun(**json.load(stream)))


class _StepTimer:
    """A `sample_fn` that only records when each sampling step is reached: seconds per step
    between the first and last call, so tracing and start-up are excluded."""

    def __init__(self):
        self.times = []

    def __call__(self, model, step):
        self.times.append((step, time.perf_counter()))
        return {}

    def seconds_per_step(self):
        (first_step, first), (last_step, last) = self.times[0], self.times[-1]
        return (last - first) / max(last_step - first_step, 1)


def train_and_evaluate(run):
    """Trains and scores one run; returns its record (cached in <workdir>/result.json)."""
    if finished(run):
        return read_result(run.workdir)
    cgan_config = pipeline.cgan_config_from_hparams(run.hparams)
    config = training.TrainingConfig(**run.training)
    evaluation = StudyEvaluation(**run.evaluation)
    record, timer = {"arm": run.arm, "seed": run.seed}, _StepTimer()

    def build_model():
        gan = pipeline.build_gan(cgan_config, run.seed)
        if gan.generator.an_layers():
            record["initial_g_orthogonality_loss"] = float(orthogonality_losses(gan.generator))
        return gan

    source = pipeline.make_data_source(cgan_config)  # read by training and evaluation
    started = time.time()
    result = training.run_training(
        config, build_model, pipeline.make_dataset_fn(source, config.batch_size, run.seed),
        sample_fn=timer, hparams=run.hparams, mutable_settings=run.mutable_settings)
    record.update(train_seconds=time.time() - started, seconds_per_step=timer.seconds_per_step(),
                  final_losses=result.metrics)
    record.update(run_eval.evaluate_download_free(
        run.workdir, evaluation.classifier_dir, evaluation.num_samples, evaluation.num_real,
        seed=run.seed, classifier_options={"train_examples": evaluation.classifier_train_examples,
                                           "epochs": evaluation.classifier_epochs},
        source=source))
    record["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # Atomic: result.json marks the run finished, so half a file must never be there.
    training.run_dir.write_json(os.path.join(run.workdir, RESULT_FILE), record, "the run's result",
                                indent=1, sort_keys=True)
    return record
