"""Benchmark: images per second of one full training step of each pipeline of Wang et al. (CVPR
2020): cGAN (D step + G step, both Adam updates) and inpainting (critic steps + G step), at the
paper's setting (small batches) and at the demo settings; tf.function graph mode against the whole
step under XLA (jit_compile=True, what a TPU needs), float32 against mixed_bfloat16. Also: the
step's FLOPs (convolutions and matrix products counted from the traced graph), the achieved FLOP/s
as a fraction of this machine's measured conv/matmul ceiling, the three most expensive op types
from a profile, and the number of traces after several steps on new batches (1 = no retracing).

Each (case, precision) runs in its own process (dtype policies are global).

    python benchmarks/train_step.py [--cases cgan_paper,...] [--repeats 3] [--quick]
"""

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

# name: (pipeline, batch, config fields). Paper: cGAN 128^2 --channels=64 (ImageNet, 1000
# classes); inpainting 256^2 --channels=32, 5 critic steps. Demo: experiments/configs/*_demo.cfg.
CASES = {
    "cgan_paper": ("cgan", 2, dict(resolution=128, channels=64, num_classes=1000, z_dim=128,
                                   embedding_dim=128, num_entities=16, g_an_resolutions=(32,),
                                   d_an_resolutions=(32,))),
    "cgan_demo": ("cgan", 32, dict(resolution=32, channels=16, num_classes=8, z_dim=64,
                                   embedding_dim=32, num_entities=8, g_an_resolutions=(32,),
                                   d_an_resolutions=(16,), ema_decay=0.99)),
    "inpainting_paper": ("inpainting", 1, dict(image_size=256, channels=32, critic_channels=64,
                                               critic_steps=5, box_size=128, max_shrink=16)),
    "inpainting_demo": ("inpainting", 8, dict(image_size=64, channels=16, num_entities=8,
                                              critic_channels=16, critic_steps=2, box_size=32,
                                              max_shrink=4)),
}
QUICK_CASES = {
    "cgan_quick": ("cgan", 2, dict(resolution=32, channels=8, num_classes=4, z_dim=8,
                                   embedding_dim=8, num_entities=4, g_an_resolutions=(16,),
                                   d_an_resolutions=(8,))),
    "inpainting_quick": ("inpainting", 1, dict(image_size=32, channels=8, num_entities=4,
                                               critic_channels=8, critic_steps=1, box_size=16,
                                               max_shrink=2)),
}
PRECISIONS = ("float32", "mixed_bfloat16")
MODES = ("graph", "xla")


def build(pipeline, fields):
    """The pipeline's compiled model from the project's own builder."""
    if pipeline == "cgan":
        from an_tf.cgan import pipeline as cgan_pipeline  # noqa: PLC0415

        return cgan_pipeline.build_gan(cgan_pipeline.CGANConfig(dataset="synthetic", **fields))
    from an_tf.inpainting import pipeline as inpainting_pipeline  # noqa: PLC0415

    return inpainting_pipeline.build_model(inpainting_pipeline.InpaintingConfig(**fields))


def make_batch(pipeline, batch, fields, seed):
    """A training batch of the pipeline's format (random content: speed does not depend on it)."""
    import tensorflow as tf  # noqa: PLC0415

    if pipeline == "cgan":
        size = fields["resolution"]
        return {"image": tf.random.stateless_uniform([batch, size, size, 3], [seed, 0], -1, 1),
                "label": tf.random.stateless_uniform([batch], [seed, 1], 0, fields["num_classes"],
                                                     tf.int32)}
    from an_tf.data import masks as masks_lib  # noqa: PLC0415

    size = fields["image_size"]
    masks = masks_lib.make_masks("rect", tf.constant([seed, 2], tf.int64), batch, size, size,
                                 fields["box_size"], fields["max_shrink"])
    return {"images": tf.random.stateless_uniform([batch, size, size, 3], [seed, 0], -1, 1),
            "masks": masks["masks"], "boxes": masks["boxes"]}


def measure(name, precision, args):
    """Child process: graph and XLA timings of one case at one precision (+ FLOPs, profile)."""
    import keras  # noqa: PLC0415
    import tensorflow as tf  # noqa: PLC0415

    pipeline, batch, fields = all_cases()[name]
    batch = args.batch or batch
    keras.config.set_dtype_policy(precision)
    keras.utils.set_random_seed(0)
    model = build(pipeline, fields)
    batches = [make_batch(pipeline, batch, fields, seed) for seed in range(args.repeats + 2)]
    result = {"case": name, "pipeline": pipeline, "batch": batch, "precision": precision}
    for mode in args.modes:
        jit = mode == "xla"
        step = tf.function(model.train_step, jit_compile=jit)
        try:
            timing = _time_steps(step, batches)
        except Exception as error:  # noqa: BLE001 (the report names what failed to compile)
            result[mode] = {"error": _first_line(error)}
            continue
        result[mode] = dict(timing, images_per_s=batch * 1000 / timing["median_ms"],
                            traces=step.experimental_get_tracing_count())
        if mode == "graph" and precision == "float32":
            flops, unknown = _common.graph_flops(step.get_concrete_function(batches[0]))
            result["flops_per_step"], result["flops_ops_unknown_shape"] = flops, unknown
            result["top_ops"] = _common.profile_top_ops(lambda s=step: s(batches[0]),
                                                        args.profile_steps)
    return result


def _time_steps(step, batches):
    """First call (trace + compile) timed apart; then one step per new batch, median."""
    start = time.perf_counter()
    _common.block(step(batches[0]))
    first_s = time.perf_counter() - start
    cycle = iter(batches[1:])
    timing = _common.time_calls(lambda: step(next(cycle)), len(batches) - 2, warmup=1)
    return dict(timing, first_call_s=first_s)


def _first_line(error):
    """The line of a TF error that names the failing op: TF's messages start with a generic
    "Graph execution error:" and a Python traceback of where the op was created."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    keywords = ("unsupported", "not supported", "No registered", "{{node")
    detail = next((line for line in reversed(lines) if any(k in line for k in keywords)), None)
    return f"{type(error).__name__}: {(detail or (lines[0] if lines else ''))[:400]}"


def all_cases():
    return {**CASES, **QUICK_CASES}


def summarize(rows, ceiling):
    """Achieved FLOP/s against the conv ceiling, per row and mode (FLOPs of the float32 graph)."""
    flops = {row["case"]: row.get("flops_per_step") for row in rows if "flops_per_step" in row}
    peak = max(ceiling["conv_gflops"], ceiling["matmul_gflops"]) * 1e9
    for row in rows:
        count = flops.get(row["case"])
        for mode in ("graph", "xla"):
            values = row.get(mode, {})
            if count and "median_ms" in values:
                values["gflops_per_s"] = count / values["median_ms"] / 1e6
                values["fraction_of_ceiling"] = count / (values["median_ms"] / 1000) / peak
    return rows


def table_rows(rows):
    table = []
    for row in rows:
        for mode in MODES:
            if mode not in row:
                continue
            values = row[mode]
            table.append({"case": row["case"], "batch": row["batch"],
                          "precision": row["precision"], "mode": mode,
                          "img/s": values.get("images_per_s"),
                          "step ms": values.get("median_ms"),
                          "of ceiling": values.get("fraction_of_ceiling"),
                          "traces": values.get("traces"),
                          "error": values.get("error", "")[:60] or None})
    return table


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--precisions", default=",".join(PRECISIONS))
    parser.add_argument("--modes", default=",".join(MODES),
                        help="graph (tf.function) and/or xla (jit_compile=True)")
    parser.add_argument("--repeats", type=_common.positive_int, default=3,
                        help="timed steps per mode (each on a new batch)")
    parser.add_argument("--batch", type=_common.positive_int, default=None,
                        help="override every case's batch size (default: the case's own)")
    parser.add_argument("--profile-steps", type=_common.positive_int, default=2)
    parser.add_argument("--timeout", type=_common.positive_int, default=1800,
                        help="seconds per child process")
    parser.add_argument("--quick", action="store_true",
                        help="tiny models, float32, graph mode only (XLA compiles take minutes)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.cases, args.repeats, args.profile_steps = ",".join(QUICK_CASES), 2, 1
        args.precisions, args.modes = "float32", "graph"
    args.cases, args.precisions = args.cases.split(","), args.precisions.split(",")
    args.modes = args.modes.split(",")
    for flag, values, allowed in (("--cases", args.cases, all_cases()),
                                  ("--precisions", args.precisions, PRECISIONS),
                                  ("--modes", args.modes, MODES)):
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            parser.error(f"{flag}: unknown {unknown}; choose from {sorted(allowed)}")
    return args


def main(argv=None):
    args = parse_args(argv)
    _common.quiet_tensorflow()
    if args.child:
        print(json.dumps(measure(args.child, args.precisions[0], args)))
        return
    rows = []
    for name in args.cases:
        for precision in args.precisions:
            child = ["--child", name, "--precisions", precision, "--repeats", str(args.repeats),
                     "--profile-steps", str(args.profile_steps), "--modes", ",".join(args.modes)]
            child += ["--batch", str(args.batch)] if args.batch else []
            rows.append(_common.run_child(__file__, child, args.timeout))
    ceiling = _common.compute_ceiling()
    document = {"benchmark": "train_step", "machine": _common.provenance(), "ceiling": ceiling,
                "results": summarize(rows, ceiling)}
    _common.emit(document, table_rows(rows),
                 ["case", "batch", "precision", "mode", "img/s", "step ms", "of ceiling", "traces",
                  "error"])


if __name__ == "__main__":
    main()
