"""Evaluating a cGAN run's workdir: restore the generator (EMA if enabled) from its latest
checkpoint, then either the published Inception metrics or the download-free shapes metrics.
Used by experiments/evaluate_cgan.py and experiments/study_cgan.py."""

import json
import os

import keras
import tensorflow as tf

from an_tf import training
from an_tf.cgan import pipeline
from an_tf.data.imagenet import load_imagenet
from an_tf.metrics.generator_eval import evaluate_generator, real_class_moments
from an_tf.metrics.inception import InceptionNetwork
from an_tf.metrics.shapes_classifier import load_or_train_classifier
from an_tf.metrics.shapes_eval import (REAL_SEED, chance_layout_iou,
                                       discriminator_layout_metrics,
                                       evaluate_generator_on_shapes, real_shapes)
from an_tf.metrics.class_features import cached_class_features
from an_tf.metrics.stats_cache import cache_path, cached_class_moments

# The paper's Table (ImageNet 128x128): FID, Intra-FID, IS.
PAPER_ROWS = (("SN-GAN (paper)", 27.62, 92.4, 36.80), ("SA-GAN (paper)", 18.65, 83.7, 52.52),
              ("AN (paper)", 17.84, 83.4, 46.57))


def read_hparams(workdir):
    """The "hparams" of <workdir>/config.json; FileNotFoundError (one line) if absent."""
    path = os.path.join(workdir, "config.json")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} not found: --workdir must be a cGAN run directory")
    with open(path, encoding="utf-8") as stream:
        return json.load(stream)["hparams"]


def restore_gan(workdir, strategy=None):
    """(gan, CGANConfig, step) of the latest checkpoint of `workdir`, built as trained."""
    hparams = read_hparams(workdir)
    policy = hparams.get("mixed_precision") or "none"
    keras.config.set_dtype_policy("float32" if policy == "none" else policy)
    config = pipeline.cgan_config_from_hparams(hparams)
    with (strategy or tf.distribute.get_strategy()).scope():
        gan = pipeline.build_gan(config)
    step = training.restore_model_for_export(workdir, gan)
    return gan, config, step


def _real_batches(config, split, num_examples, batch_size):
    if config.dataset == "synthetic":
        return real_shapes(config.resolution, config.num_classes, num_examples or 10000,
                           batch_size)
    dataset = load_imagenet(split, config.resolution, data_dir=config.data_dir,
                            manual_dir=config.manual_dir, shuffle_files=False)
    return dataset.take(num_examples or -1).batch(batch_size).as_numpy_iterator()


def evaluate_with_inception(workdir, inception_path, protocol, split="train",
                            num_real_examples=0, strategy=None):
    """FID / IS / Intra-FID of a run (`InceptionProtocol`); real features over the first
    `num_real_examples` of `split` (0: all) cached in <workdir>/eval_cache/ (per class, on disk:
    ~10 GB for the whole ImageNet train split)."""
    network = InceptionNetwork(inception_path)
    gan, config, step = restore_gan(workdir, strategy)
    # Per-class features on disk (Intra-FID at ImageNet scale), keyed by everything they depend on.
    directory = cache_path(workdir, dataset=config.dataset,
                           split=split if config.dataset != "synthetic" else REAL_SEED,
                           resolution=config.resolution, examples=num_real_examples or "all",
                           inception=network.hash)[:-len(".npz")]
    real = cached_class_features(directory, lambda store: real_class_moments(
        network, _real_batches(config, split, num_real_examples, protocol.batch_size), strategy,
        into=store))
    results = evaluate_generator(gan.sampling_generator, network, real, protocol, strategy)
    return {"step": step, "inception": network.kind, "inception_hash": network.hash,
            "real_examples": real.overall().count, **results}


def evaluate_on_shapes(workdir, classifier_dir, num_samples=5000, num_real_examples=5000,
                       batch_size=100, seed=0, strategy=None, classifier_options=None):
    """The download-free metrics of a run on the synthetic shapes (see shapes_eval)."""
    gan, config, step = restore_gan(workdir, strategy)
    if config.dataset != "synthetic":
        raise ValueError(f"the download-free metrics need a --dataset=synthetic run, this one is "
                         f"{config.dataset}: pass --inception_path")
    classifier = load_or_train_classifier(classifier_dir, config.resolution, config.num_classes,
                                          **(classifier_options or {}))
    real = cached_class_moments(
        workdir, lambda: real_class_moments(classifier, real_shapes(
            config.resolution, config.num_classes, num_real_examples, batch_size), strategy),
        dataset="synthetic", split=REAL_SEED, resolution=config.resolution,
        examples=num_real_examples, network=classifier.hash)
    results = evaluate_generator_on_shapes(gan.sampling_generator, classifier, real, num_samples,
                                           batch_size, seed, strategy=strategy)
    layout_batches = list(real_shapes(config.resolution, config.num_classes, 512, batch_size,
                                      seed=REAL_SEED + 1))
    results.update(discriminator_layout_metrics(gan.discriminator, layout_batches, strategy))
    return {"step": step, "classifier_accuracy": classifier.accuracy,
            "chance_layout_iou": chance_layout_iou(layout_batches), **results}


def inception_table(results, name="this run"):
    """Markdown table in the paper's layout (FID, Intra-FID, IS), the paper's rows first."""
    lines = ["| model | FID | Intra-FID | IS |", "| --- | --- | --- | --- |"]
    lines += [f"| {row} | {fid:.2f} | {intra:.1f} | {score:.2f} |"
              for row, fid, intra, score in PAPER_ROWS]
    intra = results.get("intra_fid")
    lines.append(f"| {name} (step {results['step']}, {results['num_samples']} samples) | "
                 f"{results['fid']:.2f} | {'-' if intra is None else f'{intra:.1f}'} | "
                 f"{results['inception_score']:.2f} ± {results['inception_score_std']:.2f} |")
    return "\n".join(lines)


def shapes_table(results):
    """Markdown table metric | value of the download-free metrics."""
    lines = ["| metric | value |", "| --- | --- |"]
    for name, value in results.items():
        lines.append(f"| {name} | {value:.4g} |" if isinstance(value, float)
                     else f"| {name} | {value} |")
    return "\n".join(lines)
