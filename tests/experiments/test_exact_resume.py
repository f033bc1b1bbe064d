"""Exact resume of the real pipelines (experiments.cgan, experiments.inpaint, smoke flagfiles):
N steps straight vs k steps then the same command again, vs a run killed with SIGKILL after
checkpoint k, and under --strategy=mirrored: every tensor of the final checkpoints bit-identical.
And exports: from the workdir (restored) vs from the live model at the end of training."""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from absl import flags

from experiments import cgan, export_cgan, export_inpaint, inpaint
from tests.experiments.helpers import parse_flags
from tests.training import state_checks

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONFIGS = os.path.join(REPO, "experiments", "configs")
STEPS, FIRST = 4, 2
# Every step's summaries and a checkpoint every 2 steps; samples only at the end (PNG cost).
SCHEDULE = [f"--train_steps={STEPS}", "--checkpoint_every=2", "--summary_every=1",
            f"--sample_every={STEPS}"]
PIPELINES = {
    "cgan": (cgan, os.path.join(CONFIGS, "cgan_smoke.cfg"), ["--ema_decay=0.9"]),
    "inpaint": (inpaint, os.path.join(CONFIGS, "inpaint_smoke.cfg"), []),
}


def _flags(pipeline, workdir, *extra):
    module, flagfile, pipeline_flags = PIPELINES[pipeline]
    return parse_flags(module, f"--flagfile={flagfile}", f"--workdir={workdir}", *pipeline_flags,
                       *SCHEDULE, *extra)


def _train(pipeline, workdir, *extra):
    PIPELINES[pipeline][0].main([pipeline], flag_values=_flags(pipeline, workdir, *extra))


def _final_checkpoint(workdir):
    return os.path.join(workdir, "checkpoints", f"ckpt-{STEPS}")


_STRAIGHT = {}


def _straight(pipeline, tmp_path_factory, *extra):
    """The workdir of an uninterrupted run (shared by the tests of one module)."""
    key = (pipeline, extra)
    if key not in _STRAIGHT:
        workdir = str(tmp_path_factory.mktemp(f"{pipeline}_straight"))
        # The live model at the end of training is exported too (export_dir beside the workdir).
        _train(pipeline, workdir, *extra, f"--export_dir={workdir}_live_export")
        _STRAIGHT[key] = workdir
    return _STRAIGHT[key]


# cgan: tests/faults/test_preemption.py::test_sigterm_cgan runs the same comparison by default.
@pytest.mark.parametrize("pipeline", [pytest.param("cgan", marks=pytest.mark.slow), "inpaint"])
def test_stopped_and_rerun_equals_straight(pipeline, tmp_path, tmp_path_factory):
    straight = _straight(pipeline, tmp_path_factory)
    _train(pipeline, str(tmp_path), f"--train_steps={FIRST}")
    _train(pipeline, str(tmp_path))  # the same command again
    count = state_checks.assert_same_checkpoints(_final_checkpoint(straight),
                                                 _final_checkpoint(str(tmp_path)))
    assert count > 50  # a real model's state, not a toy's


# Multi-replica resume stays in the default suite through tests/training/test_multi_worker.py.
@pytest.mark.slow  # ~4 min for both pipelines (three traced mirrored runs each)
@pytest.mark.parametrize("pipeline", ["cgan", "inpaint"])
def test_mirrored_two_replicas_stopped_and_rerun_equals_straight(pipeline, tmp_path,
                                                                 tmp_path_factory):
    mirrored = ("--strategy=mirrored", "--num_cpu_devices=2")
    straight = _straight(pipeline, tmp_path_factory, *mirrored)
    _train(pipeline, str(tmp_path), *mirrored, f"--train_steps={FIRST}")
    _train(pipeline, str(tmp_path), *mirrored)
    state_checks.assert_same_checkpoints(_final_checkpoint(straight),
                                         _final_checkpoint(str(tmp_path)))


_KILLED_RUN = """
import os, signal, sys
from an_tf.training import checkpointing
save = checkpointing.Checkpointer.save
def save_then_die(self, step):
    path = save(self, step)
    if step == {first}:
        os.kill(os.getpid(), signal.SIGKILL)  # right after checkpoint {first} is complete
    return path
checkpointing.Checkpointer.save = save_then_die
from absl import app
from {module} import define_flags, main
define_flags()
app.run(main, argv=sys.argv)
"""


def _kill_after_first_checkpoint(pipeline, workdir):
    """Runs the training command in a subprocess that SIGKILLs itself once ckpt-2 is written."""
    module, flagfile, pipeline_flags = PIPELINES[pipeline]
    script = _KILLED_RUN.format(first=FIRST, module=module.__name__)
    command = [sys.executable, "-c", script, f"--flagfile={flagfile}", f"--workdir={workdir}",
               *pipeline_flags, *SCHEDULE]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    result = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    assert result.returncode == -signal.SIGKILL, result.stderr[-2000:]


@pytest.mark.parametrize("pipeline", ["cgan", pytest.param("inpaint", marks=pytest.mark.slow)])
def test_killed_with_sigkill_and_rerun_equals_straight(pipeline, tmp_path, tmp_path_factory):
    straight = _straight(pipeline, tmp_path_factory)
    workdir = str(tmp_path)
    _kill_after_first_checkpoint(pipeline, workdir)
    _train(pipeline, workdir)  # resumes from whatever complete checkpoint the kill left
    state_checks.assert_same_checkpoints(_final_checkpoint(straight), _final_checkpoint(workdir))


def _serving_inputs(pipeline):
    rng = np.random.default_rng(0)
    if pipeline == "cgan":
        return {"z": tf.constant(rng.normal(size=(3, 16)), tf.float32),
                "labels": tf.constant([0, 1, 3], tf.int64)}
    masks = np.zeros((2, 32, 32, 1), np.float32)
    masks[:, 8:24, 8:24] = 1.0
    return {"images": tf.constant(rng.uniform(0, 255, (2, 32, 32, 3)), tf.float32),
            "masks": tf.constant(masks)}


@pytest.mark.parametrize("pipeline, exporter", [("cgan", export_cgan),
                                                ("inpaint", export_inpaint)])
def test_export_from_workdir_equals_export_of_the_live_model(pipeline, exporter,
                                                             tmp_path, tmp_path_factory):
    workdir = _straight(pipeline, tmp_path_factory)
    flag_values = flags.FlagValues()
    exporter.define_flags(flag_values)
    flag_values(["export", f"--workdir={workdir}", f"--export_dir={tmp_path / 'restored'}"])
    exporter.main(["export"], flag_values=flag_values)
    inputs = _serving_inputs(pipeline)
    outputs = [tf.saved_model.load(path).signatures["serving_default"](**inputs)
               for path in (f"{workdir}_live_export", str(tmp_path / "restored"))]
    for name, live in outputs[0].items():
        np.testing.assert_array_equal(live.numpy(), outputs[1][name].numpy(), err_msg=name)
        assert np.std(live.numpy()) > 0  # an image, not a constant
