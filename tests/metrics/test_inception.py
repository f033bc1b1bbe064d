"""Loading the frozen Inception graphs (tiny stand-ins with the same tensor names) and the
published preprocessing: TF1 bilinear resizing to 299, both files giving the same features."""

import numpy as np
import pytest
import tensorflow as tf

from an_tf.metrics.inception import InceptionFileError, InceptionNetwork, resize_like_tf1
from tests.metrics import tiny_inception


def _tf1_bilinear(images, size):
    """numpy float64 TF1 resize_bilinear (align_corners=False, half_pixel_centers=False)."""
    images = np.asarray(images, np.float64)
    scale = images.shape[1] / size
    source = np.arange(size) * scale
    low = np.floor(source).astype(int)
    high = np.minimum(low + 1, images.shape[1] - 1)
    frac = source - low
    rows = images[:, low] * (1 - frac)[None, :, None, None] + images[:, high] * frac[None, :, None,
                                                                                     None]
    return rows[:, :, low] * (1 - frac)[None, None, :, None] + rows[:, :, high] * frac[
        None, None, :, None]


@pytest.fixture(scope="module")
def graphs(tmp_path_factory):
    directory = tmp_path_factory.mktemp("inception")
    paths = {"tfgan": str(directory / "inceptionv1_for_inception_score.pb"),
             "ttur": str(directory / "classify_image_graph_def.pb")}
    tiny_inception.write_tfgan_graph(paths["tfgan"])
    tiny_inception.write_ttur_graph(paths["ttur"])
    return paths


def _pixels(batch=3, size=8, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (batch, size, size, 3)).astype(np.uint8)


def test_resize_is_tf1_bilinear_not_half_pixel():
    pixels = _pixels()
    expected = _tf1_bilinear(pixels, 299)
    np.testing.assert_allclose(resize_like_tf1(pixels).numpy(), expected, atol=1e-3)
    half_pixel = tf.image.resize(tf.cast(pixels, tf.float32), [299, 299]).numpy()
    assert np.abs(half_pixel - expected).max() > 1.0  # the test can tell the two apart


@pytest.mark.parametrize("kind", ["tfgan", "ttur"])
def test_features_and_logits_match_a_numpy_reference(graphs, kind):
    network = InceptionNetwork(graphs[kind])
    assert network.kind == kind
    pixels = _pixels()
    features, logits = network(tf.constant(pixels))
    ref_features, ref_logits = tiny_inception.reference_outputs(
        (_tf1_bilinear(pixels, 299) - 128.0) / 128.0)
    np.testing.assert_allclose(features.numpy(), ref_features, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(logits.numpy(), ref_logits, rtol=1e-4, atol=1e-5)


def test_both_files_agree_and_hashes_differ(graphs):
    tfgan, ttur = InceptionNetwork(graphs["tfgan"]), InceptionNetwork(graphs["ttur"])
    pixels = tf.constant(_pixels(batch=2, size=16, seed=1))
    np.testing.assert_allclose(tfgan(pixels)[0].numpy(), ttur(pixels)[0].numpy(), atol=1e-5)
    assert len(tfgan.hash) == 16 and tfgan.hash != ttur.hash


def test_missing_file_names_the_expected_files(tmp_path):
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(tmp_path / "nope.pb"))
    message = str(error.value)
    assert "\n" not in message and "file not found" in message
    assert "inceptionv1_for_inception_score.pb" in message
    assert "classify_image_graph_def.pb" in message and "download.tensorflow.org" in message


@pytest.mark.parametrize("content", [b"\xff\xfe not a protobuf", b""])
def test_wrong_file_fails_with_one_line(tmp_path, content):
    path = tmp_path / "wrong.pb"
    path.write_bytes(content)
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(path))
    assert "\n" not in str(error.value)
