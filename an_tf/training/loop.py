"""`run_training`: the training loop shared by the cGAN and inpainting pipelines.

Why a custom loop instead of `keras.Model.fit`: a run must resume EXACTLY where it stopped, with the
same step count and the same data order. `fit` counts epochs, its BackupAndRestore callback saves at
epoch (or save_freq) boundaries without the input position, and a resumed `fit` restarts the
dataset from its beginning. Here every variable (models, optimizers, RNG states; see
`training.state`) and the step are saved together every `checkpoint_every` steps, the data stream
is re-created at the saved step (`make_dataset(input_context, start_step)`), and summaries,
samples and checkpoints happen at exact steps. A non-finite loss or gradient stops the run
without saving, or (on_nan="skip") its update is skipped and counted. The writing process holds
<workdir>/.lock, resumes only from a verified checkpoint (`training.verify`), and on SIGTERM/SIGINT
checkpoints the step reached and exits (`training.preemption`).
"""

import dataclasses
import inspect
import os
import shutil
import time
from collections.abc import Callable, Iterator

import keras
import tensorflow as tf
from absl import logging

from an_tf.data.streams import first_element
from an_tf.training import checkpointing, eval_hook, preemption, run_dir, verify
from an_tf.training.config import TrainingConfig, TrainResult
from an_tf.training.run_settings import record_run_settings
from an_tf.training.schedule import Due, Schedule
from an_tf.training.strategy import create_strategy, is_chief, task_name
from an_tf.training.summaries import SummaryWriter
from an_tf.training.workdir_lock import WorkdirLock


def run_training(config, build_model, make_dataset, sample_fn=None, export_fn=None, hparams=None,
                 evaluate_fn=None, mutable_settings=()):
    """Trains (or resumes training of) a model under a `tf.distribute` strategy.

    Args:
        config: a `TrainingConfig`.
        build_model: callable () -> compiled keras.Model, called inside `strategy.scope()`. Its
            variables and all its optimizers (attributes of the model) must be built, e.g. with
            `optimizer.build(model.trainable_variables)`: variables cannot be created inside a
            distributed step, and a checkpoint can only be restored into existing variables.
            `model.train_step(batch)` returns dict name -> scalar (per-replica, unscaled means),
            optionally with "nonfinite_updates" (see `training.divergence`).
        make_dataset: callable (tf.distribute.InputContext, start_step) -> infinite,
            deterministic tf.data.Dataset of PER-REPLICA batches whose first batch is the one of
            step `start_step` (0 for a new run). A callable (input_context) is accepted too: on
            resume its first `start_step` batches are then produced and skipped.
        sample_fn: optional callable (model, step) -> dict name -> scalar, (B,H,W,C) images in
            [-1, 1] or (R,K,H,W,C) image tables; called every `sample_every` steps on the chief.
        export_fn: optional callable (model, export_dir), called at the end if `config.export_dir`.
        hparams: dict of all flags, saved in <workdir>/config.json (changes are logged on resume).
        evaluate_fn: callable (model, step) -> dict name -> number, called every
            `config.eval_every` steps and at the end when that is > 0 (see `training.eval_hook`:
            TensorBoard "eval/<name>", <workdir>/metrics.jsonl, the best checkpoint by its
            `best_metric`).
        mutable_settings: names of `hparams` that may change when the run is resumed (besides
            the schedule and hardware of `TrainingConfig`); any other change is refused.

    Returns:
        A `TrainResult`.

    Raises:
        ValueError: the global batch size is not divisible by the number of replicas, the
            model has unbuilt optimizers, on_nan="skip" for a model without `on_nan`, or
            `config.eval_every` without an `evaluate_fn` that can run (before the workdir is
            touched).
        training.run_settings.ConfigMismatchError: resuming with settings (architecture, data,
            optimisation) that differ from <workdir>/config.json.
        training.checkpointing.CheckpointMismatchError: the latest checkpoint does not hold
            exactly the model's variables.
        TrainingDivergedError: a non-finite loss or gradient with on_nan="stop".
        training.workdir_lock.WorkdirLockedError: another run holds <workdir>/.lock.
        training.verify.CheckpointCorruptError: the `config.restore_from` checkpoint does not
            verify (without it, a damaged latest checkpoint is moved aside and the newest one that
            verifies is used: `training.verify.checkpoint_to_resume`).
        training.write_errors.WorkdirWriteError: a checkpoint (or config.json, the lock, an
            export) cannot be written: disk full, read-only or gone. Summaries and pictures that
            cannot be written are only warned about.
        training.preemption.TrainingInterrupted: SIGTERM or SIGINT; the step reached at the end of
            the current `steps_per_loop` chunk was checkpointed first (exit code 75).
    """
    keras.utils.set_random_seed(config.seed)
    keras.config.set_dtype_policy(config.mixed_precision or "float32")
    strategy = create_strategy(config.strategy, config.tpu, config.num_cpu_devices)
    replicas = strategy.num_replicas_in_sync
    if config.batch_size % replicas:
        raise ValueError(f"batch_size={config.batch_size} (global) is not divisible by the "
                         f"{replicas} replicas of strategy {config.strategy!r}")
    if config.eval_every:
        eval_hook.check_evaluation(evaluate_fn, config.eval_every)
    chief = is_chief(strategy)
    lock = WorkdirLock(config.workdir) if chief else None  # one writing run per workdir
    try:
        with preemption.StopSignals() as stop:
            return _run_locked(config, strategy, stop, build_model, make_dataset, sample_fn,
                               export_fn, hparams, evaluate_fn, mutable_settings)
    finally:
        if lock is not None:
            lock.release()


def _run_locked(config, strategy, stop, build_model, make_dataset, sample_fn, export_fn, hparams,
                evaluate_fn, mutable_settings):
    """`run_training` once the workdir is locked and signals are caught: resume, train, export."""
    chief = is_chief(strategy)
    latest = verify.checkpoint_to_resume(config.workdir, config.restore_from, fix=chief)
    for line in record_run_settings(config.workdir, config, hparams, write=chief,
                                    resuming=latest is not None, mutable=mutable_settings):
        logging.warning("setting changed since the last run in this workdir: %s", line)
    with strategy.scope():
        model = build_model()
    _check_built(model)
    _set_on_nan(model, config.on_nan)

    start_step = checkpointing.checkpoint_step(latest) if latest else 0
    iterator = _make_iterator(strategy, make_dataset, start_step)
    objects = checkpointing.run_objects(model)
    private_dir = os.path.join(config.workdir, f".tmp_{task_name(strategy)}")
    checkpointer = checkpointing.Checkpointer(
        run_dir.checkpoint_directory(config.workdir if chief else private_dir),
        max_to_keep=config.keep_checkpoints, **objects)
    step = checkpointer.restore(latest) if latest else 0
    if latest:
        logging.info("resuming from %s at step %d", latest, step)

    writer = SummaryWriter(config.workdir, enabled=chief)
    evaluation = None
    if config.eval_every:  # checked before the workdir was locked (run_training)
        evaluation = eval_hook.EvalHook(evaluate_fn, config.workdir, model, objects, writer,
                                        chief, checkpointer.directory)
        evaluation.resume_at(step)
        if step < config.train_steps:
            evaluation.prepare()
    state = _RunState(config, Schedule.of(config), strategy, model, iterator, checkpointer,
                      writer, sample_fn, chief, objects["skipped_updates"], evaluation, stop)
    try:
        step, metrics = _train(state, step)
    finally:
        writer.close()
    if config.export_dir and export_fn is not None:
        export_fn(model, config.export_dir if chief else os.path.join(private_dir, "export"))
    elif config.export_dir:
        logging.warning("export_dir=%s is set but no export_fn was given", config.export_dir)
    if not chief:  # Non-chief workers wrote their copies only to take part in collective saves.
        shutil.rmtree(private_dir, ignore_errors=True)
    return TrainResult(step=step, metrics=metrics, workdir=config.workdir)


class TrainingDivergedError(RuntimeError):
    """A loss or gradient was not finite (with on_nan="stop"); nothing was saved after it."""


@dataclasses.dataclass
class _RunState:
    """What the loop works with (one object instead of eleven arguments)."""

    config: TrainingConfig
    schedule: Schedule
    strategy: tf.distribute.Strategy
    model: keras.Model
    iterator: Iterator  # distributed, per-replica batches
    checkpointer: checkpointing.Checkpointer
    writer: SummaryWriter
    sample_fn: Callable[[keras.Model, int], dict] | None
    chief: bool
    skipped_updates: keras.Variable
    evaluation: eval_hook.EvalHook | None = None
    stop: preemption.StopSignals | None = None


def _set_on_nan(model, on_nan):
    """Passes --on_nan to a model that supports it; "skip" needs the model's cooperation."""
    if hasattr(model, "on_nan"):
        model.on_nan = on_nan
    elif on_nan == "skip":
        raise ValueError(f"on_nan='skip' needs a model whose train_step skips updates "
                         f"(an `on_nan` attribute; see training.divergence); "
                         f"{type(model).__name__} has none")


def _check_built(model):
    """Raises a one-line ValueError if the model has optimizers without variables."""
    unbuilt = checkpointing.unbuilt_optimizers(model)
    if unbuilt:
        raise ValueError(
            f"build_model returned a model with unbuilt optimizer(s) {unbuilt}: build them in "
            "build_model (e.g. optimizer.build(model.trainable_variables))")


def _make_iterator(strategy, make_dataset, start_step):
    """The distributed data iterator, positioned at `start_step`.

    A `make_dataset(input_context, start_step)` positions its own stream (index-based pipelines:
    the cost does not grow with the step). A `make_dataset(input_context)` is re-created and the
    batches already used are skipped: same data order, but they are produced again.
    """
    if _takes_start_step(make_dataset):
        return iter(strategy.distribute_datasets_from_function(
            lambda input_context: make_dataset(input_context, start_step)))
    if start_step:
        logging.warning("make_dataset takes no start_step: re-creating the dataset and skipping "
                        "the %d steps already trained", start_step)

    def skipping_dataset(input_context):
        # The stream's elements are per-replica batches: one per replica and step.
        return make_dataset(input_context).skip(first_element(start_step, 1, input_context))

    return iter(strategy.distribute_datasets_from_function(skipping_dataset))


def _takes_start_step(make_dataset):
    parameters = inspect.signature(make_dataset).parameters
    positional = [p for p in parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return "start_step" in parameters or len(positional) >= 2


def _make_train_function(strategy, model, steps_per_loop, stop_on_nan):
    """tf.function (iterator, num_steps) -> (metrics of the last step, steps run, non-finite
    updates in them).

    Metrics are the train_step outputs, float32, averaged over replicas. A model reports its
    non-finite updates as "nonfinite_updates" (see training.divergence); for one that does not,
    a non-finite metric counts as one. With steps_per_loop > 1 the steps run in a `tf.range` loop
    inside the graph, which ends early at a non-finite step when `stop_on_nan`.
    """

    def replica_step(batch):
        return {name: tf.cast(value, tf.float32) for name, value in model.train_step(batch).items()}

    def one_step(iterator):
        per_replica = strategy.run(replica_step, args=(next(iterator),))
        metrics = {name: strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=None)
                   for name, value in per_replica.items()}
        nonfinite = metrics.pop("nonfinite_updates", None)
        if nonfinite is None:
            values = tf.stack(list(metrics.values())) if metrics else tf.zeros([0])
            nonfinite = 1.0 - tf.cast(tf.reduce_all(tf.math.is_finite(values)), tf.float32)
        return metrics, nonfinite

    if steps_per_loop == 1:
        def single_step(iterator, num_steps):
            metrics, nonfinite = one_step(iterator)
            return metrics, tf.constant(1), nonfinite
        return tf.function(single_step)
    # A tf.function of its own, so the step is traced once although it is called twice below.
    traced_step = tf.function(one_step)

    @tf.function
    def several_steps(iterator, num_steps):
        metrics, total = traced_step(iterator)  # Outside the loop: it fixes the loop's structure.
        done = tf.constant(1)
        for _ in tf.range(num_steps - 1):
            if stop_on_nan and total > 0:
                break
            metrics, nonfinite = traced_step(iterator)
            total += nonfinite
            done += 1
        return metrics, done, total

    return several_steps


def _train(state, step):
    """Runs steps `step`..`train_steps`; returns (final step, last metrics as floats)."""
    config, model = state.config, state.model
    if step >= config.train_steps:
        logging.info("step %d >= train_steps %d: nothing to train", step, config.train_steps)
        return step, {}
    stop_on_nan = config.on_nan == "stop"
    train_function = _make_train_function(state.strategy, model, config.steps_per_loop,
                                          stop_on_nan)
    print(f"Training steps {step} -> {config.train_steps} on "
          f"{state.strategy.num_replicas_in_sync} replica(s), strategy {config.strategy!r}, "
          f"workdir {config.workdir}", flush=True)
    progress, metrics = None, {}
    last_time, last_step = time.time(), step
    variable_count = checkpointing.state_variable_count(model)
    while step < config.train_steps:
        _stop_if_requested(state, step)
        num_steps = state.schedule.next_stop(step) - step
        outputs, done, nonfinite = train_function(state.iterator,
                                                  tf.constant(num_steps, tf.int32))
        if progress is None and variable_count != checkpointing.state_variable_count(model):
            _report_late_variables(step)  # Only the first call traces, so only it can create.
        step += int(done)
        metrics = {name: float(value) for name, value in outputs.items()}
        if float(nonfinite) > 0:
            if stop_on_nan:
                _stop_diverged(state, step, metrics)
            state.skipped_updates.assign_add(int(round(float(nonfinite))))
        if config.on_nan == "skip":
            metrics["skipped_updates"] = float(state.skipped_updates.numpy())
        now = time.time()
        steps_per_second = (step - last_step) / max(now - last_time, 1e-9)
        progress = progress or _progress_bar(config.train_steps - step + num_steps, metrics,
                                             state.chief)
        progress.add(num_steps, list(metrics.items()) + [("steps/s", steps_per_second)])
        due = state.schedule.due(step)
        _after_steps(state, step, due, metrics, steps_per_second)
        if due.summary:
            last_time, last_step = now, step
    return step, metrics


def _after_steps(state, step, due: Due, metrics, steps_per_second):
    """Summaries, samples, evaluations and checkpoints due at `step`."""
    if due.summary:
        state.writer.scalars(step, {**metrics, "steps_per_second": steps_per_second})
        state.model.reset_metrics()  # Mean trackers then average over one summary interval.
    if due.sample and state.sample_fn is not None and state.chief:
        state.writer.write(step, state.sample_fn(state.model, step))
    if due.evaluation and state.evaluation is not None:
        state.evaluation(step)  # before the save: a crash in between re-runs it on resume
    if due.checkpoint:
        state.checkpointer.save(step)
        state.writer.flush()


def _stop_if_requested(state, step):
    """After SIGTERM/SIGINT (on any worker): checkpoint `step` and raise TrainingInterrupted."""
    if state.stop is None or not state.stop.requested(state.strategy):
        return
    latest = state.checkpointer.latest_checkpoint
    if step and (latest is None or checkpointing.checkpoint_step(latest) != step):
        latest = state.checkpointer.save(step)
    state.writer.flush()
    saved = f"checkpoint {latest} written" if latest else "nothing trained yet"
    raise preemption.TrainingInterrupted(
        f"stopped by {state.stop.signal_name} at step {step} of {state.config.train_steps}: "
        f"{saved}; run the same command again to continue")


def _stop_diverged(state, step, metrics):
    """Raises a one-line TrainingDivergedError naming the step, the losses and the checkpoint."""
    state.writer.flush()
    losses = ", ".join(f"{name}={value:.4g}" for name, value in sorted(metrics.items()))
    latest = state.checkpointer.latest_checkpoint or "none: no checkpoint was written yet"
    raise TrainingDivergedError(
        f"non-finite loss or gradient at step {step} ({losses}); stopped without saving, the "
        f"latest checkpoint is the last good one ({latest}); --on_nan=skip skips such updates")


def _report_late_variables(step):
    """Variables created by train_step itself are missing from a restore: fail or warn."""
    message = ("train_step created new variables (layers or optimizers built in the first step); "
               "build every variable in build_model")
    if step > 0:
        raise RuntimeError(message + f": they were not restored from the step-{step} checkpoint")
    logging.warning("%s, or resuming from a checkpoint will not restore them", message)


def _progress_bar(remaining_steps, metrics, chief):
    """A Keras progress bar over the remaining steps, showing the latest values (not averages)."""
    interactive = keras.utils.is_interactive_logging_enabled() and os.isatty(1)
    return keras.utils.Progbar(
        remaining_steps, verbose=1 if chief else 0, interval=0.5 if interactive else 10.0,
        stateful_metrics=list(metrics) + ["steps/s"], unit_name="step")
