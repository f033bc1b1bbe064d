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
from experiments import cgan_flags, common_flags



def define_flags(flag_values=flags.FLAGS):
    """Defines the shared training flags and the cGAN flags (once per FlagValues)."""
    cgan_flags.define_flags(flag_values)


def _evaluator(flag_values, cgan_config, source):
    """The evaluate_fn used every --eval_every steps (run_training decides whether it runs and
    checks it before training: one line when no metric is available)."""
    fv = flag_values
    return CGANEvaluator(
        cgan_config, source, fv.workdir, fv.eval_num_samples, fv.eval_batch_size, fv.seed,
        fv.inception_path or None, fv.eval_num_real_examples,
        references.ClassifierOptions(fv.classifier_dir, fv.classifier_train_examples,
                                     fv.classifier_epochs), data_seed=fv.seed,
        best_metric=fv.best_metric or None)


def _prepare_data(flag_values, cgan_config):
    """(config with the data's num_classes, the prepared data source, class names): one-line
    errors for bad data, a --num_classes that disagrees with it, or a workdir trained on other
    classes. The one data source of the run: training and evaluation read it."""
    source = pipeline.make_data_source(cgan_config).prepare()
    names = source.class_names()
    if source.classes_from_data:
        if flag_values["num_classes"].present and flag_values.num_classes != len(names):
            raise app.UsageError(f"--num_classes={flag_values.num_classes} but the data has "
                                 f"{len(names)} classes: drop --num_classes (it is inferred)")
        cgan_config = dataclasses.replace(cgan_config, num_classes=len(names))
    pipeline.check_class_names(flag_values.workdir, names)
    return cgan_config, source, names


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
    cgan_config, source, names = _prepare_data(flag_values, cgan_config)
    hparams["num_classes"] = cgan_config.num_classes

    real_batch = source.picture_batch_fn(config.seed)  # D's layout pictures (None: none)
    try:
        result = training.run_training(
            config,
            build_model=lambda: _build_model(cgan_config, config, names),
            make_dataset=pipeline.make_dataset_fn(source, config.batch_size, config.seed),
            sample_fn=make_sample_fn(cgan_config.num_classes, cgan_config.z_dim, real_batch,
                                     class_names=names),
            export_fn=pipeline.make_export_fn(names),
            hparams=hparams, evaluate_fn=_evaluator(flag_values, cgan_config, source),
            mutable_settings=cgan_flags.MUTABLE_FLAGS)
    except ImageNetArchivesMissingError as error:
        raise SystemExit(f"error: {error}") from None  # one line, exit code 1
    metrics = ", ".join(f"{k} {v:.4g}" for k, v in sorted(result.metrics.items()))
    summary = f"done: step {result.step}, workdir {result.workdir}"
    print(summary + (f", {metrics}" if metrics else ""), flush=True)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
