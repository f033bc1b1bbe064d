"""The 2015 TF Inception graph that the published ImageNet FID / IS numbers were computed with,
loaded from a local frozen GraphDef (nothing is downloaded at run time).

Two published files carry the same weights:
  inceptionv1_for_inception_score.pb (TF-GAN, compare_gan, SA-GAN): input "Mul:0" in [-1, 1] at
      299x299, outputs "pool_3:0" (B, 1, 1, 2048) and "logits:0" (B, 1008);
  classify_image_graph_def.pb (TTUR's FID code, OpenAI's IS code): input "ExpandDims:0" in
      [0, 255] (the graph resizes to 299 and maps (x - 128) / 128 itself), output "pool_3:0"; the
      IS logits are pool_3 @ W, W the weights of "softmax/logits/MatMul", no bias.

Shape letters: B batch, R image size, D features (2048), K classes (1008).
"""

import hashlib
import os

import tensorflow as tf

INCEPTION_SIZE = 299
PUBLISHED_AT = {
    "inceptionv1_for_inception_score.pb":
        "http://download.tensorflow.org/models/frozen_inception_v1_2015_12_05.tar.gz "
        "(TF-GAN / compare_gan)",
    "classify_image_graph_def.pb":
        "http://download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz (TTUR)",
}


class InceptionFileError(ValueError):
    """The --inception_path file is missing or is not one of the published graphs."""


def _expected_files(path, problem):
    choices = "; or ".join(f"{name} from {url}" for name, url in PUBLISHED_AT.items())
    return (f"{problem}: --inception_path={path} must be a 2015 Inception frozen graph: "
            f"{choices}; extract the .pb and pass its local path")


def file_hash(path, length=16):
    """The first `length` hex digits of the file's SHA-256 (the real-statistics cache key)."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:length]


def read_graph_def(path):
    """The GraphDef of `path`; InceptionFileError (one line) if missing or not a GraphDef."""
    if not os.path.isfile(path):
        raise InceptionFileError(_expected_files(path, "file not found"))
    graph_def = tf.compat.v1.GraphDef()
    try:
        with open(path, "rb") as stream:
            graph_def.ParseFromString(stream.read())
    except Exception:  # protobuf raises DecodeError or RuntimeWarning-like errors
        raise InceptionFileError(_expected_files(path, "not a frozen GraphDef")) from None
    return graph_def


def _graph_kind(graph_def, path):
    names = {node.name for node in graph_def.node}
    if "pool_3" in names and "Mul" in names and "logits" in names:
        return "tfgan"
    if "pool_3" in names and "ExpandDims" in names and "softmax/logits/MatMul" in names:
        return "ttur"
    raise InceptionFileError(_expected_files(path, "tensors Mul/ExpandDims, pool_3, logits "
                                                   "not found in the graph"))


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


class InceptionNetwork:
    """Callable uint8 images (B, R, R, 3) -> (pool_3 features (B, D), logits (B, K)), float32.

    Args:
        path: local path of one of the two published .pb files (see the module docstring).
    Attributes: kind ("tfgan" or "ttur"), path, hash (file SHA-256 prefix).
    """

    def __init__(self, path):
        graph_def = read_graph_def(path)
        self.path, self.kind = path, _graph_kind(graph_def, path)
        self.hash = file_hash(path)
        spec = tf.TensorSpec([None, INCEPTION_SIZE, INCEPTION_SIZE, 3], tf.float32)
        # wrap_function + import_graph_def: the TF2 way to run a frozen TF1 graph; input_map
        # replaces the graph's own input (and its JPEG decoding) by our batch.
        imported = tf.compat.v1.wrap_function(lambda x: self._import(graph_def, x), [spec])
        self._function = imported.prune(imported.inputs, imported.outputs)

    def _import(self, graph_def, images):
        input_name = "Mul:0" if self.kind == "tfgan" else "ExpandDims:0"
        outputs = ["pool_3:0", "logits:0"] if self.kind == "tfgan" else ["pool_3:0"]
        tensors = tf.graph_util.import_graph_def(graph_def, input_map={input_name: images},
                                                 return_elements=outputs, name="inception")
        features = tf.reshape(tensors[0], [tf.shape(images)[0], -1])  # (B,D)
        if self.kind == "tfgan":
            return features, tensors[1]
        matmul = tf.compat.v1.get_default_graph().get_operation_by_name(
            "inception/softmax/logits/MatMul")
        return features, tf.matmul(features, matmul.inputs[1])  # (B,K), no bias

    def __call__(self, images):
        resized = resize_like_tf1(images)  # (B,299,299,3) in [0,255]
        if self.kind == "tfgan":
            resized = (resized - 128.0) / 128.0  # what the other graph does after its ExpandDims
        features, logits = self._function(resized)
        return features, logits
