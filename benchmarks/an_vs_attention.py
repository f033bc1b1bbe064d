"""Benchmark: Attentive Normalization against self-attention in the authors' timing setting
(Wang et al., CVPR 2020, supplement: batch 1, C = 32, n = 16; their RTX 2080 table gives AN
0.73 / 2.24 / 9.46 / 37.68 ms and self-attention 5.21 / 79.42 / OOM / OOM at 128^2 .. 1024^2).

Four layers, each in its own process (so its peak memory is its own): AN fused (the layer's
default), AN literal (Algorithm 1 verbatim), SA-GAN self-attention (`an_tf.layers.SelfAttention`,
keys and values 2x2 max-pooled) and unpooled self-attention (every position attends to every
position). Forward = inference call (training=False); forward+backward = training call and the
gradients of sum(y^2) w.r.t. the input and the weights. Median after one warm-up call, tf.function
graph mode (`--jit` for XLA). A (size, layer) whose computed memory need exceeds the budget is
reported as "does not fit" with that need, and is not run. Also: log-log slope of time against the
number of positions P = H*W, the self-attention / AN ratios, and a roofline of fused AN.

    python benchmarks/an_vs_attention.py [--sizes 64,128,256,512,1024] [--repeats 5] [--quick]

Shape letters: B batch, H = W = size, C channels, n entities, P = H*W positions, Q = P/4.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import _common  # noqa: E402

LAYERS = ("an_fused", "an_literal", "sa_pooled", "sa_unpooled")
MODES = ("forward", "forward_backward")
PAPER_MS = {128: (0.73, 5.21), 256: (2.24, 79.42), 512: (9.46, None), 1024: (37.68, None)}
PAPER_RATIO = {128: 5.21 / 0.73, 256: 79.42 / 2.24}
# Peak memory model, bytes = (a * P*C + b * P*C*n + c * P*P_keys) * 4 + 200 MB of runtime; the
# multipliers are the number of live float32 tensors of each size, upper bounds fitted on the
# measured peaks of this benchmark at 64^2 and 128^2 (1.03 and 2.97 P*Q tensors for
# self-attention, 2.3 and 6.5 P*C*n for literal AN); the JSON prints need and measured side by side.
_LIVE_TENSORS = {  # layer: {mode: (a, b, c)}
    "an_fused": {"forward": (14, 0, 0), "forward_backward": (40, 0, 0)},
    "an_literal": {"forward": (14, 3, 0), "forward_backward": (40, 8, 0)},
    "sa_pooled": {"forward": (14, 0, 1.5), "forward_backward": (40, 0, 3.5)},
    "sa_unpooled": {"forward": (14, 0, 1.5), "forward_backward": (40, 0, 3.5)},
}


def memory_need_gb(layer, mode, size, channels, entities):
    positions = size * size
    keys = positions // 4 if layer == "sa_pooled" else positions
    a, b, c = _LIVE_TENSORS[layer][mode]
    floats = a * positions * channels + b * positions * channels * entities + c * positions * keys
    return (4 * floats + 200 * 2**20) / 2**30


def build_layer(name, entities, seed=0):
    import keras  # noqa: PLC0415

    from an_tf.layers import AttentiveNormalization, SelfAttention  # noqa: PLC0415

    if name.startswith("an_"):
        return AttentiveNormalization(num_entities=entities, implementation=name[3:], seed=seed)
    layer = SelfAttention(name=name)
    if name == "sa_unpooled":
        # Same layer, keys and values at every position: the pool becomes the identity.
        layer.pool = keras.layers.Identity(name="no_pool")
    return layer


def measure(name, size, modes, args):
    """Child process: {mode: timing and peak RSS growth} of one layer at one size."""
    import keras  # noqa: PLC0415
    import tensorflow as tf  # noqa: PLC0415

    keras.utils.set_random_seed(0)
    x = tf.random.normal([args.batch, size, size, args.channels])  # (B,H,W,C)
    layer = build_layer(name, args.entities)
    layer.build(x.shape)
    if hasattr(layer, "gamma"):  # gamma = 0 would let a compiler drop the whole branch
        layer.gamma.assign(0.5)
    variables = layer.trainable_variables

    def forward(x):
        return layer(x, training=False)

    def forward_backward(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x, training=True)
            loss = tf.reduce_sum(tf.square(tf.cast(y, tf.float32)))
        return tape.gradient(loss, [x] + variables)

    functions = {"forward": forward, "forward_backward": forward_backward}
    results = {}
    for mode in modes:
        before = _common.peak_rss_mb()
        step = tf.function(functions[mode], jit_compile=args.jit)
        timing = _common.time_calls(lambda step=step: step(x), args.repeats)
        results[mode] = dict(timing, peak_rss_growth_mb=_common.peak_rss_mb() - before)
    return results


def run_layer(name, sizes, args, budget_gb):
    """Rows of one layer at `sizes`, measured in one child process (one per size in full runs, so
    that each peak is its own); modes whose memory need exceeds the budget are not run."""
    rows, fitting = [], {}
    for size in sizes:
        row = {"layer": name, "size": size, "positions": size * size}
        for mode in MODES:
            need = memory_need_gb(name, mode, size, args.channels, args.entities) * args.batch
            row[mode] = {"memory_need_gb": round(need, 3)}
            if need > budget_gb:
                row[mode]["status"] = f"does not fit: needs {need:.1f} GB > {budget_gb:.1f} GB"
            else:
                fitting.setdefault(size, []).append(mode)
        rows.append(row)
    if fitting:
        child = ["--child", name, "--sizes", ",".join(map(str, fitting)),
                 "--child-modes", ",".join(fitting[max(fitting)]),  # what fits at every size
                 "--repeats", str(args.repeats), "--batch", str(args.batch),
                 "--channels", str(args.channels), "--entities", str(args.entities)]
        measured = _common.run_child(__file__, child + (["--jit"] if args.jit else []),
                                     args.timeout)
        for row in rows:
            for mode, values in measured.get(str(row["size"]), {}).items():
                row[mode].update(values, status="measured")
    return rows


def summarize(rows, sizes):
    """Per-size SA/AN ratios (vs the paper's), and per-layer log-log slopes."""
    times = {(r["layer"], r["size"], mode): r[mode].get("median_ms")
             for r in rows for mode in MODES}
    ratios = []
    for size in sizes:
        for mode in MODES:
            an = times.get(("an_fused", size, mode))
            entry = {"size": size, "mode": mode, "paper_ratio": PAPER_RATIO.get(size)}
            for sa in ("sa_pooled", "sa_unpooled"):
                sa_ms = times.get((sa, size, mode))
                entry[f"{sa}_over_an"] = sa_ms / an if sa_ms and an else None
            ratios.append(entry)
    slopes = {}
    for layer in LAYERS:
        for mode in MODES:
            points = [(s * s, times[(layer, s, mode)]) for s in sizes
                      if times.get((layer, s, mode))]
            slopes[f"{layer}/{mode}"] = {"slope": _common.loglog_slope(points),
                                         "sizes": [int(p ** 0.5) for p, _ in points]}
    return ratios, slopes


def roofline(rows, ceiling, args):
    """Fused AN (the layer): measured time against the roofline max(FLOPs / matmul ceiling,
    bytes / bandwidth). Forward counts the five (P x n)(n x C) products of the fused form
    (10 P n C FLOPs) and only the bytes that must move (x and the layout in, y out); forward +
    backward counts 3x the FLOPs (each product's two gradient products) and 2x the bytes (dy in,
    dx and dS out). Lower bounds: the 1x1 convolutions and elementwise passes are left out."""
    out = []
    for row in (r for r in rows if r["layer"] == "an_fused"):
        positions = row["positions"] * args.batch
        flops = 10 * positions * args.entities * args.channels
        bytes_moved = 4 * positions * (2 * args.channels + args.entities)
        for mode, flop_factor, byte_factor in (("forward", 1, 1), ("forward_backward", 3, 2)):
            measured = row[mode].get("median_ms")
            if not measured:
                continue
            bound_ms = 1000 * max(flop_factor * flops / (ceiling["matmul_gflops"] * 1e9),
                                  byte_factor * bytes_moved / (ceiling["memory_gbps"] * 1e9))
            out.append({"size": row["size"], "mode": mode, "measured_ms": measured,
                        "roofline_ms": bound_ms, "measured_over_roofline": measured / bound_ms})
    return out


def table_rows(rows):
    table = []
    for row in rows:
        cells = {"layer": row["layer"], "size": f"{row['size']}^2"}
        for mode, label in (("forward", "fwd ms"), ("forward_backward", "fwd+bwd ms")):
            cells[label] = row[mode].get("median_ms") or (
                f"no fit ({row[mode]['memory_need_gb']:.0f} GB)")
            cells[f"{label.split()[0]} peak MB"] = row[mode].get("peak_rss_growth_mb")
        table.append(cells)
    return table


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=_common.int_list, default=[64, 128, 256, 512, 1024])
    parser.add_argument("--layers", default=",".join(LAYERS))
    parser.add_argument("--repeats", type=_common.positive_int, default=5)
    parser.add_argument("--batch", type=_common.positive_int, default=1)
    parser.add_argument("--channels", type=_common.positive_int, default=32)
    parser.add_argument("--entities", type=_common.positive_int, default=16)
    parser.add_argument("--memory-budget-gb", type=_common.positive_float, default=None,
                        help="skip what needs more (default: min(12, 0.6 * MemAvailable))")
    parser.add_argument("--timeout", type=_common.positive_int, default=900,
                        help="seconds per child process")
    parser.add_argument("--jit", action="store_true", help="jit_compile=True (XLA)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the test")
    parser.add_argument("--child", choices=LAYERS, help=argparse.SUPPRESS)
    parser.add_argument("--child-modes", default=",".join(MODES), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.layers = args.layers.split(",")
    unknown = sorted(set(args.layers) - set(LAYERS))
    if unknown:
        parser.error(f"--layers: unknown {unknown}; choose from {list(LAYERS)}")
    if args.channels < 8:
        parser.error("--channels must be >= 8 (self-attention uses C/8 key channels)")
    if any(size % 2 for size in args.sizes):
        parser.error("--sizes must be even (SA-GAN pools 2x2)")
    if args.quick:
        args.sizes, args.repeats = [16, 32], 2
    return args


def main(argv=None):
    args = parse_args(argv)
    _common.quiet_tensorflow()
    if args.child:
        import json  # noqa: PLC0415

        modes = args.child_modes.split(",")
        print(json.dumps({size: measure(args.child, size, modes, args) for size in args.sizes}))
        return
    budget = args.memory_budget_gb or min(12.0, 0.6 * _common.available_memory_gb())
    groups = [args.sizes] if args.quick else [[size] for size in args.sizes]
    rows = [row for sizes in groups for layer in args.layers
            for row in run_layer(layer, sizes, args, budget)]
    rows.sort(key=lambda row: (row["size"], LAYERS.index(row["layer"])))
    ratios, slopes = summarize(rows, args.sizes)
    ceiling = _common.compute_ceiling()
    document = {"benchmark": "an_vs_attention", "machine": _common.provenance(),
                "settings": {"batch": args.batch, "channels": args.channels,
                             "entities": args.entities, "repeats": args.repeats,
                             "mode": "xla" if args.jit else "graph",
                             "memory_budget_gb": round(budget, 2),
                             "one_process_per_size": not args.quick},
                "paper_ms_an_sa": {str(k): v for k, v in PAPER_MS.items()},
                "results": rows, "ratios": ratios, "loglog_slopes": slopes,
                "ceiling": ceiling, "roofline_an_fused": roofline(rows, ceiling, args)}
    _common.emit(document, table_rows(rows),
                 ["layer", "size", "fwd ms", "fwd peak MB", "fwd+bwd ms", "fwd+bwd peak MB"])


if __name__ == "__main__":
    main()
