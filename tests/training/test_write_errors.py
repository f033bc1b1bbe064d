"""Tests of disk failures on the toy model: a checkpoint that cannot be written stops the run with
one line (what, path, free space) and the previous checkpoint stays the latest; summaries and
pictures that cannot be written are warned about once and the run goes on. (Real pipelines on a
full or read-only tmpfs: tests/faults/test_disk.py.)"""

import errno
import os

import numpy as np
import pytest
import tensorflow as tf

from an_tf import training
from an_tf.training import checkpointing, export, summaries, write_errors
from tests.training import toy_model

ENOSPC_FROM_SAVEV2 = ("{{function_node __wrapped__SaveV2}} {path}_temp/part-00000-of-00001.data-"
                      "00000-of-00001.tempstate1; No space left on device [Op:SaveV2]")


def _config(workdir, **overrides):
    settings = dict(workdir=str(workdir), train_steps=4, batch_size=4, checkpoint_every=2,
                    summary_every=1, sample_every=1)
    settings.update(overrides)
    return training.TrainingConfig(**settings)


def test_describe_names_what_where_why_and_free_space(tmp_path):
    error = tf.errors.ResourceExhaustedError(None, None, ENOSPC_FROM_SAVEV2.format(path="x"))
    line = write_errors.describe("checkpoint", str(tmp_path / "a" / "ckpt-4"), error, "then")
    assert line.startswith(f"cannot write checkpoint {tmp_path}/a/ckpt-4: No space left on device"
                           f" (") and f"MB free of" in line and f"on {tmp_path})" in line
    assert line.endswith("; then") and "\n" not in line
    readonly = write_errors.describe("picture", "/p.png", OSError(errno.EROFS, "x"))
    assert ": Read-only file system (" in readonly


def test_a_failed_checkpoint_stops_the_run_and_keeps_the_previous_one(tmp_path, monkeypatch):
    save = tf.train.CheckpointManager.save

    def save_or_fail(self, checkpoint_number=None, **kwargs):
        if checkpoint_number == 4:
            prefix = os.path.join(self.directory, "ckpt-4")
            os.makedirs(prefix + "_temp")  # what a real failed SaveV2 leaves
            raise tf.errors.ResourceExhaustedError(None, None,
                                                   ENOSPC_FROM_SAVEV2.format(path=prefix))
        return save(self, checkpoint_number=checkpoint_number, **kwargs)

    monkeypatch.setattr(tf.train.CheckpointManager, "save", save_or_fail)
    with pytest.raises(write_errors.WorkdirWriteError,
                       match=r"^cannot write checkpoint .*ckpt-4: No space left on device \(.* MB "
                             r"free of .*\); the latest complete checkpoint is still .*ckpt-2; "
                             r"free space and rerun$") as raised:
        training.run_training(_config(tmp_path), toy_model.build_toy_model,
                              toy_model.make_toy_dataset_fn(4))
    assert raised.value.exitcode == 1
    directory = str(tmp_path / "checkpoints")
    assert tf.train.latest_checkpoint(directory).endswith("ckpt-2")
    assert sorted(os.listdir(directory)) == ["checkpoint", "ckpt-2.data-00000-of-00001",
                                             "ckpt-2.index"]  # the partial save is removed
    assert not (tmp_path / ".lock").exists()


def test_failed_pictures_and_summaries_warn_once_and_training_goes_on(tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(summaries.logging, "warning",
                        lambda message, *args: warnings.append(message % args))

    def no_space(path, picture):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), path)

    monkeypatch.setattr(summaries, "save_png", no_space)
    images = np.zeros((2, 4, 4, 3), np.float32)
    result = training.run_training(_config(tmp_path), toy_model.build_toy_model,
                                   toy_model.make_toy_dataset_fn(4),
                                   sample_fn=lambda model, step: {"samples": images})
    assert result.step == 4
    assert len(warnings) == 1
    assert warnings[0].startswith(f"cannot write picture {tmp_path}/images/samples/1.png: No "
                                  "space left on device (") and "training goes on" in warnings[0]
    assert tf.train.latest_checkpoint(str(tmp_path / "checkpoints")).endswith("ckpt-4")


def test_a_flush_that_fails_when_images_are_written_is_warned_not_raised(tmp_path, monkeypatch):
    # Leaving the writer's as_default() flushes the events file: on a full disk that flush is
    # what fails (seen on a real tmpfs), outside the writes themselves.
    warnings = []
    monkeypatch.setattr(summaries.logging, "warning",
                        lambda message, *args: warnings.append(message % args))
    writer = summaries.SummaryWriter(str(tmp_path))

    def full_disk_flush():
        raise tf.errors.ResourceExhaustedError(None, None, "events file; No space left on device")

    monkeypatch.setattr(writer._writer, "flush", full_disk_flush)  # pylint: disable=protected-access
    paths = writer.images(3, {"samples": np.zeros((2, 4, 4, 3), np.float32)})
    assert os.path.exists(paths["samples"])  # the picture was written before the flush failed
    assert len(warnings) == 1 and "No space left on device" in warnings[0]
    assert "training goes on" in warnings[0]


def test_a_failed_export_is_one_line(tmp_path, monkeypatch):
    def read_only(*args, **kwargs):
        raise tf.errors.PermissionDeniedError(None, None, "/x; Read-only file system")

    monkeypatch.setattr(export.tf.saved_model, "save", read_only)
    with pytest.raises(write_errors.WorkdirWriteError,
                       match=r"^cannot write export .*served: Read-only file system \("):
        export.save_model_atomically(tf.Module(), str(tmp_path / "served"))
    assert os.listdir(tmp_path) == []  # the temporary directory is gone


def test_other_errors_keep_their_type(tmp_path):
    with pytest.raises(ValueError, match="not a write error"):
        with write_errors.write_failure("checkpoint", str(tmp_path)):
            raise ValueError("not a write error")
    assert checkpointing  # (the module under test of the stop case above)
