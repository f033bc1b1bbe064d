"""Tests of training.verify: damaged checkpoints are found, moved aside (never deleted), and the run
resumes from the newest one that verifies; --restore_from picks one explicitly."""

import os

import pytest
import tensorflow as tf

from an_tf.training import checkpointing, run_dir, verify
from tests.training import toy_model


@pytest.fixture
def saved_run(tmp_path):
    """A workdir with checkpoints 1, 2, 3 of the toy model (different values in each)."""
    model = toy_model.build_toy_model()
    checkpointer = checkpointing.Checkpointer(
        run_dir.checkpoint_directory(str(tmp_path)), **checkpointing.run_objects(model))
    for step in (1, 2, 3):
        model.output_layer.bias.assign([float(step)])
        checkpointer.save(step)
    return str(tmp_path)


def _prefix(workdir, step):
    return os.path.join(workdir, "checkpoints", f"ckpt-{step}")


def _data_file(workdir, step):
    return _prefix(workdir, step) + ".data-00000-of-00001"


def flip_bytes(path, offset=None, count=64):
    """Inverts `count` bytes of file `path` in its middle (or at `offset`)."""
    data = bytearray(open(path, "rb").read())
    offset = len(data) // 2 if offset is None else offset
    for index in range(offset, min(offset + count, len(data))):
        data[index] ^= 0xFF
    open(path, "wb").write(bytes(data))


def test_intact_checkpoints_verify(saved_run):
    reports, moved = verify.verify_workdir(saved_run)
    assert [(label, r.step, r.problem) for label, r in reports] == [
        ("checkpoints", 3, None), ("checkpoints", 2, None), ("checkpoints", 1, None)]
    assert moved == 0 and all(r.size > 0 for _, r in reports)


def test_each_kind_of_damage_is_named(saved_run):
    flip_bytes(_data_file(saved_run, 3))
    assert "Checksum does not match" in verify.verify_checkpoint(_prefix(saved_run, 3))
    index = _prefix(saved_run, 2) + ".index"
    open(index, "r+b").truncate(os.path.getsize(index) // 2)
    assert verify.verify_checkpoint(_prefix(saved_run, 2)).startswith("index unreadable")
    os.remove(_data_file(saved_run, 1))
    assert verify.verify_checkpoint(_prefix(saved_run, 1)) == "no data file"


def test_a_missing_shard_of_several_is_named(saved_run):
    # As if the checkpoint had been written in two shards and the second were lost.
    os.rename(_data_file(saved_run, 3), _prefix(saved_run, 3) + ".data-00000-of-00002")
    assert verify.verify_checkpoint(_prefix(saved_run, 3)) == (
        "1 data shard(s) missing (data-00001-of-00002)")


def test_resume_moves_the_damaged_latest_aside_and_names_the_newest_good_one(saved_run):
    flip_bytes(_data_file(saved_run, 3))
    data_before = open(_data_file(saved_run, 3), "rb").read()
    chosen = verify.checkpoint_to_resume(saved_run)
    assert chosen == _prefix(saved_run, 2)
    directory = os.path.join(saved_run, "checkpoints")
    assert tf.train.latest_checkpoint(directory) == chosen
    moved = sorted(name for name in os.listdir(directory) if ".corrupt-" in name)
    assert len(moved) == 2 and all(name.startswith("ckpt-3.corrupt-") for name in moved)
    data_file = next(name for name in moved if ".data-" in name)
    assert open(os.path.join(directory, data_file), "rb").read() == data_before  # not deleted
    # The next run saves ckpt-3 again beside the moved files, and rotation still works.
    model = toy_model.build_toy_model()
    checkpointer = checkpointing.Checkpointer(directory, max_to_keep=2,
                                              **checkpointing.run_objects(model))
    assert checkpointer.restore(chosen) == 2
    checkpointer.save(3)
    checkpointer.save(4)
    assert verify.checkpoint_to_resume(saved_run) == _prefix(saved_run, 4)
    assert not os.path.exists(_prefix(saved_run, 1) + ".index")  # the oldest was rotated out
    assert verify.verify_workdir(saved_run)[1] == 1


def test_without_fix_nothing_is_moved(saved_run):
    flip_bytes(_data_file(saved_run, 3))
    assert verify.checkpoint_to_resume(saved_run, fix=False) == _prefix(saved_run, 2)
    assert os.path.exists(_data_file(saved_run, 3))


def test_restore_from_a_step_supersedes_newer_checkpoints(saved_run):
    assert verify.checkpoint_to_resume(saved_run, restore_from="1") == _prefix(saved_run, 1)
    directory = os.path.join(saved_run, "checkpoints")
    assert tf.train.latest_checkpoint(directory) == _prefix(saved_run, 1)
    assert len([n for n in os.listdir(directory) if ".superseded-" in n]) == 4  # ckpt-2, ckpt-3
    assert list(run_dir.list_checkpoints(directory)) == [1]


def test_restore_from_a_damaged_or_missing_checkpoint_fails_in_one_line(saved_run):
    flip_bytes(_data_file(saved_run, 2))
    with pytest.raises(verify.CheckpointCorruptError, match=r"--restore_from=2: .*ckpt-2 failed "
                       r"verification \(.*Checksum does not match"):
        verify.checkpoint_to_resume(saved_run, restore_from="2")
    with pytest.raises(FileNotFoundError, match="--restore_from=7: no checkpoint"):
        verify.checkpoint_to_resume(saved_run, restore_from="7")
    assert os.path.exists(_data_file(saved_run, 3))  # nothing moved by a refused choice


def test_restore_from_a_path_of_another_run(saved_run, tmp_path_factory):
    other = str(tmp_path_factory.mktemp("other"))
    chosen = verify.checkpoint_to_resume(other, restore_from=_prefix(saved_run, 2) + ".index")
    assert chosen == _prefix(saved_run, 2)


def test_an_unfinished_save_is_no_checkpoint_reported_and_moved_aside(saved_run):
    os.remove(_prefix(saved_run, 3) + ".index")  # as if the save of step 3 had died midway
    directory = os.path.join(saved_run, "checkpoints")
    assert list(run_dir.list_checkpoints(directory)) == [2, 1]
    reports, _ = verify.verify_workdir(saved_run)
    assert [(r.step, r.problem) for _, r in reports][0] == (3, "index file missing")
    assert verify.checkpoint_to_resume(saved_run) == _prefix(saved_run, 2)
    assert tf.train.latest_checkpoint(directory) == _prefix(saved_run, 2)
    assert [name for name in os.listdir(directory) if name.startswith("ckpt-3.")] == [
        os.path.basename(run_dir.moved_aside(directory)[0]) + ".data-00000-of-00001"]
