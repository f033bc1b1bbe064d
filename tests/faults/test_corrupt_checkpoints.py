"""Damaged checkpoints of a real run (flipped bytes in the latest data file, a truncated index, a
missing shard): check_workdir names them, a rerun moves the damaged one aside (renamed, never
deleted) with one warning line, resumes from the newest that verifies and ends bit-identical to a
straight run; --restore_from picks one explicitly."""

import glob
import os

import pytest
from absl import flags

from an_tf.training import verify
from experiments import check_workdir
from tests.faults import helpers
from tests.training.test_verify import flip_bytes


def _check_workdir(workdir, capsys):
    """Runs `python -m experiments.check_workdir` in-process: (its table, error or None)."""
    flag_values = flags.FlagValues()
    check_workdir.define_flags(flag_values)
    flag_values(["check_workdir", f"--workdir={workdir}"])
    error = None
    try:
        check_workdir.main([], flag_values=flag_values)
    except RuntimeError as raised:
        error = str(raised)
    return capsys.readouterr().out, error


@pytest.fixture
def damaged(tmp_path, tmp_path_factory):
    """Three copies of the straight inpainting run: ckpt-4 with flipped bytes, with half its
    index, without its data file."""
    straight = helpers.straight("inpaint", tmp_path_factory)
    copies = {kind: helpers.copy_run(straight, tmp_path / kind)
              for kind in ("flipped", "truncated", "missing")}
    flip_bytes(helpers.checkpoint(copies["flipped"], 4) + ".data-00000-of-00001")
    index = helpers.checkpoint(copies["truncated"], 4) + ".index"
    open(index, "r+b").truncate(os.path.getsize(index) // 2)
    os.remove(helpers.checkpoint(copies["missing"], 4) + ".data-00000-of-00001")
    return straight, copies


def test_check_workdir_names_each_damage(damaged, capsys):
    straight, copies = damaged
    table, error = _check_workdir(straight, capsys)
    assert error is None and "all 2 checkpoint(s) verified" in table
    expected = {"flipped": "Checksum does not match", "truncated": "index unreadable",
                "missing": "no data file"}
    for kind, words in expected.items():
        table, error = _check_workdir(copies[kind], capsys)
        rows = table.splitlines()
        assert rows[1].split()[:2] == ["checkpoints", "4"] and words in rows[1], table
        assert rows[2].split()[:2] == ["checkpoints", "2"] and rows[2].endswith("verified")
        assert error == "1 of 2 checkpoint(s) failed verification"


@pytest.mark.parametrize("kind", ["truncated", "missing"])
def test_resume_falls_back_to_the_newest_good_checkpoint(damaged, kind):
    workdir = damaged[1][kind]
    assert verify.checkpoint_to_resume(workdir) == helpers.checkpoint(workdir, 2)
    moved = glob.glob(helpers.checkpoint(workdir, 4) + ".corrupt-*")
    assert moved and not os.path.exists(helpers.checkpoint(workdir, 4) + ".index")


def test_rerun_after_flipped_bytes_equals_straight(damaged, monkeypatch):
    straight, copies = damaged
    workdir = copies["flipped"]
    warnings = []
    monkeypatch.setattr(verify.logging, "warning",
                        lambda message, *args: warnings.append(message % args))
    helpers.train("inpaint", workdir)  # moves ckpt-4 aside, trains 2 -> 4 again
    assert warnings[0].startswith(f"checkpoint {helpers.checkpoint(workdir, 4)} failed "
                                  "verification (tensor ")
    assert "Checksum does not match" in warnings[0] and "moved aside to" in warnings[0]
    assert warnings[1] == (f"resuming from {helpers.checkpoint(workdir, 2)}: the checkpoint "
                           "state file now names it")
    assert len(glob.glob(helpers.checkpoint(workdir, 4) + ".corrupt-*")) == 2  # index + data
    helpers.assert_same_final_checkpoint(straight, workdir)


def test_restore_from_a_damaged_checkpoint_is_refused(damaged):
    workdir = damaged[1]["flipped"]
    with pytest.raises(verify.CheckpointCorruptError, match=r"^--restore_from=4: checkpoint "
                       r".*ckpt-4 failed verification \(tensor .*Checksum does not match"):
        helpers.train("inpaint", workdir, "--restore_from=4")
