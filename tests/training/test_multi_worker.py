"""A 2-worker MultiWorkerMirroredStrategy run on 127.0.0.1 matches the default strategy."""

import os
import socket
import subprocess
import sys
import time

import numpy as np

from an_tf.training import checkpointing
from tests.training import toy_model

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_TIMEOUT_SECONDS = 120


def run_workers(commands, timeout):
    """Runs the worker commands at once from the repository (on its PYTHONPATH); (processes,
    combined output of each) once all have ended, every one still running after `timeout`
    seconds killed."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=_REPO)
    processes = [subprocess.Popen(command, cwd=_REPO, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True) for command in commands]
    deadline = time.time() + timeout
    try:
        logs = [process.communicate(timeout=max(deadline - time.time(), 1))[0]
                for process in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    return processes, logs


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def _run_workers(workdir, train_steps, outputs):
    """Starts both workers, waits (bounded), returns the loaded .npz of each."""
    ports = ",".join(str(port) for port in _free_ports(2))
    processes, logs = run_workers(
        [[sys.executable, "-m", "tests.training.multi_worker_main", str(index), ports,
          str(workdir), str(train_steps), str(outputs[index])] for index in range(2)],
        _TIMEOUT_SECONDS)
    for process, log in zip(processes, logs):
        assert process.returncode == 0, log[-3000:]
    return [dict(np.load(path)) for path in outputs]


def test_two_workers_match_default_strategy_and_resume(tmp_path):
    workdir = tmp_path / "multi"
    _run_workers(workdir, 2, [tmp_path / "w0a.npz", tmp_path / "w1a.npz"])
    results = _run_workers(workdir, 4, [tmp_path / "w0.npz", tmp_path / "w1.npz"])
    _, default_model = toy_model.run_toy_training(tmp_path / "default", 4)
    expected = toy_model.model_state(default_model)
    for result in results:
        assert int(result["step"]) == 4 and int(result["replicas"]) == 2
        for name, value in expected.items():
            np.testing.assert_allclose(result[name.replace("/", "__")], value, rtol=1e-5,
                                       atol=1e-6, err_msg=name)
    assert sorted(os.listdir(workdir / "checkpoints")) == [
        "checkpoint", "ckpt-2.data-00000-of-00001", "ckpt-2.index",
        "ckpt-4.data-00000-of-00001", "ckpt-4.index"]
    assert not [name for name in os.listdir(workdir) if name.startswith(".tmp_")]
    # Every variable of the model and its optimizer is in the chief's checkpoint.
    saved = checkpointing.load_saved_state(str(workdir / "checkpoints" / "ckpt-4"))
    assert "model/optimizer/iterations" in saved and int(saved["model/optimizer/iterations"]) == 4
