"""The chaos floor's tables (experiments/chaos_floor.py): how far the final metrics of one arm and
seed move between runs that differ only in floating-point rounding, and each metric's own
sampling noise."""

import json
import os

import numpy as np

from an_tf.reports import study_stats

METRICS = tuple(study_stats.METRICS)


def run_spread(run_roots, arms, seeds):
    """{"<arm>/seed<k>": {"runs": {variant: {metric: value}}, metric: {"range", "std"}}} over
    the finished runs <root>/<arm>/seed<k>/result.json of each variant in `run_roots`
    ({variant: root}); "std" is the sample standard deviation."""
    spread = {}
    for arm in arms:
        for seed in seeds:
            runs = {}
            for variant, root in run_roots.items():
                path = os.path.join(root, arm, f"seed{seed}", "result.json")
                if os.path.exists(path):  # finished runs only
                    with open(path, encoding="utf-8") as stream:
                        result = json.load(stream)
                    runs[variant] = {metric: result[metric] for metric in METRICS}
            entry = {"runs": runs}
            for metric in METRICS:
                values = np.array([run[metric] for run in runs.values()])
                entry[metric] = {"range": float(np.ptp(values)) if len(values) else None,
                                 "std": study_stats.sample_std(values) if len(values) > 1
                                 else None}
            spread[f"{arm}/seed{seed}"] = entry
    return spread


def spread_markdown(spread):
    """The chaos floor: every run of each (arm, seed) and the range of each metric."""
    lines = ["| run | variant | accuracy | FD | intra-FD |", "| --- | --- | --- | --- | --- |"]
    for run, entry in spread.items():
        for variant, values in entry["runs"].items():
            lines.append(f"| {run} | {variant} | " + " | ".join(
                f"{values[m]:.3g}" for m in METRICS) + " |")
        if len(entry["runs"]) > 1:
            lines.append(f"| {run} | **range** | " + " | ".join(
                f"**{entry[m]['range']:.3g}**" for m in METRICS) + " |")
    return "\n".join(lines)


def noise_markdown(noise):
    """Each metric's own sampling noise: {"real_vs_real": [...], "sample_seeds": {...}}."""
    lines = ["| metric noise | accuracy | FD | intra-FD |", "| --- | --- | --- | --- |"]
    for index, pair in enumerate(noise["real_vs_real"]):
        lines.append(f"| real vs real, pair {index} | - | {pair['fd']:.3g} | "
                     f"{pair['intra_fd']:.3g} |")
    for run, scores in noise["sample_seeds"].items():
        for sample_seed, values in scores.items():
            lines.append(f"| {run}, sample seed {sample_seed} | " + " | ".join(
                f"{values[m]:.3g}" for m in METRICS) + " |")
    return "\n".join(lines)
