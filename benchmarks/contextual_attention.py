"""Benchmark: the second-stage branch of the inpainting generator with AN (the paper's attentive
branch) versus CA's contextual attention, forward + backward in one tf.function.

Inputs are the branch's features at 1/4 of the image size (64x64x128 for 256x256 images at
channels=32). Each configuration runs in its own process so that its peak resident memory can be
measured (ru_maxrss growth after the inputs are built). Contextual attention holds a
(B, P, P) score matrix with P = (H/8)(W/8): its memory grows with the square of the image area.
Prints one JSON document.

    python benchmarks/contextual_attention.py [--sizes 128,256] [--channels 32] [--batch 2] [--quick]

Prints the JSON document on stdout and a short table on stderr.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402


def _measure(branch, image_size, channels, batch, repeats):
    """In a child process: median seconds of one forward+backward and peak RSS growth (MiB)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    from an_tf.inpainting import components
    from an_tf.inpainting.contextual_attention import ContextualAttention

    size = image_size // 4
    width = components.scaled_filters(128, channels)
    x = tf.random.normal([batch, size, size, width])
    border = [size // 4, size - size // 2 - size // 4]
    masks = tf.pad(tf.ones([batch, size // 2, size // 2, 1]), [[0, 0], border, border, [0, 0]])
    if branch == "an":
        layer = components.AttentiveBranch(channels)
        run = lambda: layer(x, training=True)  # noqa: E731
    else:
        attention = ContextualAttention()
        convs = components.ConvStack(components.BRANCH_OUTPUT_SPEC, channels)
        run = lambda: convs(attention(x, masks))  # noqa: E731
    run()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(tf.square(run()))
        return tape.gradient(loss, x)

    step()  # trace
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step().numpy()
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": statistics.median(times), "peak_rss_growth_mib": (peak - baseline) / 1024}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="128,256")
    parser.add_argument("--channels", type=int, default=32)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="one tiny size, for the test")
    args = parser.parse_args()
    if args.quick:
        args.sizes, args.channels, args.batch, args.repeats = "32", 4, 1, 1
    if args.child:
        branch, size = args.child.split(":")
        print(json.dumps(_measure(branch, int(size), args.channels, args.batch, args.repeats)))
        return
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        for branch in ("an", "contextual"):
            output = subprocess.run(
                [sys.executable, __file__, f"--child={branch}:{size}",
                 f"--channels={args.channels}", f"--batch={args.batch}",
                 f"--repeats={args.repeats}"],
                check=True, capture_output=True, text=True).stdout
            results.append({"branch": branch, "image_size": size,
                            **json.loads(output.strip().splitlines()[-1])})
    _common.emit({"benchmark": "contextual_attention", "machine": _common.provenance(),
                  "batch": args.batch, "channels": args.channels, "results": results}, results,
                 ["branch", "image_size", "seconds", "peak_rss_growth_mib"])


if __name__ == "__main__":
    main()
