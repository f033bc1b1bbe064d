"""Tests of save_model_atomically and restore_model_for_export."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf

from an_tf import training
from an_tf.training import checkpointing
from tests.training import toy_model

_LOAD_AND_RUN = """
import json, sys
import numpy as np
import tensorflow as tf
serve = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
outputs = serve(x=tf.constant(json.loads(sys.argv[2]), tf.float32))
assert "an_tf" not in sys.modules
print(json.dumps(outputs["y"].numpy().tolist()))
"""


class _Serving(tf.Module):
    """Serves a toy model: x float32 (N, F) -> {"y": (N,)}."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    @tf.function(input_signature=[tf.TensorSpec([None, toy_model.FEATURES], tf.float32, name="x")])
    def serve(self, x):
        return {"y": self.model(x)}


def _export(model, export_dir):
    serving = _Serving(model)
    return training.save_model_atomically(serving, str(export_dir),
                                          signatures={"serving_default": serving.serve})


def _leftovers(parent):
    return [name for name in os.listdir(parent) if name.startswith(".")]


def test_export_loads_in_a_fresh_process_without_an_tf(tmp_path):
    model = toy_model.build_toy_model()
    _export(model, tmp_path / "export")
    x, _ = toy_model.toy_examples()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH="")
    completed = subprocess.run(
        [sys.executable, "-c", _LOAD_AND_RUN, str(tmp_path / "export"), json.dumps(x[:3].tolist())],
        capture_output=True, text=True, timeout=120, cwd=str(tmp_path), env=env, check=True)
    served = np.array(json.loads(completed.stdout.strip().splitlines()[-1]))
    np.testing.assert_allclose(served, model(x[:3]).numpy(), rtol=1e-6)
    assert _leftovers(tmp_path) == []


def test_re_export_replaces_and_failed_export_keeps_the_old_one(tmp_path, monkeypatch):
    first, second = toy_model.build_toy_model(), toy_model.build_toy_model()
    for variable in second.weights:
        variable.assign(variable + 1.0)
    x, _ = toy_model.toy_examples()
    _export(first, tmp_path / "export")
    _export(second, tmp_path / "export")
    loaded = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    np.testing.assert_allclose(loaded(x=tf.constant(x))["y"].numpy(), second(x).numpy(), rtol=1e-6)

    def failing_save(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(tf.saved_model, "save", failing_save)
    with pytest.raises(OSError, match="disk full"):
        _export(first, tmp_path / "export")
    monkeypatch.undo()
    loaded = tf.saved_model.load(str(tmp_path / "export")).signatures["serving_default"]
    np.testing.assert_allclose(loaded(x=tf.constant(x))["y"].numpy(), second(x).numpy(), rtol=1e-6)
    assert _leftovers(tmp_path) == []


def test_export_refuses_to_replace_a_directory_that_is_not_a_saved_model(tmp_path):
    (tmp_path / "workdir").mkdir()
    (tmp_path / "workdir" / "config.json").write_text("{}")
    with pytest.raises(ValueError, match="exists and is not a SavedModel: not replacing it$"):
        _export(toy_model.build_toy_model(), tmp_path / "workdir")
    assert (tmp_path / "workdir" / "config.json").exists()


def test_restore_model_for_export_loads_the_latest_weights(tmp_path):
    trained = toy_model.build_toy_model()
    for variable in trained.weights:
        variable.assign(tf.fill(variable.shape, 0.5))
    checkpoint_dir = os.path.join(tmp_path, "checkpoints")
    training.Checkpointer(checkpoint_dir, **checkpointing.run_objects(trained)).save(12)
    fresh = toy_model.build_toy_model()
    assert training.restore_model_for_export(str(tmp_path), fresh) == 12
    for variable in fresh.weights:
        np.testing.assert_array_equal(variable.numpy(), np.full(variable.shape, 0.5))


def test_restore_model_for_export_without_checkpoint_names_the_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"no checkpoint in .*checkpoints: train with"):
        training.restore_model_for_export(str(tmp_path), toy_model.build_toy_model())
