"""Benchmark: images per second of `an_tf.metrics.inception.InceptionNetwork` (the Session path:
the graph in a tf.compat.v1.Session of its own tf.Graph, fed by tf.numpy_function) against the
function path it replaced (tf.compat.v1.wrap_function + import_graph_def, which cannot run the
2015 files' removed ops), on modern-op graphs that both can run.

Both are called as the evaluation calls them: `DistributedMapper` (default strategy) on uint8
batches (B, R, R, 3), i.e. a tf.function per batch, the TF1 bilinear resize to 299 included. The
two paths are timed alternately, batch after batch, so that the machine's load affects both alike;
images/s from the median and from the best batch, and the process CPU time per image.
Graphs (classify_image_graph_def.pb's interface, written to a temporary file):
- tiny: a 1x1 convolution to 6 features (the tests' stand-in): the resize and the per-call
  overhead dominate;
- conv: conv 3x3/2 to `--width` channels then conv 3x3 to 2 x `--width` at 147x147 (~0.85
  GFLOP per image at width 32, a seventh of the real graph's ~5.7): the overhead in proportion.

    python benchmarks/inception_throughput.py [--batch_sizes 16,64] [--batches 8] [--quick]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402


def write_graph(path, kind, width):
    """A modern-op frozen graph with classify_image_graph_def.pb's tensor names."""
    import numpy as np  # noqa: PLC0415
    import tensorflow as tf  # noqa: PLC0415

    rng = np.random.default_rng(0)

    def kernel(*shape):
        return tf.constant(rng.normal(0, 0.3, shape).astype(np.float32))

    graph = tf.Graph()
    with graph.as_default():
        contents = tf.compat.v1.placeholder(tf.float32, [None, None, 3], name="DecodeJpeg/contents")
        expanded = tf.expand_dims(contents, 0, name="ExpandDims")
        resized = tf.compat.v1.image.resize_bilinear(expanded, [299, 299], name="ResizeBilinear")
        x = tf.multiply(tf.subtract(resized, 128.0, name="Sub"), 1 / 128.0, name="Mul")
        if kind == "tiny":
            x = tf.nn.relu(tf.nn.conv2d(x, kernel(1, 1, 3, 6), 1, "VALID"))
        else:
            x = tf.nn.relu(tf.nn.conv2d(x, kernel(3, 3, 3, width), 2, "VALID"))  # 149
            x = tf.nn.relu(tf.nn.conv2d(x, kernel(3, 3, width, 2 * width), 1, "VALID"))  # 147
        pool = tf.reduce_mean(x, axis=[1, 2], keepdims=True, name="pool_3")
        features = pool.shape[-1]
        with tf.compat.v1.name_scope("softmax/logits/"):
            tf.matmul(tf.reshape(pool, [1, features]), kernel(features, 1008), name="MatMul")
    with open(path, "wb") as stream:
        stream.write(graph.as_graph_def().SerializeToString())


class FunctionPathNetwork:
    """The function path that InceptionNetwork used before: the graph imported into a
    tf.compat.v1.wrap_function (TF2 function at today's GraphDef version), called in-graph."""

    def __init__(self, path):
        import tensorflow as tf  # noqa: PLC0415

        from an_tf.metrics.inception import INCEPTION_SIZE, read_graph_def  # noqa: PLC0415

        graph_def = read_graph_def(path)
        spec = tf.TensorSpec([None, INCEPTION_SIZE, INCEPTION_SIZE, 3], tf.float32)
        imported = tf.compat.v1.wrap_function(lambda x: self._import(graph_def, x), [spec])
        self._function = imported.prune(imported.inputs, imported.outputs)

    @staticmethod
    def _import(graph_def, images):
        import tensorflow as tf  # noqa: PLC0415

        (pool,) = tf.graph_util.import_graph_def(graph_def, input_map={"ExpandDims:0": images},
                                                 return_elements=["pool_3:0"], name="inception")
        features = tf.reshape(pool, [tf.shape(images)[0], -1])  # (B,D)
        matmul = tf.compat.v1.get_default_graph().get_operation_by_name(
            "inception/softmax/logits/MatMul")
        return features, tf.matmul(features, matmul.inputs[1])  # (B,K)

    def __call__(self, images):
        from an_tf.metrics.inception import resize_like_tf1  # noqa: PLC0415

        return self._function(resize_like_tf1(images))


def measure(kind, batch, args, scratch):
    """One row: images/s of both paths on `batch`-image batches of the `kind` graph."""
    import numpy as np  # noqa: PLC0415

    from an_tf.metrics.inception import InceptionNetwork  # noqa: PLC0415
    from an_tf.metrics.streaming import DistributedMapper  # noqa: PLC0415

    path = os.path.join(scratch, f"{kind}.pb")
    write_graph(path, kind, args.width)
    pixels = np.random.default_rng(1).integers(
        0, 256, (batch, args.image_size, args.image_size, 3)).astype(np.uint8)
    paths = {"function": FunctionPathNetwork(path), "session": InceptionNetwork(path)}
    mappers = {name: DistributedMapper(lambda image, n=network: dict(zip("fl", n(image))))
               for name, network in paths.items()}
    outputs = {name: mapper(image=pixels) for name, mapper in mappers.items()}  # traces, warms
    wall, cpu = {name: [] for name in mappers}, {name: [] for name in mappers}
    for _ in range(args.batches):  # alternately, so that the load hits both alike
        for name, mapper in mappers.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            mapper(image=pixels)
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    row = {"graph": kind, "batch": batch, "image_size": args.image_size,
           "max_abs_feature_difference": float(np.abs(outputs["function"]["f"]
                                                      - outputs["session"]["f"]).max())}
    for name in mappers:
        row[f"{name}_images_per_s"] = batch / statistics.median(wall[name])
        row[f"{name}_best_images_per_s"] = batch / min(wall[name])
        # Process CPU time (all threads): what the path costs, less sensitive to others' load.
        row[f"{name}_cpu_ms_per_image"] = 1000 * statistics.median(cpu[name]) / batch
    row["session_over_function"] = row["session_images_per_s"] / row["function_images_per_s"]
    row["session_over_function_best"] = (row["session_best_images_per_s"]
                                         / row["function_best_images_per_s"])
    return row


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", default="tiny,conv",
                        help="comma-separated graphs among tiny, conv")
    parser.add_argument("--batch_sizes", type=_common.int_list, default=[16, 64])
    parser.add_argument("--batches", type=_common.positive_int, default=8,
                        help="timed batches per path (after one untimed)")
    parser.add_argument("--image_size", type=_common.positive_int, default=128)
    parser.add_argument("--width", type=_common.positive_int, default=32)
    parser.add_argument("--quick", action="store_true", help="tiny graph, small batches")
    args = parser.parse_args(argv)
    args.graphs = [name for name in args.graphs.split(",") if name]
    unknown = set(args.graphs) - {"tiny", "conv"}
    if unknown or not args.graphs:
        parser.error(f"--graphs: unknown graph(s) {sorted(unknown)}; choose among tiny, conv")
    if args.quick:
        args.graphs, args.batch_sizes, args.batches, args.image_size = ["tiny"], [4], 2, 32
    return args


def main(argv=None):
    args = parse_args(argv)
    _common.quiet_tensorflow()
    with tempfile.TemporaryDirectory() as scratch:
        rows = [measure(kind, batch, args, scratch)
                for kind in args.graphs for batch in args.batch_sizes]
    document = {"benchmark": "inception_throughput", "machine": _common.provenance(),
                "load_average_after": os.getloadavg(),
                "settings": {"batches": args.batches, "image_size": args.image_size,
                             "width": args.width}, "results": rows}
    _common.emit(document, rows, ["graph", "batch", "function_images_per_s",
                                  "session_images_per_s", "session_over_function",
                                  "session_over_function_best", "function_cpu_ms_per_image",
                                  "session_cpu_ms_per_image"])


if __name__ == "__main__":
    main()
