"""A disk that fills up or turns read-only under a real run (after checkpoint 2): the picture of
step 4 is warned about once and skipped, the checkpoint of step 4 stops the run with one line
naming it, its path and the free space (exit code 1), ckpt-2 stays the latest and verified, and
(disk full) the rerun once space is free ends bit-identical to a straight run.

The workdir is on a real 8 MB tmpfs when this process may mount one (root); otherwise the writes
are patched to raise what TF and Python raise on a full / read-only disk (ResourceExhaustedError
from SaveV2, OSError(ENOSPC) from the PNG writer), and the test says so in its output."""

import os
import re

import pytest
import tensorflow as tf

from an_tf.training import verify
from tests.faults import helpers

# Fill the tmpfs once checkpoint 2 is complete (as another job filling a shared disk would).
FILL = ('filler = os.open({filler!r}, os.O_WRONLY | os.O_CREAT)\n'
        '        try:\n'
        '            while True: os.write(filler, bytes(1 << 16))\n'
        '        except OSError: pass')
# A read-only bind mount over the workdir: remounting the tmpfs itself read-only is refused while
# the events file is open for writing ("mount point is busy"); through the bind mount every new
# write fails with EROFS, as on a disk the kernel turned read-only.
READ_ONLY = ('assert os.system("mount --bind {workdir} {workdir} && '
             'mount -o remount,bind,ro {workdir}") == 0')
# Without a tmpfs: the errors a full disk gives, raised by the writers from step 3 on.
PATCHED = """
import errno, tensorflow as tf
manager_save = tf.train.CheckpointManager.save
def full_save(self, checkpoint_number=None, **kwargs):
    if checkpoint_number > 2:
        raise tf.errors.ResourceExhaustedError(None, None, "SaveV2 " + self.directory + "; {words}")
    return manager_save(self, checkpoint_number=checkpoint_number, **kwargs)
tf.train.CheckpointManager.save = full_save
def full_png(path, picture):
    raise OSError(errno.{code}, os.strerror(errno.{code}), path)
summaries.save_png = full_png
"""


def _hook(mount, workdir, read_only):
    if mount is None:
        print("no tmpfs could be mounted: patched writers raise the disk errors")
        words, code = (("Read-only file system", "EROFS") if read_only
                       else ("No space left on device", "ENOSPC"))
        return PATCHED.format(words=words, code=code)
    action = (READ_ONLY.format(workdir=workdir) if read_only
              else FILL.format(filler=os.path.join(mount, "filler")))
    return helpers.AFTER_CHECKPOINT.format(step=2, action=action)


def _assert_stopped_at_checkpoint_4(result, workdir, words):
    assert result.returncode == 1, result.stderr[-3000:]
    last = result.stderr.strip().splitlines()[-1]
    pattern = (rf"error: cannot write checkpoint {re.escape(helpers.checkpoint(workdir, 4))}: "
               rf"{words} \([0-9.]+ MB free of [0-9.]+ MB on .*\); the latest complete checkpoint"
               rf" is still {re.escape(helpers.checkpoint(workdir, 2))}; free space and rerun")
    assert re.fullmatch(pattern, last), last
    # Summaries or pictures (whichever fails first): warned once, and the run went on.
    warned = [line for line in result.stderr.splitlines() if "training goes on" in line]
    assert len(warned) == 1 and words in warned[0], result.stderr[-3000:]
    directory = os.path.join(workdir, "checkpoints")
    assert tf.train.latest_checkpoint(directory) == helpers.checkpoint(workdir, 2)
    assert verify.verify_checkpoint(helpers.checkpoint(workdir, 2)) is None


@pytest.mark.slow
def test_disk_full_stops_with_one_line_and_rerun_equals_straight(tmp_path, tmp_path_factory):
    straight = helpers.straight("cgan", tmp_path_factory)
    with helpers.small_tmpfs(tmp_path / "disk") as mount:
        workdir = os.path.join(mount or str(tmp_path), "run")
        result = helpers.run_command("cgan", workdir, _hook(mount, workdir, read_only=False))
        _assert_stopped_at_checkpoint_4(result, workdir, "No space left on device")
        if mount:
            os.remove(os.path.join(mount, "filler"))  # space is free again
        helpers.train("cgan", workdir)
        helpers.assert_same_final_checkpoint(straight, workdir)


@pytest.mark.slow
def test_read_only_workdir_stops_with_one_line(tmp_path):
    with helpers.small_tmpfs(tmp_path / "disk") as mount:
        workdir = os.path.join(mount or str(tmp_path), "run")
        result = helpers.run_command("inpaint", workdir, _hook(mount, workdir, read_only=True))
        _assert_stopped_at_checkpoint_4(result, workdir, "Read-only file system")
