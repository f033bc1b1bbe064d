r"""A small-scale reproduction of the paper's claims on the built-in synthetic shapes: every arm
trained with the same budget for each seed, then scored with the download-free metrics.

    python -m experiments.study_cgan --flagfile=experiments/configs/study_cgan.cfg --study=all
    python -m experiments.study_cgan --flagfile=experiments/configs/study_cgan.cfg \
        --study=attention --arms=an,self_attention,none --seeds=0,1,2,3,4,5,6,7 --jobs=2

Studies: attention (AN vs SA-GAN self-attention vs SN-GAN, and SN-GAN with the projection
discriminator), ssr (AN with vs without self-sampling regularization, supplement's ablation),
entity_init (AN's entities drawn from N(0, 1) as the paper vs orthogonal). Writes
<workdir>/<arm>/seed<k>/ (runs and result.json), <workdir>/study_<study>.{json,md} (mean ± std,
bootstrap intervals, AN − baseline with Mann-Whitney p, machine and commit: study_stats),
<workdir>/study_<study>_samples.png (per arm one row of samples, one of G's layouts for AN) and
study_<study>_seeds.png (one dot per run). Runs go --jobs at a time, each in its own process;
finished runs are skipped when the command is run again, a killed one is redone.
--perturb_init_ulps is the chaos floor's hook (experiments/chaos_floor.py).
"""

import concurrent.futures
import dataclasses
import json
import os
import platform
import resource
import subprocess
import sys
import time

import keras
import numpy as np
import tensorflow as tf
from absl import app, flags

from an_tf import training
from an_tf.cgan import pipeline, visualize
from an_tf.cgan.evaluation import run_eval
from an_tf.layers.attentive_normalization import orthogonality_losses
from an_tf.metrics.shapes_classifier import load_or_train_classifier
from an_tf.reports import study_plot, study_stats, study_table
from an_tf.training.summaries import save_png
from experiments import cgan, common_flags

ARMS = {  # arm -> (model flag overrides, AN options of the study)
    "an": ({"attention": "an"}, {}),
    "self_attention": ({"attention": "self_attention"}, {}),
    "none": ({"attention": "none"}, {}),
    "none_projection": ({"attention": "none", "conditioning": "projection"}, {}),
    "an_no_ssr": ({"attention": "an"}, {"ssr": False}),
    "an_orthogonal_init": ({"attention": "an"}, {"entity_init": "orthogonal"}),
}
STUDIES = {"attention": ("an", "self_attention", "none", "none_projection"),
           "ssr": ("an", "an_no_ssr"), "entity_init": ("an", "an_orthogonal_init")}
STUDIES["all"] = tuple(ARMS)


def define_flags(flag_values=flags.FLAGS):
    cgan.define_flags(flag_values)  # the training and model flags shared by every arm
    # --workdir is the study's root: the run of each arm and seed is <workdir>/<arm>/seed<k>.
    fv = {"flag_values": flag_values}
    flags.DEFINE_enum("study", "all", list(STUDIES), "Which comparison.", **fv)
    flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds of every arm.", **fv)
    flags.DEFINE_list("arms", [], f"Run only these arms of the study (of {', '.join(ARMS)}).",
                      **fv)
    # cgan.py may define the evaluation flags itself (eval during training): define the rest.
    shared = (("eval_num_samples", flags.DEFINE_integer, 2000, "Generated samples per evaluation.",
               {"lower_bound": 10}),
              ("classifier_dir", flags.DEFINE_string, "runs/shapes_classifier",
               "Shapes classifier cache.", {}),
              ("classifier_train_examples", flags.DEFINE_integer, 6000, "Its training set.",
               {"lower_bound": 1}),
              ("classifier_epochs", flags.DEFINE_integer, 3, "Its epochs.", {"lower_bound": 1}))
    for name, define, default, help_text, options in shared:
        if name not in flag_values:
            define(name, default, help_text, **options, **fv)
    flags.DEFINE_integer("eval_num_real", 2000, "Held-out real images for the statistics.",
                         lower_bound=10, **fv)
    flags.DEFINE_bool("isolate", True, "Each run in its own process, so peak RSS is the run's "
                      "own (in-process: the process's peak so far).", **fv)
    flags.DEFINE_integer("jobs", 1, "Runs at once, each in its own process (needs --isolate); "
                         "each child's output goes to <workdir>/<arm>/seed<k>.log.",
                         lower_bound=1, **fv)
    flags.DEFINE_bool("plot", True, "Also draw <workdir>/study_<study>_seeds.png (one dot per "
                      "run, per arm, per metric).", **fv)
    # The chaos floor (experiments/chaos_floor.py): the same seed, only the rounding changed.
    flags.DEFINE_integer("perturb_init_ulps", 0, "Internal: move every float weight of G and D "
                         "this many ulps (direction random per element) after building and "
                         "before training; 0 changes nothing.", lower_bound=0, **fv)
    flags.DEFINE_integer("perturb_seed", 0, "Internal: seed of the ulp directions.", **fv)
    flags.DEFINE_string("code_commit", "", "The commit the runs' code came from, recorded in the "
                        "outputs (default: git rev-parse HEAD of this checkout).", **fv)
    flags.DEFINE_string("run_arm", None, "Internal: run only this arm (with --run_seed).", **fv)
    flags.DEFINE_integer("run_seed", 0, "Internal: the seed of --run_arm.", **fv)


def perturb_ulps(weights, ulps, seed):
    """Moves every float variable of `weights` by `ulps` ulps (np.nextafter), towards +inf or
    -inf at random per element (numpy generator of `seed`): a change of rounding size only."""
    rng = np.random.default_rng(seed)
    for weight in weights:
        if not np.issubdtype(np.dtype(weight.dtype), np.floating):
            continue
        values = np.asarray(weight.numpy())
        target = np.where(rng.random(values.shape) < 0.5, -np.inf, np.inf).astype(values.dtype)
        for _ in range(ulps):
            values = np.nextafter(values, target)
        weight.assign(values)


def build_arm_gan(cgan_config, seed, ssr=True, entity_init="normal", record=None,
                  perturb_init_ulps=0, perturb_seed=0):
    """`pipeline.build_gan`, then the arm's AN changes on every AN layer of G and D: ssr=False
    sets the SSR weight to -1 (t = clip(w, 0, 1) = 0 with a zero gradient: SSR off for good);
    entity_init="orthogonal" gives orthonormal entities (orthogonality loss 0 at the start);
    perturb_init_ulps > 0 then nudges every weight of G and D (`perturb_ulps`)."""
    gan = pipeline.build_gan(cgan_config, seed)
    layers = [*gan.generator.an_layers().values(), *gan.discriminator.an_layers().values()]
    for index, layer in enumerate(layers):
        if not ssr:
            layer.ssr_weight.assign(-tf.ones_like(layer.ssr_weight))
        if entity_init == "orthogonal":
            kernel = layer.entity_conv.kernel  # (1,1,C,n)
            values = keras.initializers.Orthogonal(seed=seed * 100 + index)(kernel.shape[2:])
            kernel.assign(tf.reshape(values, kernel.shape))
    if perturb_init_ulps:
        perturb_ulps([*gan.generator.weights, *gan.discriminator.weights], perturb_init_ulps,
                     perturb_seed)
    if gan.ema_generator is not None:  # the EMA copy starts equal to G
        for ema_weight, weight in zip(gan.ema_generator.weights, gan.generator.weights):
            ema_weight.assign(weight)
    if record is not None and gan.generator.an_layers():
        record["initial_g_orthogonality_loss"] = float(orthogonality_losses(gan.generator))
    return gan


class _StepTimer:
    """A `sample_fn` that only records when each sampling step is reached: seconds per step
    between the first and last call, so tracing and start-up are excluded."""

    def __init__(self):
        self.times = []

    def __call__(self, model, step):
        self.times.append((step, time.perf_counter()))
        return {}

    def seconds_per_step(self):
        (first_step, first), (last_step, last) = self.times[0], self.times[-1]
        return (last - first) / max(last_step - first_step, 1)


def run_arm(fv, arm, seed):
    """Trains and evaluates one (arm, seed); returns its result record (cached in result.json)."""
    workdir = os.path.join(fv.workdir, arm, f"seed{seed}")
    result_path = os.path.join(workdir, "result.json")
    if os.path.exists(result_path):
        with open(result_path, encoding="utf-8") as stream:
            return json.load(stream)
    overrides, an_changes = ARMS[arm]
    hparams = {**common_flags.flag_values_dict(fv), **overrides, "seed": seed,
               "workdir": workdir, "study_arm": arm, **an_changes}
    cgan_config = pipeline.cgan_config_from_hparams(hparams)
    config = dataclasses.replace(common_flags.training_config_from_flags(fv), workdir=workdir,
                                 seed=seed, export_dir=None)
    record, timer = {"arm": arm, "seed": seed}, _StepTimer()
    started = time.time()
    perturb = {"perturb_init_ulps": fv.perturb_init_ulps, "perturb_seed": fv.perturb_seed}
    result = training.run_training(
        config, lambda: build_arm_gan(cgan_config, seed, record=record, **an_changes, **perturb),
        pipeline.make_dataset_fn(cgan_config, config.batch_size, seed), sample_fn=timer,
        hparams=hparams)
    record.update(train_seconds=time.time() - started, seconds_per_step=timer.seconds_per_step(),
                  final_losses=result.metrics)
    record.update(run_eval.evaluate_on_shapes(
        workdir, fv.classifier_dir, fv.eval_num_samples, fv.eval_num_real, seed=seed,
        classifier_options={"train_examples": fv.classifier_train_examples,
                            "epochs": fv.classifier_epochs}))
    record["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open(result_path, "w", encoding="utf-8") as stream:
        json.dump(record, stream, indent=1, sort_keys=True)
    return record


def _run_isolated(fv, arm, seed):
    """run_arm in a fresh Python process (same command line), so peak memory is the run's own;
    with --jobs > 1 its output goes to <workdir>/<arm>/seed<k>.log. Returns the exit code."""
    command = [sys.executable, "-m", "experiments.study_cgan", *sys.argv[1:],
               f"--run_arm={arm}", f"--run_seed={seed}"]
    if fv.jobs == 1:
        return subprocess.run(command, check=False).returncode
    os.makedirs(os.path.join(fv.workdir, arm), exist_ok=True)
    with open(os.path.join(fv.workdir, arm, f"seed{seed}.log"), "a", encoding="utf-8") as log:
        return subprocess.run(command, stdout=log, stderr=subprocess.STDOUT,
                              check=False).returncode


def run_all(fv, arms, seeds):
    """Every (arm, seed) without a result.json, seed-major (a stopped study has every arm's first
    seeds), at most --jobs at once in child processes; a killed run is redone (it resumes from its
    last checkpoint). The classifier is trained first, here, so that no two children race."""
    pending = [(arm, seed) for seed in seeds for arm in arms
               if not os.path.exists(os.path.join(fv.workdir, arm, f"seed{seed}", "result.json"))]
    if not fv.isolate:
        for arm, seed in pending:
            run_arm(fv, arm, seed)
        return
    if pending:
        load_or_train_classifier(fv.classifier_dir, int(fv.resolution), fv.num_classes,
                                 fv.classifier_train_examples, fv.classifier_epochs)
    with concurrent.futures.ThreadPoolExecutor(fv.jobs) as pool:
        codes = list(pool.map(lambda pair: _run_isolated(fv, *pair), pending))
    failed = [f"{arm}/seed{seed}" for (arm, seed), code in zip(pending, codes) if code]
    if failed:
        raise RuntimeError(f"runs failed (see their logs): {', '.join(failed)}")


def samples_table(fv, arms):
    """(rows, K, R, R, 3): per arm one row of seed-0 samples (one per class), and for AN arms a
    row of G's argmax layouts."""
    rows = []
    for arm in arms:
        gan, config, _ = run_eval.restore_gan(os.path.join(fv.workdir, arm, f"seed{fv.seeds[0]}"))
        labels = np.arange(config.num_classes, dtype=np.int32)
        z = np.random.default_rng(1234).standard_normal((len(labels), config.z_dim))
        generator = gan.sampling_generator
        if generator.an_layers():
            table = visualize.layout_table(generator, z.astype(np.float32), labels)  # (K,2,...)
            rows += [table[:, 0], table[:, 1]]
        else:
            rows.append(np.asarray(generator(z.astype(np.float32), labels, training=False)))
    return np.stack(rows)


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    fv, seeds = flag_values, [int(seed) for seed in flag_values.seeds]
    if fv.run_arm:
        run_arm(fv, fv.run_arm, fv.run_seed)
        return
    arms, started = tuple(fv.arms) or STUDIES[fv.study], time.time()
    unknown = sorted(set(arms) - set(ARMS))
    if unknown:
        raise app.UsageError(f"--arms: unknown arms {unknown}, expected some of {list(ARMS)}")
    if fv.jobs > 1 and not fv.isolate:
        raise app.UsageError("--jobs > 1 needs --isolate (each run in its own process)")
    run_all(fv, arms, seeds)
    records = [run_arm(fv, arm, seed) for arm in arms for seed in seeds]
    write_outputs(fv, arms, seeds, records, time.time() - started)


def provenance(fv):
    """{"machine", "code_commit"}: the CPU the numbers come from and the code's commit."""
    machine = platform.machine()
    if os.path.exists("/proc/cpuinfo"):
        with open("/proc/cpuinfo", encoding="utf-8") as stream:
            info = stream.read()
        model = next((line.split(":", 1)[1].strip() for line in info.splitlines()
                      if line.startswith("model name")), machine)
        features = set(next((line.split(":", 1)[1].split() for line in info.splitlines()
                             if line.startswith("flags")), []))
        extras = [name for name in ("avx512f", "amx_tile", "avx512_bf16") if name in features]
        machine = f"{os.cpu_count()}x {model} ({', '.join(extras) or 'no avx512/amx'})"
    commit = fv.code_commit
    if not commit:
        try:
            commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True,
                                    check=True, cwd=os.path.dirname(__file__)).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            commit = "unknown (not a git checkout: pass --code_commit)"
    return {"machine": machine, "code_commit": commit}


def write_outputs(fv, arms, seeds, records, wall_seconds):
    """<workdir>/study_<study>.{json,md} (means, intervals, tests), _samples.png, _seeds.png."""
    summary = study_table.summarize(records)
    reference = "an" if "an" in arms else arms[0]
    statistics = study_stats.study_statistics(records, reference=reference)
    table = (study_table.markdown_table(summary) + "\n\n"
             + study_stats.markdown_tables(statistics, reference=reference))
    prefix = os.path.join(fv.workdir, f"study_{fv.study}")
    with open(prefix + ".json", "w", encoding="utf-8") as stream:
        json.dump({"study": fv.study, "seeds": seeds, "summary": summary,
                   "statistics": statistics, "records": records,
                   "run_seconds": sum(r.get("train_seconds", 0) for r in records),
                   "wall_seconds": wall_seconds, "jobs": fv.jobs, **provenance(fv),
                   "bootstrap": {"resamples": study_stats.NUM_RESAMPLES,
                                 "seed": study_stats.BOOTSTRAP_SEED, "kind": "percentile"}},
                  stream, indent=1)
    with open(prefix + ".md", "w", encoding="utf-8") as stream:
        stream.write(table + "\n")
    save_png(prefix + "_samples.png", visualize.table_picture(samples_table(fv, arms)))
    if fv.plot:
        study_plot.plot_per_seed(statistics, prefix + "_seeds.png",
                                 title=f"{len(seeds)} seeds per arm, {fv.train_steps} steps")
    print(f"{table}\n\nstudy {fv.study}: {wall_seconds:.0f} s, written to {prefix}.*",
          flush=True)

if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
