r"""Evaluates a cGAN run: FID / Intra-FID / IS as the paper (with the 2015 TF Inception graph), or
without any download, the synthetic-shapes metrics (docs/evaluation.md).

    python -m experiments.evaluate_cgan --workdir=runs/cgan_imagenet128 \
        --inception_path=/data/inceptionv1_for_inception_score.pb        # the paper's table
    python -m experiments.evaluate_cgan --workdir=runs/cgan_demo       # download-free, ~1 min

Writes <workdir>/evaluation_inception.json or evaluation_shapes.json (or --output) and prints a
table; real statistics are cached in <workdir>/eval_cache/.
"""

import json
import os

from absl import app, flags

from an_tf.data.imagenet import ImageNetArchivesMissingError
from an_tf.metrics import run_eval
from an_tf.metrics.generator_eval import InceptionProtocol
from an_tf.training import create_strategy
from experiments import common_flags


def define_flags(flag_values=flags.FLAGS):
    fv = {"flag_values": flag_values}
    if "workdir" not in flag_values:
        flags.DEFINE_string("workdir", None, "Directory of a cGAN run.", **fv)
    flags.DEFINE_string("inception_path", None, "Local inceptionv1_for_inception_score.pb or "
                        "classify_image_graph_def.pb (unset: download-free shapes metrics).", **fv)
    flags.DEFINE_integer("num_samples", None, "Generated samples (default 50000 with "
                         "--inception_path, else 5000).", lower_bound=10, **fv)
    flags.DEFINE_integer("num_splits", 10, "Inception Score splits.", lower_bound=1, **fv)
    flags.DEFINE_integer("intra_fid_samples_per_class", 5000, "Samples per class for Intra-FID "
                         "(0: skip).", lower_bound=0, **fv)
    flags.DEFINE_list("intra_fid_classes", [], "Classes averaged in Intra-FID (empty: all).", **fv)
    flags.DEFINE_string("split", "train", "Real split for the Inception statistics (ImageNet).",
                        **fv)
    flags.DEFINE_integer("num_real_examples", 0, "Real examples for the statistics (0: the whole "
                         "split with Inception; 5000 held-out shapes without).",
                         lower_bound=0, **fv)
    flags.DEFINE_integer("eval_batch_size", 100, "Global batch size.", lower_bound=1, **fv)
    flags.DEFINE_integer("eval_seed", 0, "Seed of the noise.", **fv)
    flags.DEFINE_string("classifier_dir", "runs/shapes_classifier", "Cache of the shapes "
                        "classifier (trained there once, ~30 s).", **fv)
    flags.DEFINE_integer("classifier_train_examples", 6000, "Shapes classifier training set.",
                         lower_bound=1, **fv)
    flags.DEFINE_integer("classifier_epochs", 3, "Shapes classifier epochs.", lower_bound=1, **fv)
    flags.DEFINE_enum("eval_strategy", "default", ["default", "mirrored", "tpu"],
                      "tf.distribute strategy of the evaluation.", **fv)
    flags.DEFINE_string("output", None, "JSON output (default: in the workdir).", **fv)


def _evaluate(fv, strategy):
    if fv.inception_path:
        protocol = InceptionProtocol(
            num_samples=fv.num_samples or 50000, num_splits=fv.num_splits,
            intra_fid_samples_per_class=fv.intra_fid_samples_per_class,
            intra_fid_classes=tuple(int(c) for c in fv.intra_fid_classes) or None,
            batch_size=fv.eval_batch_size, seed=fv.eval_seed)
        results = run_eval.evaluate_with_inception(fv.workdir, fv.inception_path, protocol,
                                                   fv.split, fv.num_real_examples, strategy)
        return results, "inception", run_eval.inception_table(results)
    results = run_eval.evaluate_on_shapes(
        fv.workdir, fv.classifier_dir, fv.num_samples or 5000, fv.num_real_examples or 5000,
        fv.eval_batch_size, fv.eval_seed, strategy,
        {"train_examples": fv.classifier_train_examples, "epochs": fv.classifier_epochs})
    return results, "shapes", run_eval.shapes_table(results)


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    if not flag_values.workdir:
        raise app.UsageError("--workdir is required")
    strategy = create_strategy(flag_values.eval_strategy)
    try:
        results, kind, table = _evaluate(flag_values, strategy)
    except (FileNotFoundError, ValueError, ImageNetArchivesMissingError) as error:
        raise SystemExit(f"error: {error}") from None  # one line, exit code 1
    output = flag_values.output or os.path.join(flag_values.workdir, f"evaluation_{kind}.json")
    with open(output, "w", encoding="utf-8") as stream:
        json.dump(results, stream, indent=1, sort_keys=True)
    print(table + f"\n\nwritten to {output}", flush=True)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
