"""One training run per workdir: `<workdir>/.lock`, held by the process that writes the run.

The lock file holds JSON {"host", "pid", "start_time", "command"}. It is held with `fcntl.flock`,
which the kernel releases when the process ends in any way (even SIGKILL), so a lock file whose
flock is free was left by a process that is gone: it is taken over with a warning when it names
this host. A file naming another host is refused (flock does not reach across NFS clients
reliably, and that process may still be alive there): the message says how to remove it if it is
stale. Readers (evaluation, export, figures, check_workdir) never look at the lock.
"""

import errno
import fcntl
import json
import os
import socket
import sys
import time

from absl import logging

from an_tf.training.write_errors import write_failure

LOCK_FILE = ".lock"


class WorkdirLockedError(RuntimeError):
    """Another run holds the workdir (one line naming its host, PID and start time)."""


def _holder_text(holder):
    return (f"host {holder.get('host', '?')}, PID {holder.get('pid', '?')}, started "
            f"{holder.get('start_time', '?')}")


def _pid_alive(pid):
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, ValueError, TypeError):
        return True  # exists but is not ours, or unreadable: assume alive
    return True


class WorkdirLock:
    """Takes `<workdir>/.lock` for this process; `release()` (or leaving the `with`) frees it.

    Args:
        workdir: the run's directory (created if needed).

    Raises:
        WorkdirLockedError: a live process holds it, or the file names another host.
        training.write_errors.WorkdirWriteError: the lock file cannot be written (disk).
    """

    def __init__(self, workdir):
        self.path = os.path.join(workdir, LOCK_FILE)
        self._fd = None
        with write_failure("lock file", self.path, "nothing was trained"):
            os.makedirs(workdir, exist_ok=True)
            self._acquire()

    def _acquire(self):
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as error:
                os.close(fd)
                if error.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
                raise WorkdirLockedError(
                    f"workdir {os.path.dirname(self.path)} is in use by another run "
                    f"({_holder_text(self._read())}); wait for it to end or stop it") from None
            # The file may have been removed (released) between open and flock: retry on the new.
            if os.path.exists(self.path) and os.path.samestat(os.fstat(fd), os.stat(self.path)):
                break
            os.close(fd)
        self._fd = fd
        try:
            self._check_left_over()
        except BaseException:
            self._unlock()  # the other host's record stays as it is
            raise
        try:
            self._write()
        except BaseException:
            self.release()
            raise

    def _read(self):
        try:
            with open(self.path, encoding="utf-8") as stream:
                return json.load(stream)
        except (OSError, ValueError):
            return {}

    def _check_left_over(self):
        """A lock file whose flock was free: left by a process that ended without releasing."""
        holder = self._read()
        if not holder:
            return
        if holder.get("host") != socket.gethostname():
            raise WorkdirLockedError(
                f"workdir {os.path.dirname(self.path)} is locked by a run on another machine "
                f"({_holder_text(holder)}); if that run has ended, remove {self.path}")
        state = "no longer running" if not _pid_alive(holder.get("pid")) else "not holding it"
        logging.warning("taking over the lock %s left by PID %s (%s, started %s)", self.path,
                        holder.get("pid"), state, holder.get("start_time"))

    def _write(self):
        record = {"host": socket.gethostname(), "pid": os.getpid(),
                  "start_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                  "command": " ".join(sys.argv)}
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, json.dumps(record).encode("utf-8"), 0)
        os.fsync(self._fd)

    def release(self):
        """Removes the lock file and frees the flock (idempotent)."""
        if self._fd is None:
            return
        try:
            os.remove(self.path)  # first, so that nobody sees our stale record
        except OSError:
            pass  # gone or unwritable: the free flock still marks it as left over
        self._unlock()

    def _unlock(self):
        fcntl.flock(self._fd, fcntl.LOCK_UN)
        os.close(self._fd)
        self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.release()
