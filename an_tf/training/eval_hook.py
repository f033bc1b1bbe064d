"""Evaluation during training (`run_training(..., evaluate_fn=...)` with
`TrainingConfig.eval_every`): metrics to TensorBoard ("eval/<name>") and to
<workdir>/metrics.jsonl, and the best checkpoint by one metric kept apart from the rotating ones.

An evaluation must not change the training: it runs with the random state of Python, NumPy,
TensorFlow, Keras and every SeedGenerator of the model saved and restored around it, never touches
the training iterator, and the evaluation function calls the networks with training=False (no
batch-norm, spectral-norm or EMA update).

metrics.jsonl on resume: the lines of steps after the restored checkpoint are dropped (the file is
rewritten atomically), so the file always describes the one history that led to the weights on
disk; the evaluations of the re-run steps append the same lines again (training is exact).
"""

import contextlib
import json
import math
import os
import random
import time

import keras
import numpy as np
from absl import logging
from keras.src.backend.common import global_state

from an_tf.training.checkpoint_choice import BEST_DIR, BEST_INFO
from an_tf.training.checkpointing import Checkpointer, seed_generator_states

METRICS_FILE = "metrics.jsonl"


class MetricsLog:
    """<workdir>/metrics.jsonl: one JSON object per evaluation {"step", "time", metrics...}."""

    def __init__(self, workdir):
        self.path = os.path.join(workdir, METRICS_FILE)

    def records(self):
        """The records in file order ([] if there is no file)."""
        if not os.path.exists(self.path):
            return []
        with open(self.path, encoding="utf-8") as stream:
            return [json.loads(line) for line in stream if line.strip()]

    def truncate_after(self, step):
        """Drops the records of steps > `step` (atomic rewrite); returns how many were dropped."""
        records = self.records()
        kept = [record for record in records if record["step"] <= step]
        if len(kept) != len(records):
            with open(self.path + ".tmp", "w", encoding="utf-8") as stream:
                stream.writelines(json.dumps(record) + "\n" for record in kept)
            os.replace(self.path + ".tmp", self.path)
        return len(records) - len(kept)

    def append(self, record):
        with open(self.path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(record) + "\n")
            stream.flush()
            os.fsync(stream.fileno())


class BestCheckpoint:
    """The checkpoint with the lowest value of `metric` so far, in <checkpoints>/best/ (one
    kept), with best.json {"step", "metric", "value"} written after the checkpoint is complete."""

    def __init__(self, directory, metric, **objects):
        self.directory, self.metric = directory, metric
        self.checkpointer = Checkpointer(directory, max_to_keep=1, **objects)
        self.info_path = os.path.join(directory, BEST_INFO)
        self.value = self._stored_value()

    def _stored_value(self):
        if not os.path.exists(self.info_path) or self.checkpointer.latest_checkpoint is None:
            return None
        with open(self.info_path, encoding="utf-8") as stream:
            info = json.load(stream)
        if info.get("metric") != self.metric:
            logging.warning("the best checkpoint in %s is by %s, now %s is tracked: it will be "
                            "replaced at the next evaluation", self.directory, info.get("metric"),
                            self.metric)
            return None
        return info["value"]

    def update(self, step, value):
        """Saves the current state as the best if `value` is lower than the best so far."""
        if value is None or not math.isfinite(value):
            return False
        if self.value is not None and value >= self.value:
            return False
        self.checkpointer.save(step)
        info = {"step": step, "metric": self.metric, "value": value}
        with open(self.info_path + ".tmp", "w", encoding="utf-8") as stream:
            json.dump(info, stream)
        os.replace(self.info_path + ".tmp", self.info_path)
        self.value = value
        logging.info("new best checkpoint at step %d: %s %.5g", step, self.metric, value)
        return True


@contextlib.contextmanager
def preserved_random_state(model):
    """Restores, on exit, the global random state of Python, NumPy, TensorFlow (eager seed) and
    Keras, and every SeedGenerator state of `model`: what runs inside consumes none of it."""
    from tensorflow.python.eager import context  # private: the eager global seed and op seeds

    eager = context.context()
    rng = getattr(eager, "_rng", None)  # exists once a global seed was set
    saved_tf = (eager._seed, rng.getstate() if rng is not None else None)  # pylint: disable=protected-access
    saved = (random.getstate(), np.random.get_state(),
             global_state.get_global_attribute("global_random_seed"),
             global_state.get_global_attribute("global_seed_generator"))
    generator_state = saved[3].state.numpy() if saved[3] is not None else None
    seed_states = [(v, keras.ops.convert_to_numpy(v.value)) for v in seed_generator_states(model)]
    try:
        yield
    finally:
        random.setstate(saved[0])
        np.random.set_state(saved[1])
        global_state.set_global_attribute("global_random_seed", saved[2])
        global_state.set_global_attribute("global_seed_generator", saved[3])
        if generator_state is not None:
            saved[3].state.assign(generator_state)
        if saved_tf[1] is not None:
            if eager._seed != saved_tf[0]:  # pylint: disable=protected-access
                eager._set_global_seed(saved_tf[0])  # pylint: disable=protected-access
            eager._rng.setstate(saved_tf[1])  # pylint: disable=protected-access
        for variable, value in seed_states:
            variable.assign(value)


class EvalHook:
    """Runs `evaluate_fn(model, step)` every `config.eval_every` steps and at the end.

    Args:
        config: the `TrainingConfig` (eval_every, train_steps, best_metric, workdir).
        evaluate_fn: callable (model, step) -> dict name -> number (or JSON-able values); an
            optional `prepare()` method is called once before training (real statistics,
            classifier), so that errors show at once and the first evaluation is not slower.
        model, objects: the model and the `checkpointing.run_objects` of the run.
        writer: the run's `SummaryWriter`; chief: this worker writes the files.
        checkpoint_root: directory of this worker's checkpoints (best/ goes inside).
    """

    def __init__(self, config, evaluate_fn, model, objects, writer, chief, checkpoint_root):
        self.config, self.evaluate_fn, self.model = config, evaluate_fn, model
        self.writer, self.chief = writer, chief
        self.log = MetricsLog(config.workdir)
        self.best = None
        if config.best_metric:
            self.best = BestCheckpoint(os.path.join(checkpoint_root, BEST_DIR),
                                       config.best_metric, **objects)

    def resume_at(self, step):
        """Drops metrics.jsonl lines of steps after the restored `step`."""
        if self.chief and self.log.truncate_after(step):
            logging.info("%s: dropped evaluations after the restored step %d", self.log.path, step)

    def prepare(self):
        if hasattr(self.evaluate_fn, "prepare"):
            with preserved_random_state(self.model):
                self.evaluate_fn.prepare()

    def due(self, step):
        every = self.config.eval_every
        return bool(every) and (step % every == 0 or step == self.config.train_steps)

    def __call__(self, step):
        """Evaluates at `step` (every worker, so that all take part in the best save)."""
        start = time.time()
        with preserved_random_state(self.model):
            results = dict(self.evaluate_fn(self.model, step))
        seconds = time.time() - start
        record = {"step": step, "time": time.time(), "eval_seconds": seconds, **results}
        scalars = {f"eval/{name}": value for name, value in results.items()
                   if isinstance(value, (int, float)) and not isinstance(value, bool)}
        self.writer.scalars(step, scalars)
        if self.chief:
            self.log.append(record)
        if self.best is not None:
            self.best.update(step, results.get(self.config.best_metric))
        logging.info("evaluation at step %d (%.1f s): %s", step, seconds, ", ".join(
            f"{name} {value:.4g}" for name, value in scalars.items()))
        return record
