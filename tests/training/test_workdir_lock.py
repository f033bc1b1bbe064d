"""Tests of training.workdir_lock: one writing run per workdir, left-over locks taken over,
another host's lock refused, readers never blocked. (Two real training processes:
tests/faults/test_two_runs.py.)"""

import json
import os
import socket

import pytest

from an_tf.training import workdir_lock
from an_tf.training.workdir_lock import WorkdirLock, WorkdirLockedError


def _write_record(workdir, **record):
    (workdir / ".lock").write_text(json.dumps(record))


def test_the_lock_records_its_holder_and_is_removed_on_release(tmp_path):
    with WorkdirLock(str(tmp_path)) as lock:
        record = json.loads((tmp_path / ".lock").read_text())
        assert record["pid"] == os.getpid() and record["host"] == socket.gethostname()
        assert record["start_time"] and "command" in record
        with pytest.raises(WorkdirLockedError, match=rf"in use by another run \(host "
                           rf"{socket.gethostname()}, PID {os.getpid()}, started "):
            WorkdirLock(str(tmp_path))  # a second open file: flock refuses it as another run's
    assert not (tmp_path / ".lock").exists()
    lock.release()  # idempotent
    WorkdirLock(str(tmp_path)).release()  # free again


def test_a_lock_left_by_a_dead_process_is_taken_over_with_a_warning(tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(workdir_lock.logging, "warning",
                        lambda message, *args: warnings.append(message % args))
    _write_record(tmp_path, host=socket.gethostname(), pid=2**22 + 12345,
                  start_time="2026-01-01T00:00:00Z", command="python -m experiments.cgan")
    with WorkdirLock(str(tmp_path)):
        assert json.loads((tmp_path / ".lock").read_text())["pid"] == os.getpid()
    assert len(warnings) == 1 and f"left by PID {2**22 + 12345} (no longer running" in warnings[0]


def test_a_lock_of_another_host_is_refused_with_how_to_remove_it(tmp_path):
    _write_record(tmp_path, host="elsewhere", pid=1, start_time="2026-01-01T00:00:00Z")
    with pytest.raises(WorkdirLockedError, match=r"locked by a run on another machine \(host "
                       r"elsewhere, PID 1, started 2026-01-01T00:00:00Z\); if that run has ended, "
                       r"remove .*\.lock"):
        WorkdirLock(str(tmp_path))
    assert json.loads((tmp_path / ".lock").read_text())["host"] == "elsewhere"  # left alone
