"""Helpers shared by the benchmarks: timing, memory, machine ceilings, graph FLOP counts, profiles,
child processes, and the output (one JSON document on stdout, a short table on stderr).

Timings on shared machines vary by tens of percent between runs: every benchmark compares the
things it measures within one run, and says so in its JSON ("note").
"""

import argparse
import collections
import glob
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

from an_tf.reports.provenance import provenance  # noqa: F401 (every document's header)

NOTE = "Timings from one run on a shared machine: compare within this document, not across runs."


def positive_int(text):
    """argparse type: an integer >= 1, with a one-line error otherwise."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def int_list(text):
    """argparse type: comma-separated positive integers, e.g. "64,128"."""
    values = [positive_int(part) for part in text.split(",") if part.strip()]
    if not values:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers, got {text!r}")
    return values


def quiet_tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def block(value):
    """Waits for every tensor in a (nested) result, so the timing covers the computation."""
    import tensorflow as tf  # noqa: PLC0415 (not needed by the parents that only spawn children)

    for tensor in tf.nest.flatten(value):
        if hasattr(tensor, "numpy"):
            tensor.numpy()
    return value


def time_calls(function, repeats, warmup=1):
    """Median, min and max milliseconds of `function()` after `warmup` untimed calls."""
    for _ in range(warmup):
        block(function())
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        block(function())
        times.append(1000 * (time.perf_counter() - start))
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
            "repeats": repeats}


def peak_rss_mb():
    """Peak resident memory of this process so far (ru_maxrss, kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb():
    with open("/proc/self/status", encoding="utf-8") as stream:
        for line in stream:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def available_memory_gb():
    """MemAvailable of /proc/meminfo: what can be allocated without swapping others out."""
    with open("/proc/meminfo", encoding="utf-8") as stream:
        for line in stream:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 2**20
    return 0.0


def run_child(script, arguments, timeout):
    """Runs `python script arguments` and returns the JSON document it prints last on stdout."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    done = subprocess.run([sys.executable, script] + list(arguments), capture_output=True,
                          text=True, env=env, timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{os.path.basename(script)} {' '.join(arguments)} failed "
                           f"({done.returncode}): {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def emit(document, rows, columns):
    """Prints the JSON document on stdout and a short table of `rows` (dicts) on stderr."""
    document = dict(document, note=NOTE)
    print(json.dumps(document, indent=1, default=_json_default))
    print(format_table(rows, columns), file=sys.stderr)


def _json_default(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def format_table(rows, columns):
    """A Markdown table (pasteable into docs/performance.md); floats with 3 significant digits."""
    cells = [[_cell(row.get(column)) for column in columns] for row in rows]
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(line) + " |" for line in cells]
    return "\n".join(lines)


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def loglog_slope(points):
    """Least-squares slope of log(time) against log(positions); None with fewer than 2 points."""
    if len(points) < 2:
        return None
    xs = [math.log(p) for p, _ in points]
    ys = [math.log(t) for _, t in points]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys))
    return covariance / sum((x - mean_x) ** 2 for x in xs)


def compute_ceiling(repeats=5):
    """This machine's measured float32 peak: GFLOP/s of a large matmul and a large 3x3 conv, and the
    GB/s of a large elementwise op (read + write), each the best of `repeats` after warm-up."""
    import tensorflow as tf  # noqa: PLC0415

    a = tf.random.normal([2048, 2048])
    image = tf.random.normal([8, 64, 64, 128])
    kernel = tf.random.normal([3, 3, 128, 128])
    big = tf.random.normal([64 * 2**20 // 4])  # 64 MB: well beyond the caches
    matmul = tf.function(lambda: tf.matmul(a, a))
    conv = tf.function(lambda: tf.nn.conv2d(image, kernel, 1, "SAME"))
    scale = tf.function(lambda: big * 1.5)
    best = {name: time_calls(fn, repeats)["min_ms"] / 1000
            for name, fn in (("matmul", matmul), ("conv", conv), ("copy", scale))}
    return {"matmul_gflops": 2 * 2048**3 / best["matmul"] / 1e9,
            "conv_gflops": 2 * 8 * 64 * 64 * 128 * 9 * 128 / best["conv"] / 1e9,
            "memory_gbps": 2 * big.shape[0] * 4 / best["copy"] / 1e9}


_FLOP_OPS = ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", "MatMul", "BatchMatMulV2",
             "BatchMatMulV3", "DepthwiseConv2dNative")


def graph_flops(concrete_function):
    """FLOPs (multiply-add = 2) of the convolutions and matrix products in a traced function's
    graph, forward and backward; other ops (elementwise, reductions) are not counted. Needs static
    shapes; returns (flops, number of ops whose shapes were unknown)."""
    flops, unknown = 0, 0
    for op in _live_operations(concrete_function):
        if op.type not in _FLOP_OPS:
            continue
        count = _op_flops(op)
        if count is None:
            unknown += 1
        else:
            flops += count
    return flops, unknown


def _live_operations(concrete_function):
    """The ops that the outputs or a stateful op (variable update) depend on: the traced graph also
    holds gradients nobody uses (e.g. w.r.t. input images), which Grappler prunes before running."""
    graph = concrete_function.graph
    pending = [t.op for t in concrete_function.outputs]
    pending += [op for op in graph.get_operations() if op._is_stateful]  # noqa: SLF001
    live = set()
    while pending:
        op = pending.pop()
        if op in live:
            continue
        live.add(op)
        pending.extend(t.op for t in op.inputs)
        pending.extend(op.control_inputs)
    return live


def _op_flops(op):
    out = op.outputs[0].shape
    if not out.is_fully_defined():
        return None
    if op.type.startswith("Conv2D"):
        # Each variant: one multiply-add per (forward output element, kernel tap, input channel).
        filter_shape = out if op.type == "Conv2DBackpropFilter" else op.inputs[1].shape
        forward_out = out if op.type == "Conv2D" else op.inputs[2].shape  # out_backprop
        if not (filter_shape.is_fully_defined() and forward_out.is_fully_defined()):
            return None
        kh, kw, cin, _ = filter_shape.as_list()
        return 2 * forward_out.num_elements() * kh * kw * cin
    if op.type == "DepthwiseConv2dNative":
        kh, kw = op.inputs[1].shape.as_list()[:2]
        return 2 * out.num_elements() * kh * kw
    a = op.inputs[0].shape
    if not a.is_fully_defined():
        return None
    transpose = op.get_attr("transpose_a") if op.type == "MatMul" else op.get_attr("adj_x")
    inner = a[-2] if transpose else a[-1]
    return 2 * out.num_elements() * inner


def profile_top_ops(function, steps, top=3):
    """Runs `function()` `steps` times under the TF profiler and returns the `top` op types by
    total time on the compute threads (ms per step and share of the op time)."""
    import tensorflow as tf  # noqa: PLC0415

    try:
        from tsl.profiler.protobuf import xplane_pb2  # noqa: PLC0415
    except ImportError:
        from tensorflow.tsl.profiler.protobuf import xplane_pb2  # noqa: PLC0415
    with tempfile.TemporaryDirectory() as logdir:
        tf.profiler.experimental.start(logdir)
        try:
            for _ in range(steps):
                block(function())
        finally:
            tf.profiler.experimental.stop()
        path = sorted(glob.glob(os.path.join(logdir, "**", "*.xplane.pb"), recursive=True))[-1]
        space = xplane_pb2.XSpace()
        with open(path, "rb") as stream:
            space.ParseFromString(stream.read())
    totals = collections.Counter()
    for plane in space.planes:
        names = {key: meta.name for key, meta in plane.event_metadata.items()}
        for line in plane.lines:
            if not line.name.startswith("tf_Compute") and "Eigen" not in line.name:
                continue
            for event in line.events:
                name = names.get(event.metadata_id, "")
                if ":" in name and "::" not in name:  # "op_name:OpType" are kernels, "A::B" frames
                    totals[name.rsplit(":", 1)[1]] += event.duration_ps
    total = sum(totals.values()) or 1
    return [{"op": name, "ms_per_step": ps / 1e9 / steps, "share": ps / total}
            for name, ps in totals.most_common(top)]
