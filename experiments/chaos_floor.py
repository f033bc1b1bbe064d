r"""The chaos floor of the cGAN study: how far the final metrics move between runs of the same
arm and seed that differ only in floating-point rounding, and each metric's own sampling noise.

    python -m experiments.chaos_floor --flagfile=experiments/configs/study_cgan.cfg \
        --study_workdir=runs/study_cgan8 --workdir=runs/chaos_floor --arms=an,none --seeds=0 \
        --perturb_seeds=1,2 --jobs=2

Variants of each (arm, seed), each run by experiments.study_cgan in <workdir>/<variant>/:
"onednn_off" (TF_ENABLE_ONEDNN_OPTS=0: other kernels, other rounding) and "ulp<k>" (every
initial weight of G and D moved one ulp, directions drawn with seed k); the baseline is the
study's own run in --study_workdir. Metric noise: the FD / intra-FD between two independent
sets of --eval_num_real real images (--noise_real_pairs pairs), and the baseline generators
scored with --noise_sample_seeds other sample seeds. Writes <workdir>/chaos_floor.{json,md}
(the runs that have finished) and <workdir>/chaos_floor_noise.{json,md}.
"""

import json
import os
import subprocess
import sys

import numpy as np
from absl import flags

from an_tf.cgan.evaluation import run_eval
from an_tf.metrics.generator_eval import real_class_moments
from an_tf.metrics.intra_fid import fid_of, intra_fid
from an_tf.metrics.shapes_classifier import load_or_train_classifier
from an_tf.metrics.shapes_eval import REAL_SEED, real_shapes
from an_tf.reports import study_stats
from experiments import common_flags, study_cgan

METRICS = tuple(study_stats.METRICS)
OWN_FLAGS = ("study_workdir", "perturb_seeds", "onednn_off", "noise_real_pairs",
             "noise_sample_seeds", "workdir", "run_variants", "measure_noise", "arms", "seeds",
             "plot", "perturb_init_ulps",
             "perturb_seed")


def define_flags(flag_values=flags.FLAGS):
    study_cgan.define_flags(flag_values)
    fv = {"flag_values": flag_values}
    flags.DEFINE_string("study_workdir", "runs/study_cgan8", "The study whose runs are the "
                        "baselines (<study_workdir>/<arm>/seed<k>).", **fv)
    flags.DEFINE_list("perturb_seeds", ["1", "2"], "One ulp-perturbed run per seed.", **fv)
    flags.DEFINE_bool("onednn_off", True, "Also a run with TF_ENABLE_ONEDNN_OPTS=0.", **fv)
    flags.DEFINE_integer("noise_real_pairs", 3, "Pairs of independent real sets.", lower_bound=1,
                         **fv)
    flags.DEFINE_list("noise_sample_seeds", ["1", "2"], "Other sample seeds of the baselines.",
                      **fv)
    flags.DEFINE_bool("run_variants", True, "Train the variants (else: tabulate the finished "
                      "ones).", **fv)
    flags.DEFINE_bool("measure_noise", True, "Also the metric noise (chaos_floor_noise.*).", **fv)


def _variants(fv):
    """[(name, extra flags, extra environment)]."""
    variants = [("onednn_off", [], {"TF_ENABLE_ONEDNN_OPTS": "0"})] if fv.onednn_off else []
    return variants + [(f"ulp{seed}", ["--perturb_init_ulps=1", f"--perturb_seed={seed}"], {})
                       for seed in fv.perturb_seeds]


def _forwarded_args():
    """The command line without this script's own flags (the children get their own)."""
    return [arg for arg in sys.argv[1:]
            if arg.lstrip("-").split("=")[0].removeprefix("no") not in OWN_FLAGS]


def run_variants(fv, arms, seeds):
    """Runs every variant through experiments.study_cgan (finished runs are skipped there)."""
    for name, extra, environment in _variants(fv):
        command = [sys.executable, "-m", "experiments.study_cgan", *_forwarded_args(),
                   f"--workdir={os.path.join(fv.workdir, name)}", f"--arms={','.join(arms)}",
                   f"--seeds={','.join(map(str, seeds))}", "--noplot", *extra]
        subprocess.run(command, check=True, env={**os.environ, **environment})


def _result(workdir):
    with open(os.path.join(workdir, "result.json"), encoding="utf-8") as stream:
        return json.load(stream)


def run_spread(fv, arms, seeds):
    """{arm/seed: {"runs": {variant: {metric: value}}, metric: {"range", "std"}}}."""
    spread = {}
    for arm in arms:
        for seed in seeds:
            directories = {"baseline": os.path.join(fv.study_workdir, arm, f"seed{seed}")}
            directories.update({name: os.path.join(fv.workdir, name, arm, f"seed{seed}")
                                for name, _, _ in _variants(fv)})
            directories = {name: d for name, d in directories.items()  # finished runs only
                           if os.path.exists(os.path.join(d, "result.json"))}
            runs = {name: {m: _result(d)[m] for m in METRICS}
                    for name, d in directories.items()}
            entry = {"runs": runs}
            for metric in METRICS:
                values = np.array([run[metric] for run in runs.values()])
                entry[metric] = {"range": float(np.ptp(values)) if len(values) else None,
                                 "std": float(np.std(values, ddof=1)) if len(values) > 1 else None}
            spread[f"{arm}/seed{seed}"] = entry
    return spread


def metric_noise(fv, arms, seeds):
    """FD / intra-FD of independent real sets, and the baselines under other sample seeds."""
    resolution = int(fv.resolution)
    classifier = load_or_train_classifier(fv.classifier_dir, resolution, fv.num_classes,
                                          fv.classifier_train_examples, fv.classifier_epochs)
    real_pairs = []
    for pair in range(fv.noise_real_pairs):
        first, second = (real_class_moments(classifier, real_shapes(
            resolution, fv.num_classes, fv.eval_num_real, seed=REAL_SEED + 100 + 2 * pair + k))
            for k in range(2))
        real_pairs.append({"fd": fid_of(first.overall(), second.overall()),
                           "intra_fd": intra_fid(first, second)[0]})
    sample_seeds = {}
    for arm in arms:
        for seed in seeds:
            workdir = os.path.join(fv.study_workdir, arm, f"seed{seed}")
            scores = {str(seed): {m: _result(workdir)[m] for m in METRICS}}  # the study's own
            for sample_seed in (int(s) for s in fv.noise_sample_seeds):
                result = run_eval.evaluate_on_shapes(
                    workdir, fv.classifier_dir, fv.eval_num_samples, fv.eval_num_real,
                    seed=sample_seed, classifier_options={
                        "train_examples": fv.classifier_train_examples,
                        "epochs": fv.classifier_epochs})
                scores[str(sample_seed)] = {m: result[m] for m in METRICS}
            sample_seeds[f"{arm}/seed{seed}"] = scores
    return {"real_vs_real": real_pairs, "sample_seeds": sample_seeds}


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
    """Each metric's own sampling noise."""
    lines = ["| metric noise | accuracy | FD | intra-FD |", "| --- | --- | --- | --- |"]
    for index, pair in enumerate(noise["real_vs_real"]):
        lines.append(f"| real vs real, pair {index} | - | {pair['fd']:.3g} | "
                     f"{pair['intra_fd']:.3g} |")
    for run, scores in noise["sample_seeds"].items():
        for sample_seed, values in scores.items():
            lines.append(f"| {run}, sample seed {sample_seed} | " + " | ".join(
                f"{values[m]:.3g}" for m in METRICS) + " |")
    return "\n".join(lines)


def _write(prefix, output, table):
    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    with open(prefix + ".json", "w", encoding="utf-8") as stream:
        json.dump(output, stream, indent=1)
    with open(prefix + ".md", "w", encoding="utf-8") as stream:
        stream.write(table + "\n")
    print(f"{table}\n\nwritten to {prefix}.*", flush=True)


def main(argv, flag_values=flags.FLAGS):
    del argv
    fv = flag_values
    arms, seeds = tuple(fv.arms) or ("an", "none"), [int(seed) for seed in fv.seeds]
    if fv.run_variants:
        run_variants(fv, arms, seeds)
    common = {"provenance": study_cgan.provenance(fv), "eval_num_samples": fv.eval_num_samples,
              "eval_num_real": fv.eval_num_real}
    spread = run_spread(fv, arms, seeds)
    _write(os.path.join(fv.workdir, "chaos_floor"), {"spread": spread, **common},
           spread_markdown(spread))
    if fv.measure_noise:
        noise = metric_noise(fv, arms, seeds)
        _write(os.path.join(fv.workdir, "chaos_floor_noise"), {"metric_noise": noise, **common},
               noise_markdown(noise))

if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
