"""Tiny frozen graphs with the tensor names of the two published Inception files, so the loading
code is tested without the real weights: features = mean over positions of relu(x @ A) (D = 6),
logits = features @ W (K = 5)."""

import numpy as np
import tensorflow as tf

FEATURES, CLASSES = 6, 5
RNG = np.random.default_rng(0)
A = RNG.normal(size=(3, FEATURES)).astype(np.float32)
W = RNG.normal(size=(FEATURES, CLASSES)).astype(np.float32)


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
