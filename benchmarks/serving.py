"""Benchmark: the exported SavedModels served without an_tf (Wang et al., CVPR 2020 models).

The parent process builds fresh (untrained, same architecture) models with an_tf and exports them
with the project's export functions; a child process that never imports an_tf loads them with
`tf.saved_model.load` and measures, per case (cGAN generator batch 1 and 64, inpainting 256x256
and 512x512 batch 1): cold start (load, then first call, separately), latency p50/p95 and
throughput of sequential calls. Then 8 client threads make 1,000 calls in total to one model
(default: cGAN batch 1) on a fixed set of inputs; every result must equal the sequential result
for the same input, and the resident memory growth from after warm-up to the end is printed.

    python benchmarks/serving.py [--calls 20] [--threads 8] [--concurrent-calls 1000] [--quick]
    python benchmarks/serving.py --demo [--demo-cgan-export DIR] [--calls 5]

--demo instead measures the browser demo's API (benchmarks/serving_demo.py): one 512x512
completion and one 16-sample generation through the demo server (HTTP) against a direct call of
the same SavedModel signature (needs requirements-demo.txt).

Shape letters: N batch, Z noise size, R resolution, H, W image size.
"""

import argparse
import concurrent.futures
import json
import os
import statistics
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

# Paper settings: cGAN 128^2 ImageNet (channels 64, 1000 classes), inpainting width 32.
REAL = {"cgan": dict(resolution=128, channels=64, num_classes=1000, z_dim=128),
        "inpainting": dict(channels=32), "inpainting_sizes": (256, 512), "cgan_batches": (1, 64)}
QUICK = {"cgan": dict(resolution=32, channels=8, num_classes=10, z_dim=16),
         "inpainting": dict(channels=8), "inpainting_sizes": (32, 64), "cgan_batches": (1, 4)}


def export_models(directory, settings, kinds=("cgan", "inpainting")):
    """Builds and exports the cGAN generator and the inpainting generator (those in `kinds`);
    returns their dirs."""
    import keras  # noqa: PLC0415

    from an_tf.cgan import export as cgan_export  # noqa: PLC0415
    from an_tf.cgan.generator import Generator  # noqa: PLC0415
    from an_tf.inpainting import export as inpainting_export  # noqa: PLC0415
    from an_tf.inpainting import pipeline as inpainting_pipeline  # noqa: PLC0415

    keras.utils.set_random_seed(0)
    dirs = {}
    if "cgan" in kinds:
        cgan = settings["cgan"]
        generator = Generator(an_resolutions=(32,), attention="an", num_entities=16, **cgan)
        generator(keras.ops.zeros((1, cgan["z_dim"])), keras.ops.zeros((1,), "int32"))
        dirs["cgan"] = str(cgan_export.export_generator(generator,
                                                        os.path.join(directory, "cgan")))
    if "inpainting" not in kinds:
        return dirs
    config = inpainting_pipeline.InpaintingConfig(**settings["inpainting"])
    inpainting_dir = os.path.join(directory, "inpainting")
    inpainting_export.export_generator(inpainting_pipeline.build_generator(config, seed=0),
                                       inpainting_dir)
    return {**dirs, "inpainting": inpainting_dir}


def cases(settings):
    """(name, model, input maker) of every latency case."""
    out = [(f"cgan_batch{n}", "cgan", ("cgan", n)) for n in settings["cgan_batches"]]
    out += [(f"inpainting_{s}x{s}", "inpainting", ("inpainting", s))
            for s in settings["inpainting_sizes"]]
    return out


def make_inputs(kind, size, settings, seed):
    """Deterministic float32/int64 inputs for one call (a different `seed`, a different input)."""
    import numpy as np  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    if kind == "cgan":
        z = rng.standard_normal((size, settings["cgan"]["z_dim"]), dtype=np.float32)  # (N,Z)
        labels = rng.integers(0, settings["cgan"]["num_classes"], size, dtype=np.int64)  # (N,)
        return {"z": z, "labels": labels}
    images = rng.uniform(0, 255, (1, size, size, 3)).astype(np.float32)  # (1,H,W,3)
    masks = np.zeros((1, size, size, 1), np.float32)
    masks[:, size // 4:3 * size // 4, size // 4:3 * size // 4] = 1.0  # centred square hole
    return {"images": images, "masks": masks}


def serve(args, settings):
    """Child process (no an_tf): every measurement on the loaded SavedModels."""
    import tensorflow as tf  # noqa: PLC0415

    dirs = json.loads(args.serve)
    rss_start = _common.current_rss_mb()
    models, results = {}, []
    for name, model, (kind, size) in cases(settings):
        cold = {}
        if model not in models:  # cold start: the first case of each model pays it
            start = time.perf_counter()
            models[model] = tf.saved_model.load(dirs[model]).signatures["serving_default"]
            cold["load_s"] = time.perf_counter() - start
        function, inputs = models[model], make_inputs(kind, size, settings, seed=0)
        start = time.perf_counter()
        _call(function, inputs)
        cold["first_call_s"] = time.perf_counter() - start
        results.append(dict(case=name, batch=size if kind == "cgan" else 1, **cold,
                            **_latency(function, inputs, args.calls)))
    rss_sequential = _common.current_rss_mb()
    concurrency = _concurrent(models[args.concurrent_model.split("_")[0]], args, settings)
    concurrency["rss_after_sequential_warmup_mb"] = rss_sequential
    concurrency["rss_growth_since_sequential_warmup_mb"] = (
        _common.current_rss_mb() - rss_sequential)
    return {"cases": results, "concurrent": concurrency, "rss_start_mb": rss_start,
            "an_tf_imported": "an_tf" in sys.modules}


def _call(function, inputs):
    import tensorflow as tf  # noqa: PLC0415

    outputs = function(**{key: tf.constant(value) for key, value in inputs.items()})
    return next(iter(outputs.values())).numpy()


def _latency(function, inputs, calls):
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        _call(function, inputs)
        times.append(time.perf_counter() - start)
    times.sort()
    batch = len(next(iter(inputs.values())))
    return {"calls": calls, "p50_ms": 1000 * statistics.median(times),
            "p95_ms": 1000 * times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))],
            "images_per_s": batch * len(times) / sum(times)}


def _concurrent(function, args, settings):
    """`threads` clients, `concurrent_calls` calls in total over `distinct_inputs` inputs; each
    result compared (bitwise) with the sequential result for the same input."""
    import numpy as np  # noqa: PLC0415

    kind, size = _concurrent_case(args.concurrent_model)
    inputs = [make_inputs(kind, size, settings, seed) for seed in range(args.distinct_inputs)]
    expected = [_call(function, item) for item in inputs]  # sequential reference

    def client(call_index):
        # Compared here and dropped: keeping 1,000 outputs would itself grow the resident memory.
        item = call_index % len(inputs)
        got = _call(function, inputs[item])
        difference = float(np.max(np.abs(got - expected[item])))
        return bool(np.array_equal(got, expected[item])), difference

    # The first tenth of the calls warms up the client threads (each gets its own kernel scratch
    # buffers); the resident memory is then sampled after every further tenth, so that a plateau
    # can be told from steady growth.
    chunk = max(args.threads, args.concurrent_calls // 10)
    outcomes, rss_samples = [], []
    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(args.threads) as pool:
        for first in range(0, args.concurrent_calls, chunk):
            last = min(first + chunk, args.concurrent_calls)
            outcomes += list(pool.map(client, range(first, last)))
            rss_samples.append(round(_common.current_rss_mb(), 1))
    seconds = time.perf_counter() - start
    rss_warm = rss_samples[0]
    unequal = sum(not equal for equal, _ in outcomes)
    max_diff = max(difference for _, difference in outcomes)
    return {"model": args.concurrent_model, "threads": args.threads,
            "calls": len(outcomes), "distinct_inputs": args.distinct_inputs,
            "unequal_to_sequential": unequal, "max_abs_difference": max_diff,
            "seconds": seconds, "calls_per_s": len(outcomes) / seconds,
            "warmup_calls": chunk, "rss_after_concurrent_warmup_mb": rss_warm,
            "rss_mb_every_chunk": rss_samples, "rss_growth_mb": rss_samples[-1] - rss_warm}


def _concurrent_case(name):
    kind, _, size = name.partition("_batch") if name.startswith("cgan") else name.partition("_")
    return kind, int(size.split("x")[0])


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=_common.positive_int, default=20,
                        help="sequential calls per latency case")
    parser.add_argument("--threads", type=_common.positive_int, default=8)
    parser.add_argument("--concurrent-calls", type=_common.positive_int, default=1000)
    parser.add_argument("--distinct-inputs", type=_common.positive_int, default=16)
    parser.add_argument("--concurrent-model", default="cgan_batch1",
                        help="cgan_batch<N> or inpainting_<S>x<S>, one of the latency cases")
    parser.add_argument("--export-dir", help="where to export (default: a temporary directory)")
    parser.add_argument("--timeout", type=_common.positive_int, default=3600)
    parser.add_argument("--quick", action="store_true", help="tiny models, 80 concurrent calls")
    parser.add_argument("--demo", action="store_true", help="the demo server's latency instead")
    parser.add_argument("--demo-cgan-export", help="--demo: this cGAN export (e.g. the demo "
                        "run's) instead of a fresh paper-size generator")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.calls, args.concurrent_calls = 5, 80
    settings = QUICK if args.quick else REAL
    names = [name for name, _, _ in cases(settings)]
    if args.concurrent_model not in names:
        parser.error(f"--concurrent-model must be one of {names}, got {args.concurrent_model!r}")
    return args, settings


def child_arguments(args, dirs):
    flags = ["--serve", json.dumps(dirs), "--calls", str(args.calls), "--threads",
             str(args.threads), "--concurrent-calls", str(args.concurrent_calls),
             "--distinct-inputs", str(args.distinct_inputs),
             "--concurrent-model", args.concurrent_model]
    return flags + (["--quick"] if args.quick else [])


def main(argv=None):
    args, settings = parse_args(argv)
    _common.quiet_tensorflow()
    if args.serve:
        print(json.dumps(serve(args, settings)))
        return
    if args.demo:
        demo(args, settings)
        return
    with tempfile.TemporaryDirectory() as scratch:
        dirs = export_models(args.export_dir or scratch, settings)
        measured = _common.run_child(__file__, child_arguments(args, dirs), args.timeout)
    document = {"benchmark": "serving", "machine": _common.provenance(),
                "models": {"cgan": settings["cgan"], "inpainting": settings["inpainting"]},
                **measured}
    rows = [dict(row, cold_s=row.get("load_s", 0) + row["first_call_s"])
            for row in measured["cases"]]
    _common.emit(document, rows, ["case", "cold_s", "p50_ms", "p95_ms", "images_per_s"])
    c = measured["concurrent"]
    print(f"concurrent: {c['threads']} threads x {c['calls']} calls of {c['model']}: "
          f"{c['calls_per_s']:.1f} calls/s, {c['unequal_to_sequential']} unequal to sequential, "
          f"RSS growth after warm-up {c['rss_growth_mb']:+.1f} MB "
          f"({c['rss_growth_since_sequential_warmup_mb']:+.1f} MB since the sequential warm-up)",
          file=sys.stderr)


def demo(args, settings):
    """--demo: the demo server's latency against direct SavedModel calls (see the docstring)."""
    import serving_demo  # noqa: PLC0415

    size, samples = (64, 4) if args.quick else (512, 16)
    with tempfile.TemporaryDirectory() as scratch:
        kinds = ("inpainting",) if args.demo_cgan_export else ("cgan", "inpainting")
        dirs = export_models(args.export_dir or scratch, settings, kinds)
        if args.demo_cgan_export:
            dirs["cgan"] = args.demo_cgan_export
        rows = serving_demo.measure(dirs, size, samples, args.calls)
    document = {"benchmark": "serving_demo", "machine": _common.provenance(),
                "models": {"cgan": args.demo_cgan_export or settings["cgan"],
                           "inpainting": settings["inpainting"]}, "cases": rows}
    _common.emit(document, rows, ["case", "path", "calls", "p50_ms", "max_ms"])


if __name__ == "__main__":
    main()
