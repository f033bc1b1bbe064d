"""Two runs on one workdir: the second refuses with one line naming the holder (host, PID, start
time); readers (check_workdir) are not blocked; a lock left by a SIGKILLed run is taken over with a
warning and the rerun ends bit-identical to a straight run."""

import json
import os
import signal
import socket
import subprocess
import sys

import pytest

from an_tf.training import workdir_lock
from an_tf.training.workdir_lock import WorkdirLockedError
from tests.faults import helpers
from tests.faults.test_corrupt_checkpoints import _check_workdir

_HOLD_LOCK = """
import sys, time
from an_tf.training.workdir_lock import WorkdirLock
lock = WorkdirLock(sys.argv[1])
print("locked", flush=True)
time.sleep(600)
"""


def _start(argv, marker):
    """Starts a process and waits until it prints `marker` (it holds the lock then)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    process = subprocess.Popen(argv, cwd=helpers.REPO, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, text=True)
    for line in process.stdout:
        if marker in line:
            return process
    raise AssertionError(f"the process ended with code {process.wait()} before {marker!r}")


def _assert_refused(pipeline, workdir, pid):
    with pytest.raises(WorkdirLockedError) as refused:
        helpers.train(pipeline, workdir)
    record = json.load(open(os.path.join(workdir, ".lock"), encoding="utf-8"))
    assert str(refused.value) == (
        f"workdir {workdir} is in use by another run (host {socket.gethostname()}, PID {pid}, "
        f"started {record['start_time']}); wait for it to end or stop it")


def test_a_second_run_is_refused_and_readers_are_not_blocked(tmp_path, tmp_path_factory, capsys):
    workdir = helpers.copy_run(helpers.straight("cgan", tmp_path_factory), tmp_path / "run")
    holder = _start([sys.executable, "-c", _HOLD_LOCK, workdir], "locked")
    try:
        _assert_refused("cgan", workdir, holder.pid)
        table, error = _check_workdir(workdir, capsys)  # reads while the lock is held
        assert error is None and "all 2 checkpoint(s) verified" in table
    finally:
        holder.kill()
        holder.wait()
    assert os.path.exists(os.path.join(workdir, ".lock"))  # SIGKILL leaves the file
    with workdir_lock.WorkdirLock(workdir):  # ... and the next run takes it over
        pass


@pytest.mark.slow
def test_sigkilled_run_holding_the_lock_then_rerun_equals_straight(tmp_path, tmp_path_factory,
                                                                   monkeypatch):
    straight = helpers.straight("cgan", tmp_path_factory)
    workdir = str(tmp_path)
    hook = helpers.AFTER_CHECKPOINT.format(
        step=2, action='print("checkpoint 2", flush=True); time.sleep(600)')
    first = _start(helpers.command("cgan", workdir, hook), "checkpoint 2")
    try:
        _assert_refused("cgan", workdir, first.pid)  # two processes: the second refuses
    finally:
        first.send_signal(signal.SIGKILL)
        assert first.wait() == -signal.SIGKILL
    warnings = []
    monkeypatch.setattr(workdir_lock.logging, "warning",
                        lambda message, *args: warnings.append(message % args))
    helpers.train("cgan", workdir)  # takes the left-over lock over, resumes from ckpt-2
    taken_over = [line for line in warnings if "taking over the lock" in line]
    assert len(taken_over) == 1 and f"left by PID {first.pid} (no longer running" in taken_over[0]
    helpers.assert_same_final_checkpoint(straight, workdir)
