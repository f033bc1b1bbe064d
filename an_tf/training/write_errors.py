"""One-line errors for writes that fail because of the disk, not the code: full, read-only, gone.

TensorFlow reports such failures as op errors whose message ends with the OS's words, e.g.
`ResourceExhaustedError: .../ckpt-4_temp/part-00000-of-00001.data-...; No space left on device
[Op:SaveV2]` (ENOSPC, also from the summary writer's flush), `PermissionDeniedError: ...; Read-only
file system` (EROFS) or `NotFoundError` (a directory removed under the run); Python writes (PNGs,
config.json, the lock) raise `OSError` with an errno. `write_failure` turns either into one line
naming what was written, where, why, and the free space of the nearest existing parent directory.
"""

import contextlib
import errno
import os
import shutil

import tensorflow as tf

# TF op errors a failed write raises (TF maps ENOSPC/EDQUOT to ResourceExhausted, EROFS/EACCES to
# PermissionDenied, ENOENT to NotFound); others (InvalidArgument, ...) are bugs and keep their
# traceback.
_TF_WRITE_ERRORS = (tf.errors.ResourceExhaustedError, tf.errors.PermissionDeniedError,
                    tf.errors.NotFoundError, tf.errors.FailedPreconditionError,
                    tf.errors.DataLossError, tf.errors.UnavailableError)
_OS_WORDS = tuple(os.strerror(code) for code in (
    errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT, errno.EIO,
    errno.ENOTDIR, errno.EFBIG))


class WorkdirWriteError(OSError):
    """A file of the run could not be written (disk full, read-only, removed): one line."""

    exitcode = 1


def is_write_error(error):
    """True for an OSError or a TF op error of the kinds a failing disk produces."""
    return isinstance(error, (OSError,) + _TF_WRITE_ERRORS)


def free_space(path):
    """"<N> MB free on <dir>" for the nearest existing parent of `path` (or why unknown)."""
    directory = os.path.abspath(path)
    while not os.path.isdir(directory) and os.path.dirname(directory) != directory:
        directory = os.path.dirname(directory)
    try:
        usage = shutil.disk_usage(directory)
    except OSError as error:
        return f"free space of {directory} unknown ({error.strerror})"
    return f"{usage.free / 2**20:.1f} MB free of {usage.total / 2**20:.1f} MB on {directory}"


def _reason(error):
    """The OS's words for the failure ("No space left on device"), else the error's first line."""
    if isinstance(error, OSError) and error.errno is not None:
        return os.strerror(error.errno)
    text = str(getattr(error, "message", None) or error)
    for words in _OS_WORDS:
        if words.lower() in text.lower():
            return words
    first = text.strip().splitlines()[0] if text.strip() else ""
    return f"{type(error).__name__}: {first[:200]}"


def describe(what, path, error, consequence=""):
    """One line: "cannot write <what> <path>: <reason> (<free space>)<consequence>"."""
    return (f"cannot write {what} {path}: {_reason(error)} ({free_space(path)})"
            + (f"; {consequence}" if consequence else ""))


@contextlib.contextmanager
def write_failure(what, path, consequence=""):
    """Re-raises a disk-caused failure inside the block as a one-line `WorkdirWriteError`.

    Args:
        what: what is written, e.g. "checkpoint" or "config".
        path: the file or directory written.
        consequence: appended to the message, e.g. what is still safe and what to do.
    """
    try:
        yield
    except WorkdirWriteError:
        raise
    except Exception as error:  # noqa: BLE001 (only disk-caused errors are converted)
        if not is_write_error(error):
            raise
        raise WorkdirWriteError(describe(what, path, error, consequence)) from error
