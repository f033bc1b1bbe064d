"""--on_nan on the real cGAN pipeline: a loss that becomes NaN at step 3 (of 4, checkpoints every
2) stops the run with one line and keeps ckpt-2 as the latest, or is skipped and counted."""

import os

import numpy as np
import pytest
import tensorflow as tf

from an_tf.cgan import losses
from an_tf.training import checkpointing
from an_tf.training.loop import TrainingDivergedError
from tests.cgan.helpers import run_cgan_main
from tests.training.summary_reading import read_scalars

FLAGS = ["--train_steps=4", "--checkpoint_every=2", "--summary_every=1", "--sample_every=100"]


@pytest.fixture
def nan_at_third_discriminator_step(monkeypatch):
    calls = tf.Variable(0, dtype=tf.int64, trainable=False)
    original = losses.discriminator_hinge_loss

    def loss_with_nan(real_logits, fake_logits):
        calls.assign_add(1)
        nan = tf.where(tf.equal(calls, 3), np.float32(np.nan), np.float32(0.0))
        return original(real_logits, fake_logits) + nan

    monkeypatch.setattr(losses, "discriminator_hinge_loss", loss_with_nan)


@pytest.mark.usefixtures("nan_at_third_discriminator_step")
def test_stop_names_the_step_and_keeps_the_last_good_checkpoint(tmp_path):
    with pytest.raises(TrainingDivergedError, match=r"^non-finite loss or gradient at step 3 "
                                                    r"\(.*d_loss=nan.*ckpt-2\)") as error:
        run_cgan_main(f"--workdir={tmp_path}", *FLAGS)
    assert "\n" not in str(error.value)
    latest = tf.train.latest_checkpoint(os.path.join(tmp_path, "checkpoints"))
    assert latest.endswith("ckpt-2")
    saved = checkpointing.load_saved_state(latest)
    assert all(np.all(np.isfinite(value)) for value in saved.values()
               if np.issubdtype(np.asarray(value).dtype, np.floating))


@pytest.mark.usefixtures("nan_at_third_discriminator_step")
def test_skip_drops_that_update_and_counts_it(tmp_path):
    run_cgan_main(f"--workdir={tmp_path}", *FLAGS, "--on_nan=skip")
    saved = checkpointing.load_saved_state(os.path.join(tmp_path, "checkpoints", "ckpt-4"))
    assert int(saved["model/d_optimizer/iterations"]) == 3  # the step-3 D update was skipped
    assert int(saved["model/g_optimizer/iterations"]) == 4
    assert int(saved["skipped_updates"]) == 1
    assert all(np.all(np.isfinite(value)) for value in saved.values()
               if np.issubdtype(np.asarray(value).dtype, np.floating))
    counted = dict(read_scalars(os.path.join(tmp_path, "tensorboard"), "skipped_updates"))
    assert counted[2] == 0 and counted[3] == 1 and counted[4] == 1
