"""Benchmark: seconds per discriminator step and per generator step of the AN cGAN at 32, 64 and
128 pixels, with tiny widths (CPU-friendly), in one tf.function each. Prints one JSON document.

    python benchmarks/cgan_step.py [--channels 8] [--batch 4] [--repeats 5] [--attention an]

Timings vary by tens of percent between runs on shared machines; compare within one run.
"""

import argparse
import json
import os
import platform
import statistics
import time


def _median_seconds(function, repeats):
    function()  # trace and warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        float(next(iter(result.values())))  # wait for the step to finish
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(resolution, channels, batch, repeats, attention):
    import keras
    import tensorflow as tf

    from an_tf.cgan import pipeline

    keras.utils.set_random_seed(0)
    config = pipeline.CGANConfig(
        dataset="synthetic", resolution=resolution, num_classes=10, channels=channels,
        attention=attention, g_an_resolutions=(32,), d_an_resolutions=(min(32, resolution // 2),),
        num_entities=16, embedding_dim=channels)
    gan = pipeline.build_gan(config)
    images = tf.random.uniform([batch, resolution, resolution, 3], -1.0, 1.0)
    labels = tf.random.uniform([batch], 0, 10, tf.int32)
    size = tf.constant(batch)
    d_step = tf.function(lambda: gan._discriminator_step(images, labels, size))
    g_step = tf.function(lambda: gan._generator_step(size))
    return {
        "resolution": resolution,
        "generator_parameters": int(sum(w.numpy().size for w in gan.generator.trainable_weights)),
        "discriminator_parameters": int(
            sum(w.numpy().size for w in gan.discriminator.trainable_weights)),
        "d_step_seconds": round(_median_seconds(d_step, repeats), 4),
        "g_step_seconds": round(_median_seconds(g_step, repeats), 4),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=8)
    parser.add_argument("--batch", type=int, default=4)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--attention", default="an", choices=["an", "self_attention", "none"])
    parser.add_argument("--resolutions", default="32,64,128")
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    results = [measure(int(r), args.channels, args.batch, args.repeats, args.attention)
               for r in args.resolutions.split(",")]
    print(json.dumps({"benchmark": "cgan_step", "channels": args.channels, "batch": args.batch,
                      "attention": args.attention, "machine": platform.processor() or
                      platform.machine(), "cpus": os.cpu_count(), "results": results}, indent=2))


if __name__ == "__main__":
    main()
