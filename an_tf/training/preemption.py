"""Preemption: on SIGTERM or SIGINT the run ends its current chunk, checkpoints, and exits 75.

Cloud VMs, TPU pods and Kubernetes stop a job with SIGTERM and a grace period; Ctrl-C sends
SIGINT. The handler only records the signal: Python runs signal handlers between bytecodes of the
main thread, never inside a running `tf.function`, so the current `train_function` call (one
step, or up to `steps_per_loop` steps) always completes. At the next chunk boundary the loop
writes a checkpoint at that step (unless one was just written) and raises `TrainingInterrupted`;
rerunning the same command resumes there and loses no step. Further signals while stopping are
logged and ignored, so a second Ctrl-C cannot interrupt the save (checkpoints are written
atomically anyway); SIGKILL remains the hard stop.

Exit code 75 (EX_TEMPFAIL in sysexits.h: "temporary failure, retry later") tells a scheduler that
the run stopped cleanly with its state saved and should simply be restarted; 128+15 = 143 or 130
would look like a process killed before it could save.

Under MultiWorkerMirroredStrategy the signal may reach one worker only: every worker takes part in
an all-reduce (sum) of its stop flag at each chunk boundary, so all stop and save at the same
step. `tf.distribute.experimental.PreemptionCheckpointHandler` is not used: it restores the latest
checkpoint itself when created (bypassing `verify` and the manifest check), numbers checkpoints by
its own count of `run` calls rather than our step, watches SIGTERM only, supports only
MultiWorkerMirrored and TPU strategies, and ends the process itself through its `exit_fn`.
"""

import signal
import threading

import tensorflow as tf
from absl import logging

EXIT_CODE = 75  # EX_TEMPFAIL
SIGNALS = (signal.SIGTERM, signal.SIGINT)


class TrainingInterrupted(Exception):  # noqa: N818 (not an error: the run stopped as asked)
    """The run stopped on a signal after writing a checkpoint; rerun the command to continue."""

    exitcode = EXIT_CODE


class StopSignals:
    """Records SIGTERM/SIGINT while installed (a context manager); `requested` asks all workers.

    Installed only from the main thread (Python's rule for signal handlers); elsewhere it is
    inactive and signals keep their default behaviour.
    """

    def __init__(self):
        self.signal_name = None
        self._previous = {}

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for number in SIGNALS:
                self._previous[number] = signal.signal(number, self._handle)
        return self

    def __exit__(self, *exc_info):
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._previous = {}

    def _handle(self, number, frame):
        del frame
        name = signal.Signals(number).name
        if self.signal_name is None:
            self.signal_name = name
            logging.warning("%s received: stopping after the current step(s) with a checkpoint "
                            "(exit code %d; rerun the command to continue)", name, EXIT_CODE)
        else:
            logging.warning("%s received while stopping: ignored, the checkpoint is being "
                            "written (SIGKILL stops at once)", name)

    def requested(self, strategy):
        """True if this process (or, under MultiWorkerMirrored, any worker) was signalled.

        Under MultiWorkerMirroredStrategy every worker must call it at the same steps: it runs a
        collective all-reduce.
        """
        local = self.signal_name is not None
        if not isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
            return local
        flags = strategy.experimental_distribute_values_from_function(
            lambda _: tf.constant(1.0 if local else 0.0))
        agreed = strategy.reduce(tf.distribute.ReduceOp.SUM, flags, axis=None)  # no MAX
        if float(agreed) > 0 and not local:
            self.signal_name = "a signal to another worker"
        return float(agreed) > 0
