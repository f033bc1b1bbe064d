"""Tests of training.run_dir: one definition of a checkpoint (complete files), the run's settings,
atomic writes that fail in one line."""

import json
import os

import pytest

from an_tf.training import run_dir
from an_tf.training.write_errors import WorkdirWriteError


def _touch(directory, *names):
    os.makedirs(directory, exist_ok=True)
    for name in names:
        open(os.path.join(directory, name), "wb").close()


def test_a_checkpoint_exists_when_its_index_and_every_data_shard_are_there(tmp_path):
    directory = str(tmp_path)
    _touch(directory, "ckpt-1.index", "ckpt-1.data-00000-of-00001",          # complete
           "ckpt-2.index", "ckpt-2.data-00000-of-00002", "ckpt-2.data-00001-of-00002",
           "ckpt-3.data-00000-of-00001",                                      # no index
           "ckpt-4.index",                                                    # no data
           "ckpt-5.index", "ckpt-5.data-00001-of-00002",                      # a shard missing
           "ckpt-6.corrupt-20250101T000000Z.index", "checkpoint", "ckpt-7_temp")
    assert run_dir.list_checkpoints(directory) == {
        2: os.path.join(directory, "ckpt-2"), 1: os.path.join(directory, "ckpt-1")}
    partial = run_dir.partial_checkpoints(directory)
    assert {step: why for step, (_, why) in partial.items()} == {
        5: "1 data shard(s) missing (data-00000-of-00002)", 4: "no data file",
        3: "index file missing"}
    assert list(partial) == [5, 4, 3]  # newest first
    assert run_dir.list_checkpoints(str(tmp_path / "absent")) == {}


def test_step_of_and_files_of_a_prefix(tmp_path):
    directory = str(tmp_path)
    _touch(directory, "ckpt-1.index", "ckpt-1.data-00000-of-00001", "ckpt-10.index")
    assert run_dir.step_of(run_dir.checkpoint_prefix(directory, 12)) == 12
    assert run_dir.step_of("/x/ckpt-3.corrupt-20250101T000000Z") is None
    assert [os.path.basename(f) for f in run_dir.checkpoint_files(directory + "/ckpt-1")] == [
        "ckpt-1.data-00000-of-00001", "ckpt-1.index"]


def test_move_aside_never_replaces_and_is_counted(tmp_path):
    directory = str(tmp_path)
    for _ in range(2):
        _touch(directory, "ckpt-4.index", "ckpt-4.data-00000-of-00001")
        run_dir.move_aside(os.path.join(directory, "ckpt-4"))
    assert run_dir.list_checkpoints(directory) == {}
    moved = run_dir.moved_aside(directory)
    assert len(moved) == 2 and all(".corrupt-" in prefix for prefix in moved)
    assert all(len(run_dir.checkpoint_files(os.path.join(directory, prefix))) == 2
               for prefix in moved)


def test_settings_are_read_and_a_missing_file_is_one_line(tmp_path):
    run_dir.write_json(run_dir.settings_path(str(tmp_path / "run")),
                       {"training_config": {"seed": 3}, "hparams": {"channels": 4}}, "settings")
    assert run_dir.read_hparams(str(tmp_path / "run")) == {"channels": 4}
    assert run_dir.read_settings(str(tmp_path / "run"))["training_config"] == {"seed": 3}
    with pytest.raises(FileNotFoundError, match=r"config.json not found: --workdir must be a "
                       r"cGAN run directory$"):
        run_dir.read_hparams(str(tmp_path / "other"), "cGAN run")


def test_atomic_write_replaces_whole_files_and_fails_in_one_line(tmp_path):
    path = str(tmp_path / "info.json")
    run_dir.write_json(path, {"a": 1}, "info")
    run_dir.write_json(path, {"a": 2}, "info", indent=1)
    assert json.load(open(path)) == {"a": 2} and os.listdir(tmp_path) == ["info.json"]
    os.mkdir(path + ".tmp")  # the temporary file cannot be written
    with pytest.raises(WorkdirWriteError, match=r"^cannot write info .*info.json: Is a directory "
                       r"\(.* MB free .*\); the old one stays$"):
        run_dir.write_text(path, "x", "info", "the old one stays")
    assert json.load(open(path)) == {"a": 2}
