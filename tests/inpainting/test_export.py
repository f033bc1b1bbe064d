"""SavedModel round trip: fresh process without an_tf, saved_model_cli, per-example masks."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

from an_tf.inpainting import export
from an_tf.inpainting import inference
from tests.inpainting.helpers import tiny_generator

LOAD_WITHOUT_AN_TF = textwrap.dedent("""
    import sys
    sys.modules["an_tf"] = None  # any import of an_tf now fails
    import numpy as np
    import tensorflow as tf
    serve = tf.saved_model.load(sys.argv[1]).signatures["serving_default"]
    data = np.load(sys.argv[2])
    out = serve(images=tf.constant(data["images"]), masks=tf.constant(data["masks"]))
    np.save(sys.argv[3], out["completed"].numpy())
""")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    directory = tmp_path_factory.mktemp("export")
    generator = tiny_generator()
    export_dir = str(directory / "saved_model")
    export.export_generator(generator, export_dir)
    rng = np.random.default_rng(0)
    images = rng.uniform(0, 255, (2, 21, 30, 3)).astype(np.float32)  # odd size
    masks = np.zeros((2, 21, 30, 1), np.float32)
    masks[0, 2:9, 3:12] = 1.0
    masks[1, 10:20, 15:29] = 1.0  # a different hole per example
    np.savez(directory / "inputs.npz", images=images, masks=masks)
    return generator, export_dir, directory, images, masks


def expected_completion(generator, images, masks):
    outputs = inference.complete(generator, images / 127.5 - 1.0, masks)
    refined = (outputs["refined"].numpy() + 1.0) * 127.5
    return refined * masks + images * (1.0 - masks)


def test_loads_and_runs_in_a_fresh_process_without_an_tf(exported):
    generator, export_dir, directory, images, masks = exported
    output = directory / "completed.npy"
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    subprocess.run([sys.executable, "-c", LOAD_WITHOUT_AN_TF, export_dir,
                    str(directory / "inputs.npz"), str(output)], check=True, env=env,
                   cwd=str(directory))
    completed = np.load(output)
    assert completed.shape == images.shape and completed.dtype == np.float32
    np.testing.assert_allclose(completed, expected_completion(generator, images, masks), atol=1e-3)
    for index in range(2):  # each example keeps its own known pixels
        known = np.broadcast_to(masks[index] == 0, images[index].shape)
        np.testing.assert_array_equal(completed[index][known], images[index][known])
        assert not np.allclose(completed[index][~known], images[index][~known])


def test_saved_model_cli_runs_it(exported):
    _, export_dir, directory, images, masks = exported
    np.save(directory / "images.npy", images)
    np.save(directory / "masks.npy", masks)
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    subprocess.run(
        ["saved_model_cli", "run", "--dir", export_dir, "--tag_set", "serve",
         "--signature_def", "serving_default", "--inputs",
         f"images={directory / 'images.npy'};masks={directory / 'masks.npy'}",
         "--outdir", str(directory / "cli"), "--overwrite"],
        check=True, env=env, capture_output=True)
    assert np.load(directory / "cli" / "completed.npy").shape == images.shape


def test_serving_rejects_non_binary_masks(exported):
    _, export_dir, _, images, masks = exported
    serve = tf.saved_model.load(export_dir).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match="only 0"):
        serve(images=tf.constant(images), masks=tf.constant(masks * 0.5))


def test_with_layout_returns_coarse_refined_and_layout(exported):
    generator, export_dir, _, images, masks = exported
    out = tf.saved_model.load(export_dir).signatures["with_layout"](
        images=tf.constant(images), masks=tf.constant(masks))
    expected = inference.complete(generator, images / 127.5 - 1.0, masks, return_layout=True)
    np.testing.assert_allclose(out["completed"].numpy(),
                               expected_completion(generator, images, masks), atol=1e-3)
    for key in ("coarse", "refined"):
        np.testing.assert_allclose(out[key].numpy(), (expected[key].numpy() + 1) * 127.5,
                                   atol=1e-3)
    assert out["layout"].shape == (2, 6, 8, 4)  # 21x30 padded to 24x32, at 1/4 resolution


def test_no_layout_signature_without_an(tmp_path):
    export_dir = export.export_generator(tiny_generator(attention="none"), str(tmp_path / "m"))
    assert set(tf.saved_model.load(export_dir).signatures) == {"serving_default"}
