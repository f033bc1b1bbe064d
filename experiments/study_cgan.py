r"""A small-scale reproduction of the paper's claims on the built-in synthetic shapes: every arm
trained with the same budget for each seed, then scored with the download-free metrics.

    python -m experiments.study_cgan --flagfile=experiments/configs/study_cgan.cfg --study=all

Studies: attention (AN vs SA-GAN self-attention vs SN-GAN, and SN-GAN with the projection
discriminator), ssr (AN with vs without self-sampling regularization, supplement's ablation),
entity_init (AN's entities drawn from N(0, 1) as the paper vs orthogonal). Writes
<workdir>/<arm>/seed<k>/ (runs and result.json), <workdir>/study_<study>.{json,md} and
<workdir>/study_<study>_samples.png (per arm one row of samples, one of G's layouts for AN).
Finished arms are skipped when the command is run again.
"""

import dataclasses
import json
import os
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
from an_tf.layers.attentive_normalization import orthogonality_losses
from an_tf.metrics import run_eval, study_table
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
    flags.DEFINE_integer("eval_num_samples", 2000, "Generated samples per evaluation.",
                         lower_bound=10, **fv)
    flags.DEFINE_integer("eval_num_real", 2000, "Held-out real images for the statistics.",
                         lower_bound=10, **fv)
    flags.DEFINE_string("classifier_dir", "runs/shapes_classifier", "Shapes classifier cache.",
                        **fv)
    flags.DEFINE_integer("classifier_train_examples", 6000, "Its training set.", lower_bound=1,
                         **fv)
    flags.DEFINE_integer("classifier_epochs", 3, "Its epochs.", lower_bound=1, **fv)
    flags.DEFINE_bool("isolate", True, "Each run in its own process, so peak RSS is the run's "
                      "own (in-process: the process's peak so far).", **fv)
    flags.DEFINE_string("run_arm", None, "Internal: run only this arm (with --run_seed).", **fv)
    flags.DEFINE_integer("run_seed", 0, "Internal: the seed of --run_arm.", **fv)


def build_arm_gan(cgan_config, seed, ssr=True, entity_init="normal", record=None):
    """`pipeline.build_gan`, then the arm's AN changes on every AN layer of G and D: ssr=False
    sets the SSR weight to -1 (t = clip(w, 0, 1) = 0 with a zero gradient: SSR off for good);
    entity_init="orthogonal" gives orthonormal entities (orthogonality loss 0 at the start)."""
    gan = pipeline.build_gan(cgan_config, seed)
    layers = [*gan.generator.an_layers().values(), *gan.discriminator.an_layers().values()]
    for index, layer in enumerate(layers):
        if not ssr:
            layer.ssr_weight.assign(-tf.ones_like(layer.ssr_weight))
        if entity_init == "orthogonal":
            kernel = layer.entity_conv.kernel  # (1,1,C,n)
            values = keras.initializers.Orthogonal(seed=seed * 100 + index)(kernel.shape[2:])
            kernel.assign(tf.reshape(values, kernel.shape))
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
    result = training.run_training(
        config, lambda: build_arm_gan(cgan_config, seed, record=record, **an_changes),
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


def _run_isolated(arm, seed):
    """run_arm in a fresh Python process (same command line), so peak memory is the run's own."""
    command = [sys.executable, "-m", "experiments.study_cgan", *sys.argv[1:],
               f"--run_arm={arm}", f"--run_seed={seed}"]
    subprocess.run(command, check=True)


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
    for arm in arms:
        for seed in seeds:
            if fv.isolate:
                _run_isolated(arm, seed)
            run_arm(fv, arm, seed)  # reads the isolated run's result.json
    records = [run_arm(fv, arm, seed) for arm in arms for seed in seeds]
    summary = study_table.summarize(records)
    table = study_table.markdown_table(summary)
    prefix = os.path.join(fv.workdir, f"study_{fv.study}")
    with open(prefix + ".json", "w", encoding="utf-8") as stream:
        json.dump({"study": fv.study, "seeds": seeds, "summary": summary, "records": records,
                   "wall_seconds": time.time() - started}, stream, indent=1)
    with open(prefix + ".md", "w", encoding="utf-8") as stream:
        stream.write(table + "\n")
    save_png(prefix + "_samples.png", visualize.table_picture(samples_table(fv, arms)))
    print(f"{table}\n\nstudy {fv.study}: {time.time() - started:.0f} s, written to {prefix}.*",
          flush=True)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
