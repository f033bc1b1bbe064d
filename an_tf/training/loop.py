"""`run_training`: the training loop shared by the cGAN and inpainting pipelines.

Why a custom loop instead of `keras.Model.fit`: a run must resume EXACTLY where it stopped, with the
same step count and the same data order. `fit` counts epochs, its BackupAndRestore callback saves at
epoch (or save_freq) boundaries without the input iterator, and a resumed `fit` restarts the
dataset from its beginning. Here the data iterator (or, where a strategy cannot checkpoint it, the
number of batches to skip), the step, the models, their optimizers and the RNG states are saved
together every `checkpoint_every` steps, and summaries, samples and checkpoints happen at exact
steps.
"""

import os
import shutil
import time

import keras
import tensorflow as tf
from absl import logging

from an_tf.training import checkpointing
from an_tf.training.config import TrainResult
from an_tf.training.strategy import create_strategy, is_chief, task_name
from an_tf.training.summaries import SummaryWriter
from an_tf.training.workdir import record_run_settings


def run_training(config, build_model, make_dataset, sample_fn=None, export_fn=None, hparams=None):
    """Trains (or resumes training of) a model under a `tf.distribute` strategy.

    Args:
        config: a `TrainingConfig`.
        build_model: callable () -> compiled keras.Model, called inside `strategy.scope()`. Its
            variables and all its optimizers (attributes of the model) must be built, e.g. with
            `optimizer.build(model.trainable_variables)`: variables cannot be created inside a
            distributed step, and a checkpoint can only be restored into existing variables.
            `model.train_step(batch)` returns dict name -> scalar (per-replica, unscaled means).
        make_dataset: callable (tf.distribute.InputContext) -> infinite, deterministic
            tf.data.Dataset of PER-REPLICA batches.
        sample_fn: optional callable (model, step) -> dict name -> scalar, (B,H,W,C) images in
            [-1, 1] or (R,K,H,W,C) image tables; called every `sample_every` steps on the chief.
        export_fn: optional callable (model, export_dir), called at the end if `config.export_dir`.
        hparams: dict of all flags, saved in <workdir>/config.json (changes are logged on resume).

    Returns:
        A `TrainResult`.

    Raises:
        ValueError: the global batch size is not divisible by the number of replicas, or the
            model has unbuilt optimizers.
    """
    keras.utils.set_random_seed(config.seed)
    keras.config.set_dtype_policy(config.mixed_precision or "float32")
    strategy = create_strategy(config.strategy, config.tpu, config.num_cpu_devices)
    replicas = strategy.num_replicas_in_sync
    if config.batch_size % replicas:
        raise ValueError(f"batch_size={config.batch_size} (global) is not divisible by the "
                         f"{replicas} replicas of strategy {config.strategy!r}")
    chief = is_chief(strategy)
    for line in record_run_settings(config.workdir, config, hparams, write=chief):
        logging.warning("setting changed since the last run in this workdir: %s", line)
    with strategy.scope():
        model = build_model()
    _check_built(model)

    latest = tf.train.latest_checkpoint(checkpointing.checkpoint_directory(config.workdir))
    start_step = checkpointing.checkpoint_step(latest) if latest else 0
    iterator, checkpoint_iterator = _make_iterator(strategy, make_dataset, latest, start_step)
    trackables = {"model": model, "rng": checkpointing.seed_generator_states(model)}
    if checkpoint_iterator:
        trackables["iterator"] = iterator
    private_dir = os.path.join(config.workdir, f".tmp_{task_name(strategy)}")
    checkpointer = checkpointing.Checkpointer(
        checkpointing.checkpoint_directory(config.workdir if chief else private_dir),
        max_to_keep=config.keep_checkpoints, **trackables)
    step = checkpointer.restore(latest) if latest else 0
    if latest:
        logging.info("resuming from %s at step %d", latest, step)

    writer = SummaryWriter(config.workdir, enabled=chief)
    step, metrics = _train(
        config, strategy, model, iterator, checkpointer, writer, sample_fn, step, chief)
    writer.close()
    if config.export_dir and export_fn is not None:
        export_fn(model, config.export_dir if chief else os.path.join(private_dir, "export"))
    elif config.export_dir:
        logging.warning("export_dir=%s is set but no export_fn was given", config.export_dir)
    if not chief:  # Non-chief workers wrote their copies only to take part in collective saves.
        shutil.rmtree(private_dir, ignore_errors=True)
    return TrainResult(step=step, metrics=metrics, workdir=config.workdir)


def _check_built(model):
    """Raises a one-line ValueError if the model has optimizers without variables."""
    unbuilt = checkpointing.unbuilt_optimizers(model)
    if unbuilt:
        raise ValueError(
            f"build_model returned a model with unbuilt optimizer(s) {unbuilt}: build them in "
            "build_model (e.g. optimizer.build(model.trainable_variables))")


def _make_iterator(strategy, make_dataset, latest, step):
    """The distributed data iterator, and whether it is restored from / saved in checkpoints.

    Under the default strategy the iterator is a checkpointable tf.data iterator. Distributed
    iterators of MirroredStrategy (and MultiWorkerMirroredStrategy) are not `Trackable` on TF 2.21
    (checked), so there the dataset is re-created and the `step` batches already used are skipped
    (same data order, but the skipped elements are produced again, which costs input time).
    The same fallback is used when the checkpoint was written without an iterator.
    """
    iterator = iter(strategy.distribute_datasets_from_function(make_dataset))
    trackable = isinstance(iterator, tf.__internal__.tracking.Trackable)
    if trackable and (latest is None or checkpointing.checkpoint_has(latest, "iterator")):
        return iterator, True
    if step == 0:
        return iterator, False
    logging.warning("data iterator not checkpointable here: re-creating the dataset and skipping "
                    "the %d steps already trained", step)

    def skipping_dataset(input_context):
        # Each input pipeline feeds (replicas / pipelines) per-replica batches per step.
        per_step = input_context.num_replicas_in_sync // input_context.num_input_pipelines
        return make_dataset(input_context).skip(step * per_step)

    return iter(strategy.distribute_datasets_from_function(skipping_dataset)), False


def _make_train_function(strategy, model, steps_per_loop):
    """tf.function (iterator, num_steps) running `num_steps` steps; returns the last metrics.

    The returned metrics are the train_step outputs of the last step, float32, averaged over
    replicas. With steps_per_loop > 1 the steps run in a `tf.range` loop inside the graph.
    """

    def replica_step(batch):
        return {name: tf.cast(value, tf.float32) for name, value in model.train_step(batch).items()}

    def one_step(iterator):
        per_replica = strategy.run(replica_step, args=(next(iterator),))
        return {name: strategy.reduce(tf.distribute.ReduceOp.MEAN, value, axis=None)
                for name, value in per_replica.items()}

    if steps_per_loop == 1:
        return tf.function(lambda iterator, num_steps: one_step(iterator))
    # A tf.function of its own, so the step is traced once although it is called twice below.
    traced_step = tf.function(one_step)

    @tf.function
    def several_steps(iterator, num_steps):
        metrics = traced_step(iterator)  # Outside the loop: it fixes the loop state's structure.
        for _ in tf.range(num_steps - 1):
            metrics = traced_step(iterator)
        return metrics

    return several_steps


def _next_stop(step, config):
    """The first step after `step` at which something happens (summary, sample, save, the end)."""
    stops = [config.train_steps, step + config.steps_per_loop]
    for every in (config.summary_every, config.sample_every, config.checkpoint_every):
        stops.append((step // every + 1) * every)
    return min(stops)


def _train(config, strategy, model, iterator, checkpointer, writer, sample_fn, step, chief):
    """Runs steps `step`..`config.train_steps`; returns (final step, last metrics as floats)."""
    if step >= config.train_steps:
        logging.info("step %d >= train_steps %d: nothing to train", step, config.train_steps)
        return step, {}
    train_function = _make_train_function(strategy, model, config.steps_per_loop)
    print(f"Training steps {step} -> {config.train_steps} on {strategy.num_replicas_in_sync} "
          f"replica(s), strategy {config.strategy!r}, workdir {config.workdir}", flush=True)
    progress, metrics = None, {}
    last_time, last_step = time.time(), step
    variable_count = checkpointing.state_variable_count(model)
    while step < config.train_steps:
        num_steps = _next_stop(step, config) - step
        outputs = train_function(iterator, tf.constant(num_steps, tf.int32))
        if progress is None and variable_count != checkpointing.state_variable_count(model):
            _report_late_variables(step)  # Only the first call traces, so only it can create.
        step += num_steps
        metrics = {name: float(value) for name, value in outputs.items()}
        now = time.time()
        steps_per_second = (step - last_step) / max(now - last_time, 1e-9)
        progress = progress or _progress_bar(config.train_steps - step + num_steps, metrics, chief)
        progress.add(num_steps, list(metrics.items()) + [("steps/s", steps_per_second)])
        final = step == config.train_steps
        if step % config.summary_every == 0 or final:
            writer.scalars(step, {**metrics, "steps_per_second": steps_per_second})
            last_time, last_step = now, step
            model.reset_metrics()  # Mean trackers then average over one summary interval.
        if sample_fn is not None and chief and (step % config.sample_every == 0 or final):
            writer.write(step, sample_fn(model, step))
        if step % config.checkpoint_every == 0 or final:
            checkpointer.save(step)
            writer.flush()
    return step, metrics


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
