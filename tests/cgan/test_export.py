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


def test_with_layout_and_class_names(exported, tmp_path):
    generator, export_dir = exported
    loaded = tf.saved_model.load(export_dir)
    assert [n.decode() for n in
            loaded.signatures["class_names"]()["class_names"].numpy()] == ["0", "1", "2", "3"]
    z = np.random.default_rng(1).normal(size=(2, Z_DIM)).astype("float32")
    weights = np.array([[0, 1, 0, 0], [0.5, 0, 0, 0.5]], np.float32)
    out = loaded.signatures["with_layout"](z=tf.constant(z), class_weights=tf.constant(weights))
    images, layouts = generator(z, weights, training=False, return_layouts=True)
    np.testing.assert_allclose(out["images"].numpy(), np.asarray(images), atol=1e-5)
    layout = np.asarray(layouts[sorted(layouts)[0]])
    assert out["layout"].shape == layout.shape == (2, 32, 32, 4)
    np.testing.assert_allclose(out["layout"].numpy(), layout, atol=1e-5)
    one_hot = loaded.signatures["serving_default"](z=tf.constant(z[:1]),
                                                    labels=tf.constant([1], tf.int64))["images"]
    np.testing.assert_allclose(out["images"].numpy()[:1], one_hot.numpy(), atol=1e-4)
    named = export_generator(generator, str(tmp_path / "named"), class_names=list("abcd"))
    names = tf.saved_model.load(named).signatures["class_names"]()["class_names"].numpy()
    assert [n.decode() for n in names] == list("abcd")
    with pytest.raises(ValueError, match="class_names has 2 names, the generator has 4"):
        export_generator(generator, str(tmp_path / "bad"), class_names=["a", "b"])
