"""What the generated samples are compared with, for any dataset of a cGAN run: the feature
network (the Inception graph, or a small classifier) and the real images' statistics in its
feature space, computed once and cached under keys that include the dataset's identity
(`pipeline.dataset_identity`: a changed image folder gives new statistics, never stale ones).

Shape letters: B batch, R resolution, D features.
"""

import dataclasses

from an_tf.cgan import pipeline
from an_tf.metrics.class_features import cached_class_features
from an_tf.metrics.data_classifier import load_or_train_data_classifier
from an_tf.metrics.generator_eval import real_class_moments
from an_tf.metrics.shapes_classifier import load_or_train_classifier
from an_tf.metrics.shapes_eval import REAL_SEED, real_shapes
from an_tf.metrics.stats_cache import cache_path, cached_class_moments


@dataclasses.dataclass(frozen=True)
class ClassifierOptions:
    """The download-free classifier: cache directory, training examples and epochs (the shapes
    classifier trains on its own generated shapes; any other dataset's on the run's images)."""

    classifier_dir: str = "runs/shapes_classifier"
    train_examples: int = 6000
    epochs: int = 3


def real_batches(config, split="train", num_examples=0, batch_size=100, seed=0):
    """Numpy batches {"image", "label"} of the first `num_examples` (0: all) of the run's real
    `split` (deterministic, unaugmented: `pipeline.real_dataset`; `seed`: the run's --seed)."""
    dataset = pipeline.real_dataset(config, split=split, seed=seed)
    return dataset.take(num_examples or -1).batch(batch_size).as_numpy_iterator()


def inception_reference(workdir, config, network, split="train", num_real_examples=0,
                        batch_size=100, strategy=None, seed=0):
    """The `ClassFeatureStore` of `network`'s features of the run's real `split` (first
    `num_real_examples`, 0: all), cached per class on disk in <workdir>/eval_cache/."""
    directory = cache_path(workdir, dataset=config.dataset, split=split,
                           data=pipeline.dataset_identity(config, split=split, seed=seed),
                           resolution=config.resolution, examples=num_real_examples or "all",
                           inception=network.hash)[:-len(".npz")]
    return cached_class_features(directory, lambda store: real_class_moments(
        network, real_batches(config, split, num_real_examples, batch_size, seed), strategy,
        into=store))


def _held_out_dataset(config, seed):
    try:
        return pipeline.real_dataset(config, split="eval", seed=seed)
    except ValueError:  # no held-out split: the classifier holds out part of "train"
        return None


def _classifier_data_identity(config, seed):
    """The identity of the train split, and of the eval split when it exists (the classifier's
    held-out accuracy is measured there): a change of either trains a new classifier."""
    identity = pipeline.dataset_identity(config, split="train", seed=seed)
    if _held_out_dataset(config, seed) is None:
        return identity
    return identity[:8] + pipeline.dataset_identity(config, split="eval", seed=seed)[:8]


def check_download_free(config):
    """One-line ValueError when the download-free metrics cannot be had for this run (before
    any image is read: counts are checked when the classifier is trained)."""
    if config.num_classes < 2:
        raise ValueError(f"the download-free metrics need a dataset of at least 2 classes (a "
                         f"classifier of {config.num_classes} class measures nothing): pass "
                         f"--inception_path")


def load_classifier(config, options=ClassifierOptions(), seed=0):
    """The cached classifier of the run's data (trained first if absent): `ShapesClassifier`
    for the built-in shapes, else a `DataClassifier` of the run's real images. Raises a
    one-line ValueError when none can be trained (one class, too few images). `seed`: the
    run's --seed (the synthetic data depends on it)."""
    check_download_free(config)
    if config.dataset == "synthetic":
        return load_or_train_classifier(options.classifier_dir, config.resolution,
                                        config.num_classes, options.train_examples,
                                        options.epochs)
    return load_or_train_data_classifier(
        options.classifier_dir,
        lambda: (pipeline.real_dataset(config, split="train", seed=seed),
                 _held_out_dataset(config, seed)),
        _classifier_data_identity(config, seed), config.resolution,
        config.num_classes,
        options.train_examples, options.epochs)


def classifier_reference(workdir, config, classifier, num_real_examples=5000, batch_size=100,
                         strategy=None, seed=0):
    """`ClassMoments` of the classifier's features of real images, cached in
    <workdir>/eval_cache/: held-out generated shapes for the built-in shapes (as before), else
    the first `num_real_examples` of the run's training images."""
    if config.dataset == "synthetic":
        return cached_class_moments(
            workdir, lambda: real_class_moments(classifier, real_shapes(
                config.resolution, config.num_classes, num_real_examples, batch_size), strategy),
            dataset="synthetic", split=REAL_SEED, resolution=config.resolution,
            examples=num_real_examples, network=classifier.hash)
    return cached_class_moments(
        workdir, lambda: real_class_moments(classifier, real_batches(
            config, "train", num_real_examples, batch_size, seed), strategy),
        dataset=config.dataset, split="train",
        data=pipeline.dataset_identity(config, split="train", seed=seed),
        resolution=config.resolution,
        examples=num_real_examples, network=classifier.hash)
