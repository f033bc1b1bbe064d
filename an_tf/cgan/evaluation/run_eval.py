"""Evaluating a cGAN run's workdir against the run's own data: restore the generator (EMA if
enabled) from a checkpoint (latest, best or a step), then either the published Inception metrics
(real statistics streamed from the run's training data) or the download-free metrics (a small
classifier: the shapes classifier on the built-in shapes, else one trained once on the run's real
images; its held-out accuracy is reported with every score). Used by experiments/evaluate_cgan.py,
experiments/study_cgan.py and the evaluation during training (training_eval)."""

import keras
import tensorflow as tf

from an_tf import training
from an_tf.cgan import pipeline
from an_tf.cgan.evaluation import references
from an_tf.metrics.classifier_eval import evaluate_with_classifier
from an_tf.metrics.generator_eval import evaluate_generator
from an_tf.metrics.inception import InceptionNetwork
from an_tf.metrics.shapes_eval import (REAL_SEED, chance_layout_iou,
                                       discriminator_layout_metrics, real_shapes)
from an_tf.training import run_dir


def read_hparams(workdir):
    """The "hparams" of <workdir>/config.json; FileNotFoundError (one line) if absent."""
    return run_dir.read_hparams(workdir, "cGAN run")


def run_seed(workdir):
    """The run's --seed (its synthetic data depends on it)."""
    return int(read_hparams(workdir).get("seed") or 0)


def restore_gan(workdir, strategy=None, checkpoint="latest"):
    """(gan, CGANConfig, step) of a checkpoint of `workdir` ("latest", "best" or a step), built
    as trained: under the run's dtype policy (the optimizers' structure depends on it), the
    caller's global policy restored afterwards. FileNotFoundError (one line) without the run's
    config.json or such a checkpoint."""
    hparams = read_hparams(workdir)
    policy = hparams.get("mixed_precision") or "none"
    config = pipeline.cgan_config_from_hparams(hparams)
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy("float32" if policy == "none" else policy)
    try:
        with (strategy or tf.distribute.get_strategy()).scope():
            gan = pipeline.build_gan(config)
        step = training.restore_model_for_export(workdir, gan, checkpoint=checkpoint)
    finally:
        keras.config.set_dtype_policy(previous)
    return gan, config, step


def evaluate_with_inception(workdir, inception_path, protocol, split="train",
                            num_real_examples=0, strategy=None, checkpoint="latest", source=None):
    """FID / IS / Intra-FID of a run (`InceptionProtocol`) against the run's own data (`source`;
    default: the data source of the run's config): real features over the first
    `num_real_examples` of `split` (0: all) cached in <workdir>/eval_cache/ (per class, on
    disk: ~10 GB for the whole ImageNet train split)."""
    network = InceptionNetwork(inception_path)
    gan, config, step = restore_gan(workdir, strategy, checkpoint)
    source = source or pipeline.make_data_source(config)
    real = references.inception_reference(workdir, config, source, network, split,
                                          num_real_examples, protocol.batch_size, strategy,
                                          run_seed(workdir))
    results = evaluate_generator(gan.sampling_generator, network, real, protocol, strategy)
    return {"step": step, "inception": network.kind, "inception_hash": network.hash,
            "real_examples": real.overall().count, **results}


def evaluate_download_free(workdir, classifier_dir, num_samples=5000, num_real_examples=5000,
                           batch_size=100, seed=0, strategy=None, classifier_options=None,
                           checkpoint="latest", source=None):
    """The download-free metrics of a run of any dataset (see classifier_eval), with the
    classifier's held-out accuracy on real images ("classifier_accuracy"); on the built-in
    shapes also AN's layouts against the objects. `source`: the run's data source (default:
    the one of the run's config)."""
    gan, config, step = restore_gan(workdir, strategy, checkpoint)
    source = source or pipeline.make_data_source(config)
    options = references.ClassifierOptions(classifier_dir, **(classifier_options or {}))
    classifier = references.load_classifier(config, source, options, run_seed(workdir))
    real = references.classifier_reference(workdir, config, source, classifier,
                                           num_real_examples, batch_size, strategy,
                                           run_seed(workdir))
    shapes = config.dataset == "synthetic"
    results = evaluate_with_classifier(gan.sampling_generator, classifier, real, num_samples,
                                       batch_size, seed, strategy=strategy, shapes_layouts=shapes)
    results.update(step=step, classifier_accuracy=classifier.accuracy,
                   classifier=classifier.hash)
    if shapes:  # D's layouts need the objects' masks, which only the built-in shapes have
        layout_batches = list(real_shapes(config.resolution, config.num_classes, 512,
                                          batch_size, seed=REAL_SEED + 1))
        results.update(discriminator_layout_metrics(gan.discriminator, layout_batches,
                                                    strategy),
                       chance_layout_iou=chance_layout_iou(layout_batches))
    return results


