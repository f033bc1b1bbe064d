"""One worker of a 2-worker MultiWorkerMirroredStrategy toy run (started by test_multi_worker.py).

Usage: python -m tests.training.multi_worker_main WORKER_INDEX PORT0,PORT1 WORKDIR STEPS OUT.npz
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main(index, ports, workdir, train_steps, output):
    os.environ["TF_CONFIG"] = json.dumps({
        "cluster": {"worker": [f"127.0.0.1:{port}" for port in ports.split(",")]},
        "task": {"type": "worker", "index": index}})
    import numpy as np  # pylint: disable=import-outside-toplevel

    from tests.training import toy_model  # pylint: disable=import-outside-toplevel

    result, model = toy_model.run_toy_training(workdir, train_steps, strategy="multi_worker")
    state = toy_model.model_state(model)
    np.savez(output, step=result.step, replicas=model.distribute_strategy.num_replicas_in_sync,
             **{name.replace("/", "__"): value for name, value in state.items()})


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
