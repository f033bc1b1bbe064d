"""Shared by the fault tests: the real pipelines with their smoke flagfiles (4 steps, checkpoints
at 2 and 4), one straight reference run per pipeline (shared with tests/experiments/
test_exact_resume.py), and training commands run in a subprocess with a fault-injecting hook."""

import contextlib
import os
import shutil
import subprocess
import sys

from tests.experiments import test_exact_resume as exact

REPO, STEPS, SCHEDULE, PIPELINES = exact.REPO, exact.STEPS, exact.SCHEDULE, exact.PIPELINES
train = exact._train  # in-process: library exceptions are raised, not turned into exit codes
straight = exact._straight  # (pipeline, tmp_path_factory) -> workdir of the uninterrupted run


def checkpoint(workdir, step):
    return os.path.join(workdir, "checkpoints", f"ckpt-{step}")


def assert_same_final_checkpoint(workdir_a, workdir_b):
    return exact.state_checks.assert_same_checkpoints(checkpoint(workdir_a, STEPS),
                                                      checkpoint(workdir_b, STEPS))


# The training command as `python -m experiments.<pipeline>` runs it (common_flags.run_main: real
# exit codes and one-line messages), after `hook` has patched the library to inject a fault.
_SCRIPT = """
import os, signal, sys, time
from an_tf.training import checkpointing, summaries
{hook}
from experiments import common_flags
from {module} import define_flags, main
define_flags()
common_flags.run_main(main)
"""

# Signal this process once the summaries of step {step} are written (summary_every=1).
SIGNAL_AT_STEP = """
scalars = summaries.SummaryWriter.scalars
def scalars_then_signal(self, step, values):
    scalars(self, step, values)
    if step == {step}:
        os.kill(os.getpid(), signal.{name})
summaries.SummaryWriter.scalars = scalars_then_signal
"""

# Run `{action}` right after checkpoint {step} is complete.
AFTER_CHECKPOINT = """
save = checkpointing.Checkpointer.save
def save_then_act(self, step):
    path = save(self, step)
    if step == {step}:
        {action}
    return path
checkpointing.Checkpointer.save = save_then_act
"""


def command(pipeline, workdir, hook, *extra):
    """The argv of the pipeline's training command with `hook` applied first."""
    module, flagfile, pipeline_flags = PIPELINES[pipeline]
    script = _SCRIPT.format(hook=hook, module=module.__name__)
    return [sys.executable, "-c", script, f"--flagfile={flagfile}", f"--workdir={workdir}",
            *pipeline_flags, *SCHEDULE, *extra]


def run_command(pipeline, workdir, hook, *extra):
    """Runs it to its end; returns the CompletedProcess (text stdout/stderr)."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    return subprocess.run(command(pipeline, workdir, hook, *extra), cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


def copy_run(workdir, destination):
    """A copy of a run directory (its checkpoints to damage)."""
    shutil.copytree(workdir, destination)
    return str(destination)


@contextlib.contextmanager
def small_tmpfs(path, size="8m"):
    """Mounts a tmpfs of `size` at `path` (root with mount rights), else yields None."""
    os.makedirs(path, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                             capture_output=True, check=False).returncode == 0 \
        if shutil.which("mount") else False
    try:
        yield str(path) if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)
