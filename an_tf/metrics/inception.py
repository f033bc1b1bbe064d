"""The 2015 TF Inception graph that the published ImageNet FID / IS numbers were computed with,
loaded from a local frozen GraphDef (nothing is downloaded at run time).

Two published files carry the same weights:
  inceptionv1_for_inception_score.pb (TF-GAN, compare_gan, SA-GAN): input "Mul:0" in [-1, 1] at
      299x299, outputs "pool_3:0" (B, 1, 1, 2048) and "logits:0" (B, 1008);
  classify_image_graph_def.pb (TTUR's FID code, OpenAI's IS code): input "ExpandDims:0" in
      [0, 255] (the graph resizes to 299 and maps (x - 128) / 128 itself), output "pool_3:0"; the
      IS logits are pool_3 @ W, W the weights of "softmax/logits/MatMul", no bias.

How the graph runs, and why. The files were written in 2015: GraphDef producer version below 9,
batch norms as the op BatchNormWithGlobalNormalization (removed at GraphDef version 9), joins as
the old Concat, every tensor's `_output_shapes` with batch size 1 (pool_3/_reshape reshapes to
[1, 2048]). A TF2 function (tf.compat.v1.wrap_function + import_graph_def, this module's earlier
way) executes the imported nodes at today's GraphDef version, which refuses the removed op. So the
graph runs as the published code runs it: imported into a tf.Graph of its own (whose version is
the file's, so TensorFlow runs its 2015 ops with their own kernels) and executed by a
tf.compat.v1.Session, as TTUR's fid.py, OpenAI's IS code and the ADM evaluation suite do. Rewriting
the old nodes into today's ops would change the arithmetic of every batch norm (different rounding,
and fusions by Grappler) and would have to foresee every other quirk of a file that cannot be
tested here; the Session runs whatever the file holds, as the published numbers were computed.
Batching: TTUR rewrites the static shapes of the tensors before pool_3 to batch None; here the
`_output_shapes` records are dropped before import and our batch (B, 299, 299, 3) is mapped onto
the input tensor, so every shape is inferred with batch B. Only pool_3 and the weights W are used,
never pool_3/_reshape. The TF1 bilinear resize to 299 runs inside the Session graph too, so that
only the small uint8 images cross into it.

Streaming: `InceptionNetwork` is called per batch inside the callers' tf.function (through
`DistributedMapper`, under the default, one-device or mirrored strategies): the call is a
tf.numpy_function that feeds the Session, on the caller's device (the graph is imported once per
replica device: each GPU of a MirroredStrategy runs its own copy; without a device, the Session's
default, GPU:0 if any). A TPU strategy cannot run it (host code inside a TPU program; TF-GAN
published a separate inceptionv1_for_inception_score_tpu.pb for TPUs). Throughput against the
function path, on graphs that both run: benchmarks/inception_throughput.py.

Shape letters: B batch, R image size, D features (2048), K classes (1008).
"""

import hashlib
import os
import threading

import numpy as np
import tensorflow as tf

INCEPTION_SIZE = 299
PUBLISHED_AT = {
    "inceptionv1_for_inception_score.pb":
        "http://download.tensorflow.org/models/frozen_inception_v1_2015_12_05.tar.gz "
        "(TF-GAN / compare_gan)",
    "classify_image_graph_def.pb":
        "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz (TTUR)",
}
_INPUT = {"tfgan": "Mul:0", "ttur": "ExpandDims:0"}
_OUTPUTS = {"tfgan": ["pool_3:0", "logits:0"], "ttur": ["pool_3:0", "softmax/logits/MatMul"]}
# (leading bytes, what the file is): formats users pass by mistake, named in the error.
_FOREIGN_FORMATS = (
    (b"PK\x03\x04", "a zip archive (a PyTorch .pth or a Keras .keras file?), not a frozen graph"),
    (b"\x89HDF\r\n\x1a\n", "an HDF5 file (Keras .h5 weights?), not a frozen graph"),
    (b"\x80\x02", "a Python pickle (a PyTorch .pth?), not a frozen graph"),
    (b"\x1f\x8b", "a gzip archive (the downloaded .tgz / .tar.gz?): extract the .pb from it"),
)


class InceptionFileError(ValueError):
    """The --inception_path file is missing or is not one of the published graphs."""


def _expected_files(path, problem):
    choices = "; or ".join(f"{name} from {url}" for name, url in PUBLISHED_AT.items())
    return (f"{problem}: --inception_path={path} must be a 2015 Inception frozen graph: "
            f"{choices}; extract the .pb and pass its local path")


def _first_line(error):
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def file_hash(path, length=16):
    """The first `length` hex digits of the file's SHA-256 (the real-statistics cache key)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:length]


def _foreign_format(path, head):
    """What the file is when it is recognisably not a frozen GraphDef, else None."""
    if os.path.basename(path) == "saved_model.pb":
        return "a SavedModel's saved_model.pb, not a frozen graph"
    for magic, description in _FOREIGN_FORMATS:
        if head.startswith(magic):
            return description
    if head[257:262] == b"ustar":
        return "a tar archive: extract the .pb from it"
    return None


def read_graph_def(path):
    """The GraphDef of `path`; InceptionFileError (one line) if missing or not a GraphDef."""
    if os.path.isdir(path):
        kind = ("a SavedModel directory" if os.path.exists(os.path.join(path, "saved_model.pb"))
                else "a directory")
        raise InceptionFileError(_expected_files(path, f"{kind}, not a frozen graph file"))
    if not os.path.isfile(path):
        raise InceptionFileError(_expected_files(path, "file not found"))
    with open(path, "rb") as stream:
        data = stream.read()
    if not data:
        raise InceptionFileError(_expected_files(path, "an empty file (an interrupted download?)"))
    foreign = _foreign_format(path, data[:512])
    if foreign:
        raise InceptionFileError(_expected_files(path, foreign))
    graph_def = tf.compat.v1.GraphDef()
    try:
        graph_def.ParseFromString(data)
    except Exception:  # protobuf raises DecodeError or RuntimeWarning-like errors
        raise InceptionFileError(_expected_files(
            path, "not a frozen GraphDef (a truncated download, or another format)")) from None
    return graph_def


def _graph_kind(graph_def, path):
    names = {node.name for node in graph_def.node}
    if "pool_3" in names and "Mul" in names and "logits" in names:
        return "tfgan"
    if "pool_3" in names and "ExpandDims" in names and "softmax/logits/MatMul" in names:
        return "ttur"
    raise InceptionFileError(_expected_files(
        path, "a GraphDef without the published graphs' tensors (Mul, pool_3, logits; or "
              "ExpandDims, pool_3, softmax/logits/MatMul): another network, or a truncated file"))


def check_inception_file(path):
    """"tfgan" or "ttur" for a usable graph file, else InceptionFileError (one line); reads the
    file only (no TF runtime needed: usable before training starts)."""
    return _graph_kind(read_graph_def(path), path)


def resize_like_tf1(images):
    """uint8 or float (B, R, R, 3) in [0, 255] -> float32 (B, 299, 299, 3), bilinear resizing
    without half-pixel centres (TF1's resize_bilinear, as the published evaluation code)."""
    return tf.raw_ops.ResizeBilinear(images=tf.cast(images, tf.float32),
                                     size=[INCEPTION_SIZE, INCEPTION_SIZE],
                                     align_corners=False, half_pixel_centers=False)


def _batch_agnostic(graph_def):
    """`graph_def` without its `_output_shapes` records (batch size 1 in the 2015 files; at import
    they would override the shapes inferred from our batch) nor device pins. In place."""
    for node in graph_def.node:
        if "_output_shapes" in node.attr:
            del node.attr["_output_shapes"]
        node.device = ""
    return graph_def


def _caller_device(images):
    """The device the caller's strategy traces this replica on ("/device:GPU:1"), None eagerly
    or without a device scope (the Session then places the graph itself)."""
    if tf.executing_eagerly():
        return None
    spec = tf.DeviceSpec.from_string(tf.identity(images).device or "")
    if spec.device_type is None:
        return None
    return f"/device:{spec.device_type}:{spec.device_index or 0}"


class InceptionNetwork:
    """Callable uint8 images (B, R, R, 3) -> (pool_3 features (B, D), logits (B, K)), float32;
    eagerly or inside a tf.function (see the module docstring for how it runs).

    Args:
        path: local path of one of the two published .pb files (see the module docstring).
    Attributes: kind ("tfgan" or "ttur"), path, hash (file SHA-256 prefix), num_features (D),
        num_classes (K).
    Raises InceptionFileError (one line) if the file is not a usable graph.
    """

    def __init__(self, path):
        graph_def = read_graph_def(path)
        self.path, self.kind = path, _graph_kind(graph_def, path)
        self.hash = file_hash(path)
        self._graph_def = _batch_agnostic(graph_def)
        self._graph = tf.Graph()
        # Soft placement: the CPU-only ops of a 2015 graph may sit next to GPU ones.
        self._session = tf.compat.v1.Session(
            graph=self._graph, config=tf.compat.v1.ConfigProto(allow_soft_placement=True))
        self._runs, self._lock = {}, threading.Lock()
        try:  # one image now, so that a damaged graph fails here in one line, not mid-evaluation
            features, logits = self._run(None, tf.uint8)(np.zeros((1, 8, 8, 3), np.uint8))
        except (ValueError, TypeError, KeyError, tf.errors.OpError) as error:
            raise InceptionFileError(_expected_files(
                path, f"the graph does not run ({_first_line(error)})")) from None
        self.num_features, self.num_classes = features.shape[-1], logits.shape[-1]

    def _run(self, device, dtype):
        """numpy images -> (features, logits) through the graph imported on `device` (once)."""
        key = (device, tf.as_dtype(dtype).name)
        with self._lock:  # a MirroredStrategy traces its replicas in parallel threads
            if key not in self._runs:
                self._runs[key] = self._import(device, tf.as_dtype(dtype))
            return self._runs[key]

    def _import(self, device, dtype):
        with self._graph.as_default(), tf.device(device):
            pixels = tf.compat.v1.placeholder(dtype, [None, None, None, 3], name="pixels")
            resized = resize_like_tf1(pixels)  # (B,299,299,3) in [0,255]
            if self.kind == "tfgan":
                resized = (resized - 128.0) / 128.0  # what the other graph does after ExpandDims
            # input_map: our batch replaces the graph's own input (and its JPEG decoding).
            pool, last = tf.graph_util.import_graph_def(
                self._graph_def, input_map={_INPUT[self.kind]: resized},
                return_elements=_OUTPUTS[self.kind], name="inception")
            batch = tf.shape(pixels)[0]
            features = tf.reshape(pool, [batch, -1])  # (B,D)
            if self.kind == "tfgan":
                logits = tf.reshape(last, [batch, -1])  # (B,K)
            else:  # `last` is the MatMul op: pool_3 @ its weights, no bias, as OpenAI's IS code
                logits = tf.matmul(features, last.inputs[1])  # (B,K)
        fetches = (features, logits)
        return lambda images: tuple(self._session.run(fetches, {pixels: images}))

    def __call__(self, images):
        images = tf.convert_to_tensor(images)
        run = self._run(_caller_device(images), images.dtype)
        features, logits = tf.numpy_function(run, [images], [tf.float32, tf.float32],
                                             name="inception_session")
        features.set_shape([images.shape[0], self.num_features])
        logits.set_shape([images.shape[0], self.num_classes])
        return features, logits
