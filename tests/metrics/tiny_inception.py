"""Tiny frozen graphs with the tensor names of the two published Inception files, so the loading
code is tested without the real weights.

Two families:
- modern-op stand-ins (`write_tfgan_graph`, `write_ttur_graph`): built with today's ops;
  features = mean over positions of relu(x @ A) (D = 6), logits = features @ W (K = 5), with a
  numpy reference (`reference_outputs`).
- quirky stand-ins (`write_quirky_ttur_graph`, `write_quirky_tfgan_graph`): written node by node
  with the 2015 file's quirks: GraphDef producer 8 (< 9), batch norms as the removed op
  `BatchNormWithGlobalNormalization`, joins as the old `Concat` (concat_dim first), every node's
  `_output_shapes` with batch size 1, `pool_3/_reshape` to [1, D], a string `DecodeJpeg/contents`
  placeholder -> DecodeJpeg -> Cast -> ExpandDims -> ResizeBilinear (no half_pixel_centers attr)
  -> Sub 128 -> Mul 1/128, and `softmax/logits/MatMul` fed by `pool_3/_reshape`. Their reference is
  the published code's own way of running them (`ttur_reference`, `tfgan_reference`).
"""

import numpy as np
import tensorflow as tf

FEATURES, CLASSES = 6, 5
RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, FEATURES)).astype(np.float32)
W = RNG.normal(size=(FEATURES, CLASSES)).astype(np.float32)
QUIRKY_PRODUCER = 8  # BatchNormWithGlobalNormalization was removed from GraphDefs at version 9


def reference_outputs(normalized):
    """numpy float64 features and logits of (B, 299, 299, 3) inputs in [-1, 1]."""
    hidden = np.maximum(np.asarray(normalized, np.float64) @ A, 0.0)  # (B,299,299,D)
    features = hidden.mean(axis=(1, 2))  # (B,D)
    return features, features @ W


def _network(x):
    # A 1x1 convolution, like the real graph's: no reshape with a batch size baked in.
    hidden = tf.nn.relu(tf.nn.conv2d(x, tf.constant(A[None, None]), 1, "VALID"))
    return tf.reduce_mean(hidden, axis=[1, 2], keepdims=True, name="pool_3")  # (B,1,1,D)


def write_tfgan_graph(path):
    """inceptionv1_for_inception_score.pb's interface: Mul:0 in, pool_3:0 and logits:0 out."""
    graph = tf.Graph()
    with graph.as_default():
        jpeg = tf.compat.v1.placeholder(tf.float32, [None, 299, 299, 3], name="input")
        mul = tf.multiply(jpeg, 1.0, name="Mul")
        pool = _network(mul)
        tf.matmul(tf.reshape(pool, [-1, FEATURES]), tf.constant(W), name="logits")
    _write(graph, path)


def write_ttur_graph(path):
    """classify_image_graph_def.pb's interface: a JPEG-like placeholder, ExpandDims:0 (0-255),
    the graph's own resize and (x - 128) / 128, pool_3:0, softmax/logits/MatMul."""
    graph = tf.Graph()
    with graph.as_default():
        contents = tf.compat.v1.placeholder(tf.float32, [None, None, 3], name="DecodeJpeg/contents")
        expanded = tf.expand_dims(contents, 0, name="ExpandDims")
        resized = tf.compat.v1.image.resize_bilinear(expanded, [299, 299], name="ResizeBilinear")
        normalized = tf.multiply(tf.subtract(resized, 128.0, name="Sub"), 1 / 128.0, name="Mul")
        pool = _network(normalized)
        with tf.compat.v1.name_scope("softmax/logits/"):
            tf.matmul(tf.reshape(pool, [1, FEATURES]), tf.constant(W), name="MatMul")
    _write(graph, path)


def _write(graph, path):
    with open(path, "wb") as stream:
        stream.write(graph.as_graph_def().SerializeToString())


# --- the quirky stand-ins: NodeDefs written by hand (today's Python API refuses the old ops) ----

def _attr(value):
    attr = tf.compat.v1.AttrValue()
    if isinstance(value, tf.DType):
        attr.type = value.as_datatype_enum
    elif isinstance(value, bool):
        attr.b = value
    elif isinstance(value, int):
        attr.i = value
    elif isinstance(value, float):
        attr.f = value
    elif isinstance(value, (str, bytes)):
        attr.s = value.encode() if isinstance(value, str) else value
    elif isinstance(value, list):
        attr.list.i.extend(value)
    elif isinstance(value, tf.TensorShape):
        attr.shape.CopyFrom(value.as_proto())
    else:  # a numpy array: a constant's value
        attr.tensor.CopyFrom(tf.make_tensor_proto(value))
    return attr


class _Nodes:
    """Appends 2015-style NodeDefs (only the attrs the ops had then) to a GraphDef."""

    def __init__(self, seed=1):
        self.graph_def = tf.compat.v1.GraphDef()
        self.graph_def.versions.producer = QUIRKY_PRODUCER
        self.rng = np.random.default_rng(seed)

    def add(self, name, op, inputs=(), **attrs):
        node = self.graph_def.node.add(name=name, op=op, input=list(inputs))
        for key, value in attrs.items():
            node.attr[key].CopyFrom(_attr(value))
        return name

    def const(self, name, value):
        value = np.asarray(value)
        return self.add(name, "Const", dtype=tf.as_dtype(value.dtype), value=value)

    def binary(self, name, op, x, constant):
        return self.add(name, op, [x, self.const(f"{name}/y", np.float32(constant))],
                        T=tf.float32)

    def conv_bn_relu(self, scope, x, in_channels, out_channels, size, stride, padding):
        """conv2d -> BatchNormWithGlobalNormalization -> Relu, named like the 2015 graph."""
        kernel = self.rng.normal(0, 0.5, (size, size, in_channels, out_channels))
        conv = self.add(f"{scope}/Conv2D", "Conv2D",
                        [x, self.const(f"{scope}/conv2d_params", kernel.astype(np.float32))],
                        T=tf.float32, strides=[1, stride, stride, 1], padding=padding,
                        use_cudnn_on_gpu=True)
        stats = {"moving_mean": self.rng.normal(0, 0.3, out_channels),
                 "moving_variance": self.rng.uniform(0.5, 2.0, out_channels),
                 "beta": self.rng.normal(0.1, 0.1, out_channels),
                 "gamma": self.rng.uniform(0.5, 1.5, out_channels)}
        inputs = [conv] + [self.const(f"{scope}/batchnorm/{key}", value.astype(np.float32))
                           for key, value in stats.items()]
        norm = self.add(f"{scope}/batchnorm", "BatchNormWithGlobalNormalization", inputs,
                        T=tf.float32, variance_epsilon=0.001, scale_after_normalization=True)
        return self.add(scope, "Relu", [norm], T=tf.float32)

    def pool(self, name, op, x, size, stride):
        return self.add(name, op, [x], T=tf.float32, ksize=[1, size, size, 1],
                        strides=[1, stride, stride, 1], padding="VALID")


def _quirky_front(nodes):
    """DecodeJpeg/contents (string) -> ... -> Mul: the 2015 graph's own input and preprocessing."""
    nodes.add("DecodeJpeg/contents", "Placeholder", dtype=tf.string, shape=tf.TensorShape([]))
    nodes.add("DecodeJpeg", "DecodeJpeg", ["DecodeJpeg/contents"], channels=3, ratio=1,
              fancy_upscaling=True, try_recover_truncated=False, acceptable_fraction=1.0)
    nodes.add("Cast", "Cast", ["DecodeJpeg"], SrcT=tf.uint8, DstT=tf.float32)
    nodes.add("ExpandDims", "ExpandDims", ["Cast", nodes.const("ExpandDims/dim", np.int32(0))],
              T=tf.float32)
    nodes.add("ResizeBilinear", "ResizeBilinear",
              ["ExpandDims", nodes.const("ResizeBilinear/size", np.int32([299, 299]))],
              T=tf.float32, align_corners=False)
    return nodes.binary("Mul", "Mul", nodes.binary("Sub", "Sub", "ResizeBilinear", 128.0),
                        1 / 128.0)


def _quirky_body(nodes, x):
    """299 -> conv 3x3/2 (149) -> max pool 3x3/2 (74) -> mixed (1x1 and 3x3 towers, Concat)
    -> pool_3, an average pool over all 74x74 positions: (1, 1, 1, D)."""
    conv = nodes.conv_bn_relu("conv", x, 3, 4, 3, 2, "VALID")
    pool = nodes.pool("pool", "MaxPool", conv, 3, 2)
    branch = nodes.conv_bn_relu("mixed/conv", pool, 4, FEATURES // 2, 1, 1, "SAME")
    tower = nodes.conv_bn_relu("mixed/tower/conv", pool, 4, FEATURES - FEATURES // 2, 3, 1,
                               "SAME")
    join = nodes.add("mixed/join", "Concat",
                     [nodes.const("mixed/join/concat_dim", np.int32(3)), branch, tower],
                     N=2, T=tf.float32)
    return nodes.pool("pool_3", "AvgPool", join, 74, 1)


def _add_batch_one_shapes(graph_def):
    """Records every node's `_output_shapes` as the 2015 exporter did: the static shapes of the
    graph fed one decoded JPEG (ExpandDims gives batch size 1), read from a TF import."""
    graph, copy = tf.Graph(), tf.compat.v1.GraphDef()
    copy.CopyFrom(graph_def)  # import_graph_def adds today's default attrs to what it is given
    with graph.as_default():
        tf.graph_util.import_graph_def(copy, name="")
    for node in graph_def.node:
        shapes = [output.shape for output in graph.get_operation_by_name(node.name).outputs]
        node.attr["_output_shapes"].list.shape.extend(shape.as_proto() for shape in shapes)


def _write_graph_def(graph_def, path):
    _add_batch_one_shapes(graph_def)
    with open(path, "wb") as stream:
        stream.write(graph_def.SerializeToString())


def _quirky_logits(nodes, pool, batch, variables, logits):
    """pool_3/_reshape to [batch, D] (the real TTUR file: batch 1), then `logits`/MatMul with
    `variables`/weights plus `variables`/biases; returns the name of the `logits` node."""
    reshape = nodes.add("pool_3/_reshape", "Reshape",
                        [pool, nodes.const("pool_3/_reshape/shape", np.int32([batch, FEATURES]))],
                        T=tf.float32)
    weights = nodes.const(f"{variables}/weights",
                          nodes.rng.normal(size=(FEATURES, CLASSES)).astype(np.float32))
    matmul = nodes.add(f"{logits}/MatMul", "MatMul", [reshape, weights], T=tf.float32,
                       transpose_a=False, transpose_b=False)
    biases = nodes.const(f"{variables}/biases", nodes.rng.normal(size=CLASSES).astype(np.float32))
    return nodes.add(logits, "Add", [matmul, biases], T=tf.float32)


def write_quirky_ttur_graph(path):
    """classify_image_graph_def.pb's layout with the 2015 quirks (module docstring): ExpandDims:0
    in [0, 255], pool_3:0 (1, 1, 1, D), pool_3/_reshape to [1, D] feeding softmax/logits/MatMul,
    a bias and a softmax."""
    nodes = _Nodes()
    pool = _quirky_body(nodes, _quirky_front(nodes))
    logits = _quirky_logits(nodes, pool, 1, variables="softmax", logits="softmax/logits")
    nodes.add("softmax", "Softmax", [logits], T=tf.float32)
    _write_graph_def(nodes.graph_def, path)


def write_quirky_tfgan_graph(path):
    """inceptionv1_for_inception_score.pb's interface (Mul:0 in [-1, 1], pool_3:0, logits:0 with
    bias) on the same 2015 graph: producer 8, the old ops, batch-1 `_output_shapes`."""
    nodes = _Nodes(seed=3)
    pool = _quirky_body(nodes, _quirky_front(nodes))
    _quirky_logits(nodes, pool, -1, variables="logits", logits="logits")
    _write_graph_def(nodes.graph_def, path)


# --- the published code's way of running a graph: its own tf.Graph, a v1 Session, one image ----

def session_of(path):
    """A v1 Session on the graph of `path` imported into a tf.Graph of its own, as TTUR does."""
    graph_def = tf.compat.v1.GraphDef()
    with open(path, "rb") as stream:
        graph_def.ParseFromString(stream.read())
    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(graph_def, name="")
    return tf.compat.v1.Session(graph=graph)


def ttur_reference(path, pixels):
    """TTUR's fid.py / OpenAI's IS code on classify_image_graph_def.pb: each image (R, R, 3) in
    [0, 255] fed to ExpandDims:0 alone (the graph resizes it), pool_3:0 its features, and the IS
    logits softmax/logits/MatMul:0 (pool_3 @ W, no bias). float32 (B, D), (B, K)."""
    with session_of(path) as session:
        outputs = [session.run(["pool_3:0", "softmax/logits/MatMul:0"],
                               {"ExpandDims:0": np.asarray(image, np.float32)[None]})
                   for image in pixels]
    return (np.concatenate([pool.reshape(1, -1) for pool, _ in outputs]),
            np.concatenate([logits for _, logits in outputs]))


def tfgan_reference(path, pixels):
    """TF-GAN's preprocessing (TF1 bilinear resize to 299, (x - 128) / 128) and its
    inceptionv1_for_inception_score.pb fed at Mul:0 one image at a time. float32 (B, D), (B, K)."""
    # tf.compat.v1.image.resize_bilinear's op, as TF-GAN called it (align_corners=False)
    resized = tf.raw_ops.ResizeBilinear(images=tf.cast(pixels, tf.float32), size=[299, 299])
    normalized = ((resized - 128.0) / 128.0).numpy()
    with session_of(path) as session:
        outputs = [session.run(["pool_3:0", "logits:0"], {"Mul:0": image[None]})
                   for image in normalized]
    return (np.concatenate([pool.reshape(1, -1) for pool, _ in outputs]),
            np.concatenate([logits for _, logits in outputs]))
