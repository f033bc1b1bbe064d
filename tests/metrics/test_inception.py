"""Loading the frozen Inception graphs (tiny stand-ins with the same tensor names: modern-op ones,
and ones with the 2015 files' quirks) and the published preprocessing: TF1 bilinear resizing to
299, batched outputs equal to the published code's one-image-at-a-time run, both files giving the
same features, one-line errors for every other file."""

import numpy as np
import pytest
import tensorflow as tf

from an_tf.metrics.inception import InceptionFileError, InceptionNetwork, resize_like_tf1
from an_tf.metrics.streaming import DistributedMapper
from tests.metrics import tiny_inception

FILE_NAMES = {"tfgan": "inceptionv1_for_inception_score.pb", "ttur": "classify_image_graph_def.pb"}
WRITERS = {("modern", "tfgan"): tiny_inception.write_tfgan_graph,
           ("modern", "ttur"): tiny_inception.write_ttur_graph,
           ("quirky", "tfgan"): tiny_inception.write_quirky_tfgan_graph,
           ("quirky", "ttur"): tiny_inception.write_quirky_ttur_graph}
REFERENCES = {"tfgan": tiny_inception.tfgan_reference, "ttur": tiny_inception.ttur_reference}
CASES = sorted(WRITERS)


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
    """{(family, kind): path} of the four stand-ins, each under its published file name."""
    paths = {}
    for (family, kind), write in WRITERS.items():
        paths[family, kind] = str(tmp_path_factory.mktemp(family) / FILE_NAMES[kind])
        write(paths[family, kind])
    return paths


def _pixels(batch=3, size=8, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (batch, size, size, 3)).astype(np.uint8)


def _read(path):
    graph_def = tf.compat.v1.GraphDef()
    with open(path, "rb") as stream:
        graph_def.ParseFromString(stream.read())
    return graph_def


def test_resize_is_tf1_bilinear_not_half_pixel():
    pixels = _pixels()
    expected = _tf1_bilinear(pixels, 299)
    np.testing.assert_allclose(resize_like_tf1(pixels).numpy(), expected, atol=1e-3)
    half_pixel = tf.image.resize(tf.cast(pixels, tf.float32), [299, 299]).numpy()
    assert np.abs(half_pixel - expected).max() > 1.0  # the test can tell the two apart


def test_quirky_stand_ins_have_the_2015_files_quirks(graphs):
    for kind in ("tfgan", "ttur"):
        graph_def = _read(graphs["quirky", kind])
        nodes = {node.name: node for node in graph_def.node}
        assert graph_def.versions.producer < 9
        ops = {node.op for node in graph_def.node}
        assert {"BatchNormWithGlobalNormalization", "Concat", "DecodeJpeg"} <= ops
        assert "ConcatV2" not in ops and "FusedBatchNorm" not in ops
        contents = nodes["DecodeJpeg/contents"]
        assert contents.op == "Placeholder" and contents.attr["dtype"].type == tf.string
        assert nodes["ExpandDims"].input[0] == "Cast"
        assert "half_pixel_centers" not in nodes["ResizeBilinear"].attr
        batch_sizes = {tf.TensorShape(node.attr["_output_shapes"].list.shape[0])[0]
                       for node in graph_def.node
                       if node.op not in ("Const", "Placeholder", "DecodeJpeg", "Cast")}
        assert batch_sizes == {1}, kind  # every image tensor recorded with batch size 1
    nodes = {node.name: node for node in _read(graphs["quirky", "ttur"]).node}
    reshape = tf.make_ndarray(nodes["pool_3/_reshape/shape"].attr["value"].tensor)
    assert reshape.tolist() == [1, tiny_inception.FEATURES]
    assert nodes["softmax/logits/MatMul"].input[0] == "pool_3/_reshape"


def test_quirky_stand_in_fails_where_the_real_file_fails(graphs):
    """The quirks bite as the real file's do: the removed op is refused at today's GraphDef
    version (the earlier wrap_function path), the graph's own input takes one image only."""
    graph_def = _read(graphs["quirky", "ttur"])
    spec = tf.TensorSpec([None, 299, 299, 3], tf.float32)
    wrapped = tf.compat.v1.wrap_function(lambda x: tf.graph_util.import_graph_def(
        graph_def, input_map={"ExpandDims:0": x}, return_elements=["pool_3:0"]), [spec])
    with pytest.raises(tf.errors.UnimplementedError, match="BatchNormWithGlobalNormalization"):
        wrapped(tf.zeros([1, 299, 299, 3]))
    with tiny_inception.session_of(graphs["quirky", "ttur"]) as session:
        session.run("pool_3:0", {"ExpandDims:0": _pixels(batch=1).astype(np.float32)})
        with pytest.raises(ValueError, match=r"Cannot feed value of shape \(2, 8, 8, 3\)"):
            session.run("pool_3:0", {"ExpandDims:0": _pixels(batch=2).astype(np.float32)})


@pytest.mark.parametrize("family, kind", CASES)
def test_batched_outputs_equal_the_published_one_image_run(graphs, family, kind):
    network = InceptionNetwork(graphs[family, kind])
    assert network.kind == kind
    assert (network.num_features, network.num_classes) == (tiny_inception.FEATURES,
                                                          tiny_inception.CLASSES)
    pixels = _pixels(batch=5, size=12)
    ref_features, ref_logits = REFERENCES[kind](graphs[family, kind], pixels)
    assert np.ptp(ref_features, axis=0).max() > 1e-3  # the images give different features
    call = tf.function(network)
    for batch in (5, 1, 3):  # any batch size, eagerly and in a tf.function
        for features, logits in (network(pixels[:batch]), call(tf.constant(pixels[:batch]))):
            assert features.shape == (batch, tiny_inception.FEATURES)
            assert logits.shape == (batch, tiny_inception.CLASSES)
            np.testing.assert_allclose(features.numpy(), ref_features[:batch], rtol=1e-5,
                                       atol=1e-6)
            np.testing.assert_allclose(logits.numpy(), ref_logits[:batch], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("kind", ["tfgan", "ttur"])
def test_modern_stand_ins_match_a_numpy_reference(graphs, kind):
    features, logits = InceptionNetwork(graphs["modern", kind])(tf.constant(_pixels()))
    ref_features, ref_logits = tiny_inception.reference_outputs(
        (_tf1_bilinear(_pixels(), 299) - 128.0) / 128.0)
    np.testing.assert_allclose(features.numpy(), ref_features, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(logits.numpy(), ref_logits, rtol=1e-4, atol=1e-5)


def test_streamed_under_a_two_replica_strategy_and_from_float_pixels(graphs):
    network = InceptionNetwork(graphs["quirky", "ttur"])
    pixels = _pixels(batch=7, size=16, seed=2)
    expected = [output.numpy() for output in network(pixels)]
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    mapper = DistributedMapper(lambda image: dict(zip(("features", "logits"), network(image))),
                               strategy)
    for batch in (7, 4):  # an odd batch is padded across the replicas
        outputs = mapper(image=pixels[:batch])
        np.testing.assert_allclose(outputs["features"], expected[0][:batch], rtol=1e-6)
        np.testing.assert_allclose(outputs["logits"], expected[1][:batch], rtol=1e-6, atol=1e-6)
    floats = network(pixels.astype(np.float32))
    np.testing.assert_allclose(floats[0].numpy(), expected[0], rtol=1e-6)


def test_both_files_agree_and_hashes_differ(graphs):
    tfgan = InceptionNetwork(graphs["modern", "tfgan"])
    ttur = InceptionNetwork(graphs["modern", "ttur"])
    pixels = tf.constant(_pixels(batch=2, size=16, seed=1))
    np.testing.assert_allclose(tfgan(pixels)[0].numpy(), ttur(pixels)[0].numpy(), atol=1e-5)
    assert len(tfgan.hash) == 16 and tfgan.hash != ttur.hash


# --- one line for every other file -------------------------------------------------------------

def _assert_one_line_naming_the_published_files(error, problem):
    message = str(error.value)
    assert "\n" not in message and problem in message, message
    for name in ("inceptionv1_for_inception_score.pb", "classify_image_graph_def.pb",
                 "http://download.tensorflow.org/models/frozen_inception_v1_2015_12_05.tar.gz",
                 "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz"):
        assert name in message


def test_missing_file_names_the_expected_files(tmp_path):
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(tmp_path / "nope.pb"))
    _assert_one_line_naming_the_published_files(error, "file not found")


@pytest.mark.parametrize("content, problem", [(b"\xff\xfe not a protobuf", "not a frozen GraphDef"),
                                              (b"", "an empty file")])
def test_wrong_file_fails_with_one_line(tmp_path, content, problem):
    path = tmp_path / "wrong.pb"
    path.write_bytes(content)
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(path))
    _assert_one_line_naming_the_published_files(error, problem)


def test_graph_with_other_tensor_names(tmp_path):
    graph = tf.Graph()
    with graph.as_default():
        x = tf.compat.v1.placeholder(tf.float32, [None, 299, 299, 3], name="input")
        tf.reduce_mean(x, axis=[1, 2], name="output")
    path = tmp_path / "mobilenet.pb"
    path.write_bytes(graph.as_graph_def().SerializeToString())
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(path))
    _assert_one_line_naming_the_published_files(error, "without the published graphs' tensors")


def test_saved_model_directory_and_its_saved_model_pb(tmp_path):
    module = tf.Module()
    module.double = tf.function(lambda x: 2 * x, input_signature=[tf.TensorSpec([], tf.float32)])
    tf.saved_model.save(module, str(tmp_path / "inception_v3"))
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(tmp_path / "inception_v3"))
    _assert_one_line_naming_the_published_files(error, "a SavedModel directory")
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(tmp_path / "inception_v3" / "saved_model.pb"))
    _assert_one_line_naming_the_published_files(error, "a SavedModel's saved_model.pb")


def test_pth_files_zip_and_legacy_pickle(tmp_path):
    import pickle  # noqa: PLC0415
    import zipfile  # noqa: PLC0415

    path = tmp_path / "pt_inception-2015-12-05.pth"
    with zipfile.ZipFile(path, "w") as archive:  # torch.save's format since PyTorch 1.6
        archive.writestr("pt_inception/data.pkl", pickle.dumps({"fc.weight": [0.0]}, protocol=2))
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(path))
    _assert_one_line_naming_the_published_files(error, "a PyTorch .pth")
    path.write_bytes(pickle.dumps({"fc.weight": [0.0]}, protocol=2))  # torch.save before 1.6
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(path))
    _assert_one_line_naming_the_published_files(error, "a PyTorch .pth")


def test_keras_h5_file(tmp_path):
    import keras  # noqa: PLC0415

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    path = tmp_path / "inception_v3.weights.h5"
    model.save_weights(str(path))
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(path))
    _assert_one_line_naming_the_published_files(error, "Keras .h5")


def test_downloaded_archive_instead_of_the_pb(graphs, tmp_path):
    import tarfile  # noqa: PLC0415

    path = tmp_path / "inception-2015-12-05.tgz"
    with tarfile.open(path, "w:gz") as archive:
        archive.add(graphs["quirky", "ttur"], arcname="classify_image_graph_def.pb")
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(path))
    _assert_one_line_naming_the_published_files(error, "extract the .pb")


@pytest.mark.parametrize("fraction", [0.5, 0.97])
def test_truncated_download(graphs, tmp_path, fraction):
    data = open(graphs["quirky", "ttur"], "rb").read()
    path = tmp_path / "classify_image_graph_def.pb"
    path.write_bytes(data[:int(len(data) * fraction)])
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(path))
    _assert_one_line_naming_the_published_files(error, "truncated")


def test_truncated_at_a_node_boundary(graphs, tmp_path):
    """A cut between two nodes parses: the nodes after it (and the versions, serialized after
    the nodes) are missing."""
    graph_def = _read(graphs["quirky", "ttur"])
    del graph_def.node[[node.name for node in graph_def.node].index("softmax/logits/MatMul"):]
    graph_def.ClearField("versions")
    path = tmp_path / "classify_image_graph_def.pb"
    path.write_bytes(graph_def.SerializeToString())
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(path))
    _assert_one_line_naming_the_published_files(error, "truncated")


def test_graph_with_the_names_that_does_not_run(graphs, tmp_path):
    graph_def = _read(graphs["quirky", "ttur"])
    for node in graph_def.node:
        if node.name == "mixed/join":
            node.input[1] = "no_such_node"
    path = tmp_path / "classify_image_graph_def.pb"
    path.write_bytes(graph_def.SerializeToString())
    with pytest.raises(InceptionFileError) as error:
        InceptionNetwork(str(path))
    _assert_one_line_naming_the_published_files(error, "the graph does not run")
