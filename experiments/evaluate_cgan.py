r"""Evaluates a cGAN run against its own data: FID / Intra-FID / IS as the paper (with the 2015 TF
Inception graph), or without any download, a small classifier's metrics (accuracy, FD, intra-FD,
IS-like; the classifier is trained once on the run's real images and its held-out accuracy is
reported with them; on the built-in shapes also AN's layouts against the objects).

    python -m experiments.evaluate_cgan --workdir=runs/cgan_imagenet128 \
        --inception_path=/data/inceptionv1_for_inception_score.pb        # the paper's table
    python -m experiments.evaluate_cgan --workdir=runs/cgan_demo       # download-free, ~1 min
    python -m experiments.evaluate_cgan --workdir=runs/cgan_photos --checkpoint=best

Writes <workdir>/evaluation_{inception,shapes,classifier}.json (or --output) and prints a
table (classes by name); real statistics are cached in <workdir>/eval_cache/.
"""

import os

from absl import app, flags

from an_tf.cgan import pipeline
from an_tf.cgan.evaluation import eval_tables, run_eval
from an_tf.data.imagenet import ImageNetArchivesMissingError
from an_tf.metrics.generator_eval import InceptionProtocol
from an_tf.training import create_strategy, run_dir
from experiments import common_flags


def define_flags(flag_values=flags.FLAGS):
    fv = {"flag_values": flag_values}
    if "workdir" not in flag_values:
        flags.DEFINE_string("workdir", None, "Directory of a cGAN run.", **fv)
    flags.DEFINE_string("inception_path", None, "Local inceptionv1_for_inception_score.pb or "
                        "classify_image_graph_def.pb (unset: download-free classifier metrics).",
                        **fv)
    common_flags.define_checkpoint_flag(flag_values)
    flags.DEFINE_integer("num_samples", None, "Generated samples (default 50000 with "
                         "--inception_path, else 5000).", lower_bound=10, **fv)
    flags.DEFINE_integer("num_splits", 10, "Inception Score splits.", lower_bound=1, **fv)
    flags.DEFINE_integer("intra_fid_samples_per_class", 5000, "Samples per class for Intra-FID "
                         "(0: skip).", lower_bound=0, **fv)
    flags.DEFINE_list("intra_fid_classes", [], "Classes averaged in Intra-FID (empty: all).", **fv)
    flags.DEFINE_string("split", "train", "Real split of the run's data for the Inception "
                        "statistics (train, or eval where the dataset has one).", **fv)
    flags.DEFINE_integer("num_real_examples", 0, "Real examples for the statistics (0: the whole "
                         "split with Inception; 5000 without).",
                         lower_bound=0, **fv)
    flags.DEFINE_integer("eval_batch_size", 100, "Global batch size.", lower_bound=1, **fv)
    flags.DEFINE_integer("eval_seed", 0, "Seed of the noise.", **fv)
    common_flags.define_classifier_flags(flag_values)
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
                                                   fv.split, fv.num_real_examples, strategy,
                                                   fv.checkpoint)
        names = pipeline.read_class_names(fv.workdir)
        return results, "inception", eval_tables.inception_table(results, names)
    results = run_eval.evaluate_download_free(
        fv.workdir, fv.classifier_dir, fv.num_samples or 5000, fv.num_real_examples or 5000,
        fv.eval_batch_size, fv.eval_seed, strategy,
        {"train_examples": fv.classifier_train_examples, "epochs": fv.classifier_epochs},
        fv.checkpoint)
    names = pipeline.read_class_names(fv.workdir)
    kind = "shapes" if "chance_layout_iou" in results else "classifier"
    return results, kind, eval_tables.classifier_table(results, names)


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
    run_dir.write_json(output, results, "the evaluation's results", indent=1, sort_keys=True)
    print(table + f"\n\nwritten to {output}", flush=True)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
