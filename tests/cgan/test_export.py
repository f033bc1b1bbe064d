"""an_tf.cgan.export: the SavedModel signature, validation, and loading without an_tf."""

import numpy as np
import pytest
import tensorflow as tf

from an_tf.cgan.export import export_generator
from tests.cgan.helpers import Z_DIM, run_in_fresh_python, tiny_generator


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    generator = tiny_generator()
    generator(tf.random.normal([2, Z_DIM]), tf.constant([0, 1]), training=True)  # moving stats
    export_dir = str(tmp_path_factory.mktemp("export") / "generator")
    export_generator(generator, export_dir)
    return generator, export_dir


def test_round_trip_in_a_fresh_process_without_an_tf(exported, tmp_path):
    generator, export_dir = exported
    z = np.random.default_rng(0).normal(size=(3, Z_DIM)).astype("float32")
    labels = np.array([0, 2, 3])
    expected = np.asarray(generator(z, labels, training=False))
    np.save(tmp_path / "z.npy", z)
    output = run_in_fresh_python(
        "import sys, numpy as np, tensorflow as tf\n"
        f"serve = tf.saved_model.load({export_dir!r}).signatures['serving_default']\n"
        f"images = serve(z=tf.constant(np.load({str(tmp_path / 'z.npy')!r})),\n"
        "               labels=tf.constant([0, 2, 3], tf.int64))['images']\n"
        f"np.save({str(tmp_path / 'images.npy')!r}, images.numpy())\n"
        "print(images.dtype.name, 'an_tf' in sys.modules)\n")
    assert output.split() == ["float32", "False"]
    np.testing.assert_allclose(np.load(tmp_path / "images.npy"), expected, atol=1e-5)


def test_signature(exported):
    _, export_dir = exported
    serve = tf.saved_model.load(export_dir).signatures["serving_default"]
    inputs = serve.structured_input_signature[1]
    assert inputs["z"].shape.as_list() == [None, Z_DIM] and inputs["z"].dtype == tf.float32
    assert inputs["labels"].shape.as_list() == [None] and inputs["labels"].dtype == tf.int64
    outputs = serve.structured_outputs
    assert list(outputs) == ["images"] and outputs["images"].shape.as_list() == [None, 32, 32, 3]


@pytest.mark.parametrize("labels, match", [
    ([0, 4], r"labels must be class indices in \[0, 4\)"),
    ([-1, 0], r"labels must be class indices in \[0, 4\)"),
    ([0, 1, 2], "same batch size"),
])
def test_bad_inputs_fail_clearly(exported, labels, match):
    _, export_dir = exported
    serve = tf.saved_model.load(export_dir).signatures["serving_default"]
    with pytest.raises(tf.errors.InvalidArgumentError, match=match):
        serve(z=tf.zeros([2, Z_DIM]), labels=tf.constant(labels, tf.int64))
