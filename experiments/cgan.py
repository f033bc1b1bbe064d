r"""Trains the AN class-conditional GAN (Wang et al., CVPR 2020) under tf.distribute.

    python -m experiments.cgan --flagfile=experiments/configs/cgan_demo.cfg        # CPU, minutes
    python -m experiments.cgan --flagfile=experiments/configs/cgan_imagenet128.cfg # the paper
    python -m experiments.cgan --dataset=image_folder --image_folder=DIR --resolution=64 ...
    python -m experiments.cgan --flagfile=experiments/configs/cgan_cifar10.cfg     # tfds cifar10

Running the same command again resumes from the latest checkpoint in --workdir.
"""

import dataclasses

from absl import app, flags
import tensorflow as tf

from an_tf import training
from an_tf.cgan import pipeline
from an_tf.cgan.evaluation import references
from an_tf.cgan.evaluation.training_eval import CGANEvaluator
from an_tf.cgan.visualize import make_sample_fn
from an_tf.data.imagenet import ImageNetArchivesMissingError
from an_tf.data.synthetic_shapes import load_synthetic_shapes
from an_tf.metrics.inception import check_inception_file
from experiments import common_flags

def define_flags(flag_values=flags.FLAGS):
    """Defines the shared training flags and the cGAN flags (once per FlagValues)."""
    common_flags.define_training_flags(flag_values)
    if "g_an_resolutions" in flag_values:
        return
    _define_data_flags(flag_values)
    _define_model_flags(flag_values)
    _define_eval_flags(flag_values)
    _register_validators(flag_values)


def _define_data_flags(flag_values):
    fv = {"flag_values": flag_values}
    flags.DEFINE_enum("dataset", "imagenet2012", pipeline.DATASETS, "Training data.", **fv)
    flags.DEFINE_string("data_dir", None, "tfds data directory (default: tfds' own).", **fv)
    flags.DEFINE_string("manual_dir", None, "Directory with ILSVRC2012_img_{train,val}.tar "
                        "(default: <data_dir>/downloads/manual).", **fv)
    flags.DEFINE_integer("synthetic_examples", 50000, "Size of the synthetic dataset.",
                         lower_bound=1, **fv)
    flags.DEFINE_string("image_folder", None, "--dataset=image_folder: DIR/<class>/<images> "
                        "(or DIR/train/<class>/ and DIR/eval/<class>/; no subfolders: one "
                        "class).", **fv)
    flags.DEFINE_string("tfds_name", None, "--dataset=tfds: a tfds image classification "
                        "dataset prepared in --data_dir (e.g. cifar10).", **fv)
    flags.DEFINE_string("tfds_split", "train", "--dataset=tfds: training split.", **fv)
    flags.DEFINE_string("tfds_image_key", "image", "--dataset=tfds: image feature.", **fv)
    flags.DEFINE_string("tfds_label_key", "label", "--dataset=tfds: ClassLabel feature.", **fv)
    flags.DEFINE_bool("random_crop", False, "image_folder/tfds: random square crops (>= 80%% of "
                      "the shorter side) instead of the centre square.", **fv)
    flags.DEFINE_bool("random_flip", False, "image_folder/tfds: random horizontal flips.", **fv)
    flags.DEFINE_enum("resolution", "128", ["32", "64", "128"], "Image size.", **fv)
    flags.DEFINE_integer("num_classes", 1000, "Number of classes (1000 for ImageNet; inferred "
                         "for image_folder/tfds).", lower_bound=1, **fv)


def _define_model_flags(flag_values):
    fv = {"flag_values": flag_values}
    flags.DEFINE_integer("z_dim", 128, "Noise size.", lower_bound=1, **fv)
    flags.DEFINE_integer("channels", 64, "Base width (64: the paper's 1024-channel widest "
                         "block).", lower_bound=1, **fv)
    flags.DEFINE_list("g_an_resolutions", ["32"], "Output resolutions of G's blocks with "
                      "attention.", **fv)
    flags.DEFINE_list("d_an_resolutions", ["32"], "Output resolutions of D's blocks with "
                      "attention (AN runs before the block's pooling, at twice that).", **fv)
    flags.DEFINE_enum("attention", "an", ["an", "self_attention", "none"],
                      "AN, SA-GAN self-attention or none (SN-GAN).", **fv)
    flags.DEFINE_enum("conditioning", "concat", ["concat", "projection"], "How D sees the label.",
                      **fv)
    flags.DEFINE_integer("embedding_dim", 128, "D's class-embedding size (concat).",
                         lower_bound=1, **fv)
    flags.DEFINE_integer("num_entities", 16, "AN's number of semantic entities n.",
                         lower_bound=1, **fv)
    flags.DEFINE_float("g_lr", 1e-4, "G's Adam learning rate.", lower_bound=0.0, **fv)
    flags.DEFINE_float("d_lr", 4e-4, "D's Adam learning rate.", lower_bound=0.0, **fv)
    flags.DEFINE_float("beta1", 0.0, "Adam beta1.", lower_bound=0.0, upper_bound=1.0, **fv)
    flags.DEFINE_float("beta2", 0.9, "Adam beta2.", lower_bound=0.0, upper_bound=1.0, **fv)
    flags.DEFINE_integer("d_steps", 1, "D steps per G step.", lower_bound=1, **fv)
    flags.DEFINE_float("ema_decay", 0.0, "EMA decay of G's weights (0: no EMA).",
                       lower_bound=0.0, upper_bound=0.99999, **fv)


def _define_eval_flags(flag_values):
    """Evaluation during training (an_tf.cgan.evaluation.training_eval): flags that never change
    the training, so they may change when a run is resumed."""
    fv = {"flag_values": flag_values}
    flags.DEFINE_integer("eval_every", 0, "Evaluate the sampling generator every N steps and at "
                         "the end (TensorBoard eval/..., <workdir>/metrics.jsonl, best checkpoint "
                         "in <workdir>/checkpoints/best/); 0: never.", lower_bound=0, **fv)
    flags.DEFINE_integer("eval_num_samples", 1000, "Generated samples per evaluation.",
                         lower_bound=10, **fv)
    flags.DEFINE_integer("eval_batch_size", 100, "Evaluation batch size.", lower_bound=1, **fv)
    flags.DEFINE_integer("eval_num_real_examples", 5000, "Real training images for the real "
                         "statistics (0: all), computed once and cached in <workdir>/eval_cache/.",
                         lower_bound=0, **fv)
    flags.DEFINE_string("inception_path", None, "2015 Inception frozen graph (FID, IS); unset: "
                        "the download-free classifier metrics (accuracy, FD, intra-FD).", **fv)
    common_flags.define_classifier_flags(flag_values)


def _evaluator(flag_values, cgan_config):
    """The evaluate_fn of --eval_every (None when 0), checked before training: one line when no
    metric is available (a missing Inception file, a dataset of one class)."""
    fv = flag_values
    if not fv.eval_every:
        return None
    if fv.inception_path:
        check_inception_file(fv.inception_path)
    else:
        references.check_download_free(cgan_config)
    return CGANEvaluator(
        cgan_config, fv.workdir, fv.eval_num_samples, fv.eval_batch_size, fv.seed,
        fv.inception_path or None, fv.eval_num_real_examples,
        references.ClassifierOptions(fv.classifier_dir, fv.classifier_train_examples,
                                     fv.classifier_epochs), data_seed=fv.seed)


def _register_validators(flag_values):
    """Checks failing with one line naming the flag (architecture checks happen in main)."""
    for name in ("g_an_resolutions", "d_an_resolutions"):
        flags.register_validator(
            name, lambda values: all(v.isdigit() and int(v) in (4, 8, 16, 32, 64, 128)
                                     for v in values),
            message=f"--{name} must be a comma-separated list of block output resolutions "
                    "among 4,8,16,32,64,128", flag_values=flag_values)
    flags.register_multi_flags_validator(
        ["dataset", "num_classes"],
        lambda f: f["dataset"] != "imagenet2012" or f["num_classes"] == 1000,
        message="--dataset=imagenet2012 needs --num_classes=1000", flag_values=flag_values)
    flags.register_multi_flags_validator(
        ["resolution", "num_classes", "channels", "g_an_resolutions", "d_an_resolutions",
         "attention", "conditioning", "dataset", "image_folder", "tfds_name"],
        _check_architecture, flag_values=flag_values)


def _check_architecture(values):
    """The networks' own argument checks (CGANConfig), as a flag validator: one line."""
    try:
        pipeline.cgan_config_from_hparams(values)
    except ValueError as error:
        raise flags.ValidationError(str(error)) from None
    return True


def _prepare_data(flag_values, cgan_config):
    """(config with the data's num_classes, prepared data, class names): one-line errors for bad
    data, a --num_classes that disagrees with it, or a workdir trained on other classes."""
    data = pipeline.prepare_data(cgan_config)
    names = pipeline.class_names(cgan_config)
    if cgan_config.dataset in ("image_folder", "tfds"):
        if flag_values["num_classes"].present and flag_values.num_classes != len(names):
            raise app.UsageError(f"--num_classes={flag_values.num_classes} but the data has "
                                 f"{len(names)} classes: drop --num_classes (it is inferred)")
        cgan_config = dataclasses.replace(cgan_config, num_classes=len(names))
    pipeline.check_class_names(flag_values.workdir, names)
    return cgan_config, data, names


def _real_batch_fn(cgan_config, seed, data):
    """fn() -> 16 real images for D's layout pictures (None for ImageNet). Called at the first
    sample: no TF op may run before run_training has set up the devices."""

    def held_out_batch():
        """Held-out shapes with object masks, to score D's layouts."""
        return next(iter(load_synthetic_shapes(cgan_config.resolution, cgan_config.num_classes,
                                               16, seed=seed + 1).batch(16)))

    def own_batch():
        """16 training images of mixed classes (the shuffled stream's first, centre crops)."""
        plain = dataclasses.replace(cgan_config, random_crop=False, random_flip=False)
        return next(iter(pipeline.training_stream(plain, data, seed, 0, None).batch(16)))

    return {"synthetic": held_out_batch, "image_folder": own_batch,
            "tfds": own_batch}.get(cgan_config.dataset)


def _build_model(cgan_config, config, names):
    """run_training's build_model: it runs once the workdir's settings are accepted, so the class
    names are written (by the chief) only for a run that is not refused."""
    if training.is_chief(tf.distribute.get_strategy()):
        pipeline.write_class_names(config.workdir, names)
    return pipeline.build_gan(cgan_config, seed=config.seed)


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    config = common_flags.training_config_from_flags(flag_values)
    hparams = common_flags.flag_values_dict(flag_values)
    try:
        cgan_config = pipeline.cgan_config_from_hparams(hparams)
    except ValueError as error:  # when main is called without the flag validators
        raise app.UsageError(str(error)) from None
    # Own data: checked (and its classes counted) before anything is written to the workdir.
    cgan_config, data, names = _prepare_data(flag_values, cgan_config)
    hparams["num_classes"] = cgan_config.num_classes

    real_batch = _real_batch_fn(cgan_config, config.seed, data)
    try:
        evaluate_fn = _evaluator(flag_values, cgan_config)
    except ValueError as error:  # no metric available for --eval_every: before any training
        raise app.UsageError(f"--eval_every: {error}") from None
    config = dataclasses.replace(config, eval_every=flag_values.eval_every,
                                 best_metric=evaluate_fn.best_metric if evaluate_fn else None)
    try:
        result = training.run_training(
            config,
            build_model=lambda: _build_model(cgan_config, config, names),
            make_dataset=pipeline.make_dataset_fn(cgan_config, config.batch_size, config.seed,
                                                  data),
            sample_fn=make_sample_fn(cgan_config.num_classes, cgan_config.z_dim, real_batch,
                                     class_names=names),
            export_fn=pipeline.make_export_fn(names),
            hparams=hparams, evaluate_fn=evaluate_fn)
    except ImageNetArchivesMissingError as error:
        raise SystemExit(f"error: {error}") from None  # one line, exit code 1
    metrics = ", ".join(f"{k} {v:.4g}" for k, v in sorted(result.metrics.items()))
    summary = f"done: step {result.step}, workdir {result.workdir}"
    print(summary + (f", {metrics}" if metrics else ""), flush=True)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
