"""2-worker MultiWorkerMirroredStrategy (127.0.0.1): SIGTERM reaches worker 1 only, after step 3;
both workers agree (all-reduce of the stop flag), stop at step 3, the chief writes ckpt-3, and both
exit with code 75."""

import json
import os
import sys

from an_tf.training import run_dir
from tests.training.test_multi_worker import _free_ports, run_workers

_WORKER = """
import json, os, signal, sys
os.environ["TF_CONFIG"] = json.dumps({{"cluster": {{"worker": {workers}}},
                                      "task": {{"type": "worker", "index": {index}}}}})
from an_tf.training import preemption, summaries
from tests.training import toy_model
scalars = summaries.SummaryWriter.scalars
def scalars_then_signal(self, step, values):
    scalars(self, step, values)
    if step == 3 and {index} == 1:
        os.kill(os.getpid(), signal.SIGTERM)
summaries.SummaryWriter.scalars = scalars_then_signal
try:
    toy_model.run_toy_training({workdir!r}, 6, strategy="multi_worker", summary_every=1)
except preemption.TrainingInterrupted as stop:
    print("STOPPED", stop, flush=True)
    sys.exit(stop.exitcode)
"""


def test_a_signal_to_one_worker_stops_all_at_the_same_step(tmp_path):
    workers = [f"127.0.0.1:{port}" for port in _free_ports(2)]
    processes, logs = run_workers(
        [[sys.executable, "-c", _WORKER.format(workers=json.dumps(workers), index=index,
                                               workdir=str(tmp_path))] for index in range(2)],
        600)
    assert [process.returncode for process in processes] == [75, 75], logs[0][-2000:]
    # (The chief's line may follow its progress bar on the same line.)
    stopped = [line[line.index("STOPPED"):] for log in logs for line in log.splitlines()
               if "STOPPED" in line]
    assert stopped[0].startswith("STOPPED stopped by a signal to another worker at step 3 of 6")
    assert stopped[1].startswith("STOPPED stopped by SIGTERM at step 3 of 6")
    latest = run_dir.checkpoint_directory(str(tmp_path))
    assert os.path.exists(os.path.join(latest, "ckpt-3.index"))
    assert not os.path.exists(os.path.join(tmp_path, ".lock"))
