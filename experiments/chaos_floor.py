r"""The chaos floor of the cGAN study: how far the final metrics move between runs of the same
arm and seed that differ only in floating-point rounding, and each metric's own sampling noise.

    python -m experiments.chaos_floor --flagfile=experiments/configs/study_cgan.cfg \
        --study_workdir=runs/study_cgan8 --workdir=runs/chaos_floor --arms=an,none --seeds=0 \
        --perturb_seeds=1,2 --jobs=2

Variants of each (arm, seed), each a study run (an_tf.cgan.study) in <workdir>/<variant>/:
"onednn_off" (TF_ENABLE_ONEDNN_OPTS=0: other kernels, other rounding) and "ulp<k>" (every
initial weight of G and D moved one ulp, directions drawn with seed k); the baseline is the
study's own run in --study_workdir. Metric noise: the FD / intra-FD between two independent
sets of --eval_num_real real images (--noise_real_pairs pairs), and the baseline generators
scored with --noise_sample_seeds other sample seeds. Writes <workdir>/chaos_floor.{json,md}
(the runs that have finished) and <workdir>/chaos_floor_noise.{json,md}.
"""

import json
import os

from absl import flags

from an_tf.cgan import study
from an_tf.cgan.evaluation import metric_noise
from an_tf.reports import chaos_floor
from an_tf.reports.provenance import provenance
from experiments import cgan_flags, common_flags


def define_flags(flag_values=flags.FLAGS):
    cgan_flags.define_study_flags(flag_values)
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


def variants(fv):
    """[(name, hparams overrides, extra environment)] of the runs that differ in rounding."""
    ulps = [(f"ulp{seed}", {"perturb_init_ulps": 1, "perturb_seed": int(seed)}, {})
            for seed in fv.perturb_seeds]
    if not fv.onednn_off:
        return ulps
    unperturbed = {"perturb_init_ulps": 0, "perturb_seed": 0}
    return [("onednn_off", unperturbed, {"TF_ENABLE_ONEDNN_OPTS": "0"})] + ulps


def run_variants(fv, arms, seeds):
    """Trains and scores every variant's runs (finished runs are skipped)."""
    for name, overrides, environment in variants(fv):
        runs = cgan_flags.study_runs_from_flags(fv, os.path.join(fv.workdir, name), arms, seeds,
                                                **overrides)
        # Other kernels need a fresh process with that environment.
        study.run_all(runs, fv.jobs, fv.isolate or bool(environment), environment)


def measure_noise(fv, arms, seeds):
    """{"real_vs_real": [...], "sample_seeds": {"<arm>/seed<k>": {sample seed: scores}}}."""
    evaluation = cgan_flags.study_evaluation_from_flags(fv)
    sample_seeds = {}
    for arm in arms:
        for seed in seeds:
            workdir = os.path.join(fv.study_workdir, arm, f"seed{seed}")
            own = study.read_result(workdir)  # the study's own score, under the run seed
            sample_seeds[f"{arm}/seed{seed}"] = {
                str(seed): {metric: own[metric] for metric in metric_noise.METRICS},
                **metric_noise.sample_seed_scores(workdir, evaluation,
                                                  [int(s) for s in fv.noise_sample_seeds])}
    return {"real_vs_real": metric_noise.real_vs_real(evaluation, int(fv.resolution),
                                                      fv.num_classes, fv.noise_real_pairs),
            "sample_seeds": sample_seeds}


def _write(prefix, output, table):
    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    with open(prefix + ".json", "w", encoding="utf-8") as stream:
        json.dump(output, stream, indent=1)
    with open(prefix + ".md", "w", encoding="utf-8") as stream:
        stream.write(table + "\n")
    print(f"{table}\n\nwritten to {prefix}.*", flush=True)


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    fv = flag_values
    arms, seeds = tuple(fv.arms) or ("an", "none"), [int(seed) for seed in fv.seeds]
    if fv.run_variants:
        run_variants(fv, arms, seeds)
    common = {"provenance": provenance(fv.code_commit or None),
              "eval_num_samples": fv.eval_num_samples, "eval_num_real": fv.eval_num_real}
    roots = {"baseline": fv.study_workdir,
             **{name: os.path.join(fv.workdir, name) for name, _, _ in variants(fv)}}
    spread = chaos_floor.run_spread(roots, arms, seeds)
    _write(os.path.join(fv.workdir, "chaos_floor"), {"spread": spread, **common},
           chaos_floor.spread_markdown(spread))
    if fv.measure_noise:
        noise = measure_noise(fv, arms, seeds)
        _write(os.path.join(fv.workdir, "chaos_floor_noise"), {"metric_noise": noise, **common},
               chaos_floor.noise_markdown(noise))


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
