"""run_training's evaluation hook (training.eval_hook) on the toy model: the schedule, TensorBoard
eval/..., metrics.jsonl (and its truncation on resume), the best checkpoint in the evaluator's
direction, checks before anything is written, and an evaluation that consumes every kind of random
state without changing the training."""

import json
import os
import random

import keras
import numpy as np
import pytest
import tensorflow as tf

from an_tf import training
from an_tf.training import eval_hook
from an_tf.training.checkpoint_choice import resolve_checkpoint
from tests.training import toy_model
from tests.training.summary_reading import read_scalars


class ToyEvaluator:
    """Mean squared error on the toy examples (the best metric); optionally draws from every
    random source there is, as a careless evaluation would."""

    best_metric = eval_hook.BestMetric("mse")

    def __init__(self, consume_randomness=False):
        self.consume_randomness = consume_randomness
        self.calls, self.prepared = [], 0

    def prepare(self):
        self.prepared += 1
        if self.consume_randomness:
            keras.utils.set_random_seed(1234)  # what a classifier's training may do

    def __call__(self, model, step):
        self.calls.append(step)
        if self.consume_randomness:
            random.random(), np.random.rand(), tf.random.uniform([2])
            keras.random.normal([2])  # Keras' global SeedGenerator
            model.noise_generator.next()  # the model's own
        x, y = toy_model.toy_examples()
        return {"mse": float(np.mean((model(x).numpy() - y) ** 2)), "step_seen": step}


def _run(workdir, train_steps, evaluator=None, **overrides):
    models = []

    def build_model():
        models.append(toy_model.build_toy_model(noise_stddev=0.1))
        return models[-1]

    settings = dict(checkpoint_every=4, summary_every=2, sample_every=100, eval_every=3)
    settings.update(overrides)
    config = training.TrainingConfig(workdir=str(workdir), train_steps=train_steps, batch_size=4,
                                     **settings)
    result = training.run_training(config, build_model, toy_model.make_toy_dataset_fn(4),
                                   hparams={}, evaluate_fn=evaluator)
    return result, models[-1]


def _steps(workdir):
    return [record["step"] for record in eval_hook.MetricsLog(str(workdir)).records()]


def test_evaluation_schedule_outputs_and_best_checkpoint(tmp_path):
    evaluator = ToyEvaluator()
    _run(tmp_path, 8, evaluator)
    assert evaluator.calls == [3, 6, 8] and evaluator.prepared == 1  # every 3 and at the end
    records = eval_hook.MetricsLog(str(tmp_path)).records()
    assert [r["step"] for r in records] == [3, 6, 8] == [r["step_seen"] for r in records]
    assert all(r["time"] > 0 and r["eval_seconds"] >= 0 for r in records)
    assert [s for s, _ in read_scalars(str(tmp_path / "tensorboard"), "eval/mse")] == [3, 6, 8]
    best = json.load(open(tmp_path / "checkpoints" / "best" / "best.json"))
    assert best == {"step": min(records, key=lambda r: r["mse"])["step"], "metric": "mse",
                    "value": min(r["mse"] for r in records)}
    assert resolve_checkpoint(str(tmp_path), "best").endswith(f"best/ckpt-{best['step']}")
    # The rotating checkpoints are those of the schedule only (best/ is apart).
    assert resolve_checkpoint(str(tmp_path), "latest").endswith("checkpoints/ckpt-8")


def test_evaluation_consuming_random_state_does_not_change_training(tmp_path):
    _, plain = _run(tmp_path / "plain", 8, None, eval_every=0)
    _, evaluated = _run(tmp_path / "evaluated", 8, ToyEvaluator(consume_randomness=True))
    toy_model.assert_same_state(plain, evaluated)
    for a, b in zip(training.seed_generator_states(plain),
                    training.seed_generator_states(evaluated), strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_resume_drops_evaluations_after_the_restored_step(tmp_path):
    _run(tmp_path, 6, ToyEvaluator())  # evaluations at 3 and 6, checkpoints at 4 and 6
    assert _steps(tmp_path) == [3, 6]
    # Pretend the last checkpoint (6) was lost: the run resumes from 4, the line of 6 goes.
    for suffix in (".index", ".data-00000-of-00001"):
        os.remove(tmp_path / "checkpoints" / f"ckpt-6{suffix}")
    state = (tmp_path / "checkpoints" / "checkpoint").read_text().replace("ckpt-6", "ckpt-4")
    (tmp_path / "checkpoints" / "checkpoint").write_text(state)
    evaluator = ToyEvaluator()
    _run(tmp_path, 9, evaluator)
    assert evaluator.calls == [6, 9] and _steps(tmp_path) == [3, 6, 9]


def test_best_checkpoint_survives_and_is_only_replaced_by_a_better_value(tmp_path):
    model = toy_model.build_toy_model()
    objects = {"model": model}
    fid = eval_hook.BestMetric("fid")
    best = eval_hook.BestCheckpoint(str(tmp_path / "best"), fid, **objects)
    assert best.update(10, 5.0) and not best.update(20, 6.0) and not best.update(30, float("nan"))
    assert best.update(40, 4.0)
    again = eval_hook.BestCheckpoint(str(tmp_path / "best"), fid, **objects)  # a resumed run
    assert again.value == 4.0 and not again.update(50, 4.5)
    assert sorted(os.listdir(tmp_path / "best")) == [
        "best.json", "checkpoint", "ckpt-40.data-00000-of-00001", "ckpt-40.index"]
    other_metric = eval_hook.BestCheckpoint(str(tmp_path / "best"), eval_hook.BestMetric("fd"),
                                            **objects)
    assert other_metric.value is None  # another metric: replaced at its first evaluation


def test_a_metric_where_higher_is_better_keeps_the_highest(tmp_path):
    psnr = eval_hook.BestMetric("psnr", higher_is_better=True)
    best = eval_hook.BestCheckpoint(str(tmp_path / "best"), psnr, model=toy_model.build_toy_model())
    assert best.update(1, 20.0) and not best.update(2, 19.0) and best.update(3, 21.5)
    assert json.load(open(tmp_path / "best" / "best.json")) == {
        "step": 3, "metric": "psnr", "value": 21.5}


class _FailingCheck(ToyEvaluator):
    def check(self):
        raise ValueError("no metric for one class")


@pytest.mark.parametrize("evaluator, message", [
    (None, r"^eval_every=3 but this pipeline has no evaluation$"),
    (_FailingCheck(), r"^evaluation during training \(eval_every=3\): no metric for one class$"),
])
def test_an_evaluation_that_cannot_run_fails_before_the_workdir_is_touched(tmp_path, evaluator,
                                                                           message):
    with pytest.raises(ValueError, match=message):
        _run(tmp_path / "run", 4, evaluator)
    assert not (tmp_path / "run").exists()


def test_eval_every_must_be_non_negative(tmp_path):
    with pytest.raises(ValueError, match="eval_every"):
        training.TrainingConfig(workdir=str(tmp_path), train_steps=1, batch_size=1, eval_every=-1)
