"""Cost of one evaluation during training (`--eval_every`), as quoted in the README:

    python -m benchmarks.eval_cost --workdir=runs/cgan_demo --num_samples=2000     # demo setting
    python -m benchmarks.eval_cost --paper --batch=50     # stand-in for the paper's evaluation

Default: `CGANEvaluator` (download-free) on a run's latest checkpoint: the once-per-run
preparation, then `--calls` calls, wall clock and process CPU time each. --paper: per-sample
forward time of the paper's 128x128 generator (channels 64, 1000 classes) and of Keras'
InceptionV3 at 299x299 with random weights (a stand-in of the 2015 Inception graph's size: the
real graph cannot be downloaded here), extrapolated to 50,000 samples. One JSON line on stdout.
"""

import argparse
import json
import os
import tempfile
import time


def _timed(fn):
    wall, cpu = time.time(), time.process_time()
    result = fn()
    return result, time.time() - wall, time.process_time() - cpu


def demo_cost(workdir, num_samples, calls, classifier_dir):
    from an_tf.cgan.evaluation import references, run_eval  # pylint: disable=import-outside-toplevel
    from an_tf.cgan.evaluation.training_eval import CGANEvaluator  # pylint: disable=import-outside-toplevel

    gan, config, step = run_eval.restore_gan(workdir)
    evaluator = CGANEvaluator(config, tempfile.mkdtemp(), num_samples=num_samples,
                              classifier=references.ClassifierOptions(classifier_dir))
    _, prepare_wall, prepare_cpu = _timed(evaluator.prepare)
    timings = [_timed(lambda: evaluator(gan, step))[1:] for _ in range(calls)]
    return {"step": step, "num_samples": num_samples, "prepare_wall_s": prepare_wall,
            "prepare_cpu_s": prepare_cpu, "calls_wall_s": [t[0] for t in timings],
            "calls_cpu_s": [t[1] for t in timings]}


def paper_cost(batch):
    import keras  # pylint: disable=import-outside-toplevel
    import tensorflow as tf  # pylint: disable=import-outside-toplevel
    from an_tf.cgan.generator import Generator  # pylint: disable=import-outside-toplevel
    from an_tf.metrics.inception import resize_like_tf1  # pylint: disable=import-outside-toplevel

    inception = keras.applications.InceptionV3(weights=None, classes=1008)
    generator = Generator(resolution=128, num_classes=1000, z_dim=128, channels=64,
                          an_resolutions=(32,))
    z, labels = tf.random.normal([batch, 128]), tf.range(batch) % 1000
    generate = tf.function(lambda: generator(z, labels, training=False))
    images = generate()
    pixels = tf.cast(tf.clip_by_value(images * 127.5 + 127.5, 0, 255), tf.uint8)
    classify = tf.function(lambda: inception(resize_like_tf1(pixels) / 128.0 - 1.0))
    classify()
    result = {"batch": batch}
    for name, fn in (("generator128", generate), ("inception299", classify)):
        timings = [_timed(lambda: fn().numpy())[1:] for _ in range(3)]  # pylint: disable=cell-var-from-loop
        result[f"{name}_wall_s_per_sample"] = min(t[0] for t in timings) / batch
        result[f"{name}_cpu_s_per_sample"] = min(t[1] for t in timings) / batch
    for kind in ("wall", "cpu"):
        per_sample = sum(result[f"{n}_{kind}_s_per_sample"] for n in ("generator128",
                                                                      "inception299"))
        result[f"{kind}_hours_per_50k"] = 50000 * per_sample / 3600
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--workdir", default="runs/cgan_demo")
    parser.add_argument("--num_samples", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=3)
    parser.add_argument("--classifier_dir", default="runs/shapes_classifier")
    parser.add_argument("--paper", action="store_true")
    parser.add_argument("--batch", type=int, default=50)
    args = parser.parse_args()
    result = (paper_cost(args.batch) if args.paper else
              demo_cost(args.workdir, args.num_samples, args.calls, args.classifier_dir))
    print(json.dumps({**result, "load_average": os.getloadavg()}), flush=True)


if __name__ == "__main__":
    main()
