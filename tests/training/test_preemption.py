"""Tests of preemption on the toy model: SIGTERM/SIGINT during run_training end the current chunk,
checkpoint that step, raise TrainingInterrupted (exit code 75), and a rerun ends bit-identical to a
straight run. (The real pipelines, in subprocesses: tests/faults/test_preemption.py.)"""

import os
import signal

import pytest
import tensorflow as tf

from an_tf.training import checkpointing, preemption
from tests.training import toy_model


def _signal_at(step_to_signal, number):
    """A sample_fn (called every step with sample_every=1) that signals this process once."""

    def sample_fn(model, step):
        del model
        if step == step_to_signal:
            os.kill(os.getpid(), number)
        return {}

    return sample_fn


def _run(workdir, train_steps, sample_fn=None, **overrides):
    from an_tf import training  # noqa: PLC0415
    models = []

    def build():
        models.append(toy_model.build_toy_model(noise_stddev=0.1))
        return models[-1]

    settings = dict(checkpoint_every=4, summary_every=2, sample_every=1)
    settings.update(overrides)
    config = training.TrainingConfig(workdir=str(workdir), train_steps=train_steps, batch_size=4,
                                     **settings)
    result = training.run_training(config, build, toy_model.make_toy_dataset_fn(4),
                                   sample_fn=sample_fn)
    return result, models[-1]


@pytest.fixture(scope="module")
def straight(tmp_path_factory):
    return _run(tmp_path_factory.mktemp("straight"), 8)[1]


@pytest.mark.parametrize("number, steps_per_loop, stop_step", [
    (signal.SIGTERM, 1, 3),  # after step 3, a checkpoint at step 3 (checkpoint_every=4)
    (signal.SIGINT, 2, 6),  # with chunks of 2 steps (samples at chunk ends only)
])
def test_signal_checkpoints_the_step_and_rerun_equals_straight(tmp_path, straight, number,
                                                               steps_per_loop, stop_step):
    handler_before = signal.getsignal(number)
    with pytest.raises(preemption.TrainingInterrupted,
                       match=rf"stopped by {signal.Signals(number).name} at step {stop_step} of 8: "
                             rf"checkpoint .*ckpt-{stop_step} written; run the same command"):
        _run(tmp_path, 8, _signal_at(stop_step, number), steps_per_loop=steps_per_loop,
             sample_every=steps_per_loop)
    assert preemption.TrainingInterrupted.exitcode == 75
    assert signal.getsignal(number) is handler_before  # handlers restored
    assert not os.path.exists(tmp_path / ".lock")  # lock released
    latest = tf.train.latest_checkpoint(str(tmp_path / "checkpoints"))
    assert checkpointing.checkpoint_step(latest) == stop_step
    result, resumed = _run(tmp_path, 8, steps_per_loop=steps_per_loop)
    assert result.step == 8
    toy_model.assert_same_state(straight, resumed)


def test_a_second_signal_while_saving_is_ignored(tmp_path, monkeypatch):
    save = checkpointing.Checkpointer.save

    def save_interrupted(self, step):
        os.kill(os.getpid(), signal.SIGINT)  # arrives during the preemption checkpoint
        return save(self, step)

    monkeypatch.setattr(checkpointing.Checkpointer, "save", save_interrupted)
    with pytest.raises(preemption.TrainingInterrupted, match="SIGTERM at step 3"):
        _run(tmp_path, 8, _signal_at(3, signal.SIGTERM))
    from an_tf.training import verify  # noqa: PLC0415
    path = verify.checkpoint_to_resume(str(tmp_path), fix=False)
    assert path.endswith("ckpt-3") and verify.verify_checkpoint(path) is None


def test_a_signal_on_a_finished_chunk_at_the_end_just_finishes(tmp_path):
    result, _ = _run(tmp_path, 4, _signal_at(4, signal.SIGTERM))
    assert result.step == 4  # the last step was done: nothing to stop


_MULTI_WORKER_AGREEMENT = """
import signal
import tensorflow as tf
from an_tf.training import preemption
strategy = tf.distribute.MultiWorkerMirroredStrategy()  # no TF_CONFIG: one worker
with preemption.StopSignals() as stop:
    before = stop.requested(strategy)
    signal.raise_signal(signal.SIGTERM)
    print(before, stop.requested(strategy), stop.signal_name)
"""


def test_multi_worker_stop_flag_goes_through_the_all_reduce():
    """The collective path of `requested` runs (one worker; two workers: test_multi_worker)."""
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    env.pop("TF_CONFIG", None)
    result = subprocess.run([sys.executable, "-c", _MULTI_WORKER_AGREEMENT], env=env,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["False", "True", "SIGTERM"]
