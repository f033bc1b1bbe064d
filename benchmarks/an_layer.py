"""Benchmark: literal vs fused regional normalization (Algorithm 1) and the whole AN layer.

Forward + backward in one tf.function, in graph mode and with jit_compile=True (XLA), at
32x32x256, 64x64x128 and 128x128x64 with n = 16 and batch 4. Each configuration runs in its own
process so that its peak resident memory can be measured (ru_maxrss growth over the baseline taken
after the inputs are built). Prints one JSON document on stdout.

    python benchmarks/an_layer.py [--repeats 5] [--sizes 32x32x256,64x64x128,128x128x64] [--quick]

Prints the JSON document on stdout and a short table on stderr.

Timings vary by tens of percent between runs on shared machines; compare the ratios, which are
measured in the same session.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

DEFAULT_SIZES = "32x32x256,64x64x128,128x128x64"
TARGETS = ("literal", "fused", "layer")


def _measure(target, size, jit, repeats, batch, entities):
    """Runs in a child process: median seconds of one forward+backward, and peak RSS growth."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from an_tf.layers import AttentiveNormalization
    from an_tf.ops import regional_normalization

    height, width, channels = size
    x = tf.random.normal([batch, height, width, channels])
    layout = tf.nn.softmax(tf.random.normal([batch, height, width, entities]), axis=-1)
    beta, alpha = tf.Variable(tf.ones([channels])), tf.Variable(tf.zeros([channels]))
    layer = AttentiveNormalization(num_entities=entities, seed=0)
    if target == "layer":
        layer.build(x.shape)
        variables = layer.trainable_variables
    else:
        variables = [beta, alpha]

    def step(x, layout):
        with tf.GradientTape() as tape:
            tape.watch(x)
            if target == "layer":
                y = layer(x, training=True)
            else:
                y = regional_normalization(x, layout, beta, alpha, implementation=target)
            loss = tf.reduce_sum(y * y)
        return tape.gradient(loss, [x] + list(variables))

    fn = tf.function(step, jit_compile=jit)
    baseline_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    _block(fn(x, layout))  # trace / compile
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        _block(fn(x, layout))
        times.append(time.perf_counter() - start)
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"median_ms": 1000 * statistics.median(times), "peak_rss_growth_mb": (peak_kb - baseline_kb) / 1024}


def _block(tensors):
    for t in tensors:
        t.numpy()


def _run_child(target, size, jit, args):
    command = [
        sys.executable, __file__, "--child", target, "--sizes", "x".join(map(str, size)),
        "--repeats", str(args.repeats), "--batch", str(args.batch), "--entities", str(args.entities),
    ] + (["--jit"] if jit else [])
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    out = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=DEFAULT_SIZES)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--entities", type=int, default=16)
    parser.add_argument("--jit", action="store_true")
    parser.add_argument("--child", choices=TARGETS)
    parser.add_argument("--quick", action="store_true", help="one tiny size, for the test")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.repeats, args.batch, args.entities = "8x8x16", 1, 1, 4
    sizes = [tuple(int(v) for v in s.split("x")) for s in args.sizes.split(",")]
    if args.child:
        print(json.dumps(_measure(args.child, sizes[0], args.jit, args.repeats, args.batch,
                                  args.entities)))
        return
    results = []
    for size in sizes:
        for jit in (False, True):
            row = {"size": "x".join(map(str, size)), "mode": "xla" if jit else "graph",
                   "batch": args.batch, "entities": args.entities}
            for target in TARGETS:
                row[target] = _run_child(target, size, jit, args)
            row["literal_over_fused"] = row["literal"]["median_ms"] / row["fused"]["median_ms"]
            results.append(row)
    table = [{"size": r["size"], "mode": r["mode"], "literal ms": r["literal"]["median_ms"],
              "fused ms": r["fused"]["median_ms"], "layer ms": r["layer"]["median_ms"],
              "literal/fused": r["literal_over_fused"]} for r in results]
    _common.emit({"benchmark": "an_layer", "machine": _common.provenance(), "cpu_arch":
                  platform.machine(), "repeats": args.repeats, "results": results}, table,
                 ["size", "mode", "literal ms", "fused ms", "layer ms", "literal/fused"])


if __name__ == "__main__":
    main()
