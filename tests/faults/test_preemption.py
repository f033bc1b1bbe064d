"""SIGTERM / SIGINT in the middle of a real run: the step ends, a checkpoint is written, exit code
75 with one "stopped:" line, the lock is released, and the same command again ends bit-identical
to a straight run."""

import os

import pytest
import tensorflow as tf

from an_tf.training import checkpointing
from tests.faults import helpers


def _interrupt_and_rerun(pipeline, name, tmp_path, tmp_path_factory):
    straight = helpers.straight(pipeline, tmp_path_factory)
    workdir = str(tmp_path)
    result = helpers.run_command(pipeline, workdir, helpers.SIGNAL_AT_STEP.format(step=3,
                                                                                  name=name))
    assert result.returncode == 75, result.stderr[-3000:]
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line == (f"stopped: stopped by {name} at step 3 of {helpers.STEPS}: checkpoint "
                         f"{helpers.checkpoint(workdir, 3)} written; run the same command again "
                         "to continue")
    latest = tf.train.latest_checkpoint(os.path.join(workdir, "checkpoints"))
    assert checkpointing.checkpoint_step(latest) == 3  # no step lost (ckpt-2 is kept too)
    assert os.path.exists(helpers.checkpoint(workdir, 2) + ".index")
    assert not os.path.exists(os.path.join(workdir, ".lock"))
    helpers.train(pipeline, workdir)  # the same command again: steps 3 -> 4
    helpers.assert_same_final_checkpoint(straight, workdir)


def test_sigterm_cgan(tmp_path, tmp_path_factory):
    _interrupt_and_rerun("cgan", "SIGTERM", tmp_path, tmp_path_factory)


@pytest.mark.slow
def test_sigterm_inpaint(tmp_path, tmp_path_factory):
    _interrupt_and_rerun("inpaint", "SIGTERM", tmp_path, tmp_path_factory)


@pytest.mark.slow
def test_sigint_inpaint(tmp_path, tmp_path_factory):
    _interrupt_and_rerun("inpaint", "SIGINT", tmp_path, tmp_path_factory)


