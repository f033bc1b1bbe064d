"""Evaluation during training (`run_training(..., evaluate_fn=...)` with
`TrainingConfig.eval_every`): metrics to TensorBoard ("eval/<name>") and to
<workdir>/metrics.jsonl, and the best checkpoint by one metric kept apart from the rotating ones.

The evaluation function says by which of its results the best checkpoint is chosen, and in which
direction (its `best_metric`, a `BestMetric`); each pipeline's evaluator knows its metrics.

An evaluation must not change the training: it runs with the random state of Python, NumPy,
TensorFlow, Keras and every SeedGenerator of the model saved and restored around it, never touches
the training iterator, and the evaluation function calls the networks with training=False (no
batch-norm, spectral-norm or EMA update).

metrics.jsonl on resume: the lines of steps after the restored checkpoint are dropped (the file is
rewritten atomically), so the file always describes the one history that led to the weights on
disk; the evaluations of the re-run steps append the same lines again (training is exact).
"""

import contextlib
import dataclasses
import json
import math
import os
import random
import time

import keras
import numpy as np
from absl import logging
from keras.src.backend.common import global_state

from an_tf.training import run_dir
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
            run_dir.write_text(self.path, "".join(json.dumps(record) + "\n" for record in kept),
                               "evaluation log", "nothing was trained in this run")
        return len(records) - len(kept)

    def append(self, record):
        with open(self.path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(record) + "\n")
            stream.flush()
            os.fsync(stream.fileno())


@dataclasses.dataclass(frozen=True)
class BestMetric:
    """The result of an evaluation by which the best checkpoint is kept, and its direction."""

    name: str
    higher_is_better: bool = False

    def improves(self, value, best):
        """True if `value` (finite) is better than `best` (None: nothing yet)."""
        if best is None:
            return True
        return value > best if self.higher_is_better else value < best


class BestCheckpoint:
    """The checkpoint with the best value of `metric` so far, in <checkpoints>/best/ (one
    kept), with best.json {"step", "metric", "value"} written after the checkpoint is complete.

    Args:
        directory: the best/ folder.
        metric: a `BestMetric`.
        **objects: what to save (as `Checkpointer`).
    """

    def __init__(self, directory, metric, **objects):
        self.directory, self.metric = directory, metric
        self.checkpointer = Checkpointer(directory, max_to_keep=1, **objects)
        self.info_path = os.path.join(directory, run_dir.BEST_INFO)
        self.value = self._stored_value()

    def _stored_value(self):
        if not os.path.exists(self.info_path) or not run_dir.list_checkpoints(self.directory):
            return None
        with open(self.info_path, encoding="utf-8") as stream:
            info = json.load(stream)
        if info.get("metric") != self.metric.name:
            logging.warning("the best checkpoint in %s is by %s, now %s is tracked: it will be "
                            "replaced at the next evaluation", self.directory, info.get("metric"),
                            self.metric.name)
            return None
        return info["value"]

    def update(self, step, value):
        """Saves the current state as the best if `value` is better than the best so far."""
        if value is None or not math.isfinite(value):
            return False
        if not self.metric.improves(value, self.value):
            return False
        self.checkpointer.save(step)
        info = {"step": step, "metric": self.metric.name, "value": value}
        run_dir.write_json(self.info_path, info, "best checkpoint record",
                           f"the best checkpoint is {self.checkpointer.latest_checkpoint}")
        self.value = value
        logging.info("new best checkpoint at step %d: %s %.5g", step, self.metric.name, value)
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


def check_evaluation(evaluate_fn, eval_every):
    """Raises a one-line ValueError if evaluating every `eval_every` steps cannot run: no
    `evaluate_fn`, or its optional `check()` (files, metrics: cheap) fails."""
    if evaluate_fn is None:
        raise ValueError(f"eval_every={eval_every} but this pipeline has no evaluation")
    try:
        if hasattr(evaluate_fn, "check"):
            evaluate_fn.check()
    except (ValueError, OSError) as error:
        raise ValueError(f"evaluation during training (eval_every={eval_every}): {error}") \
            from None


class EvalHook:
    """Runs `evaluate_fn(model, step)` at the steps the run's `Schedule` says.

    Args:
        evaluate_fn: callable (model, step) -> dict name -> number (or JSON-able values), with
            optional attributes: `best_metric` (a `BestMetric`: the best checkpoint is kept by
            it; None or absent: none kept), `check()` (see `check_evaluation`) and `prepare()`,
            called once before training (real statistics, classifier), so that errors show at
            once and the first evaluation is not slower.
        workdir: the run's directory (metrics.jsonl).
        model, objects: the model and the `checkpointing.run_objects` of the run.
        writer: the run's `SummaryWriter`; chief: this worker writes the files.
        checkpoint_root: directory of this worker's checkpoints (best/ goes inside).
    """

    def __init__(self, evaluate_fn, workdir, model, objects, writer, chief, checkpoint_root):
        self.evaluate_fn, self.model = evaluate_fn, model
        self.writer, self.chief = writer, chief
        self.log = MetricsLog(workdir)
        self.metric = getattr(evaluate_fn, "best_metric", None)
        self.best = None
        if self.metric is not None:
            self.best = BestCheckpoint(os.path.join(checkpoint_root, run_dir.BEST_DIR),
                                       self.metric, **objects)

    def resume_at(self, step):
        """Drops metrics.jsonl lines of steps after the restored `step`."""
        if self.chief and self.log.truncate_after(step):
            logging.info("%s: dropped evaluations after the restored step %d", self.log.path, step)

    def prepare(self):
        if hasattr(self.evaluate_fn, "prepare"):
            with preserved_random_state(self.model):
                self.evaluate_fn.prepare()

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
            self.best.update(step, results.get(self.metric.name))
        logging.info("evaluation at step %d (%.1f s): %s", step, seconds, ", ".join(
            f"{name} {value:.4g}" for name, value in scalars.items()))
        return record
