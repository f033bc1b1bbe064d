"""experiments.demo --inpaint_workdir: the demo exports a training workdir itself before serving."""

import numpy as np
import pytest
import tensorflow as tf
from absl import app

from an_tf.inpainting import export
from an_tf.inpainting import pipeline
from experiments import demo
from tests.experiments.test_evaluate_inpaint import make_two_step_workdir


def _serve(module_or_signature, images, masks):
    return module_or_signature(images=tf.constant(images), masks=tf.constant(masks))


def test_inpaint_workdir_is_exported_from_its_latest_checkpoint(tmp_path):
    workdir = make_two_step_workdir(tmp_path, lambda v: v * 0.5)[0]
    export_dir = demo.export_workdir("inpaint", workdir, str(tmp_path / "export"))

    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (1, 32, 32, 3)).astype(np.float32)
    masks = np.zeros((1, 32, 32, 1), np.float32)
    masks[:, 8:24, 8:24] = 1.0
    served = _serve(tf.saved_model.load(export_dir).signatures["serving_default"],
                    images, masks)["completed"].numpy()
    by_step = {}
    for which in ("9", "7"):
        module = export.InpaintingServingModule(pipeline.restore_generator(workdir, which)[0])
        by_step[which] = _serve(module.serve, images, masks)["completed"].numpy()
    np.testing.assert_allclose(served, by_step["9"], atol=1e-3)
    assert np.abs(served - by_step["7"]).max() > 1.0  # the two steps are told apart


def test_missing_workdir_is_a_usage_error(tmp_path):
    with pytest.raises(app.UsageError, match="is not a directory"):
        demo.export_workdir("inpaint", str(tmp_path / "nowhere"), str(tmp_path / "export"))
