"""A small CNN classifier of any labelled image dataset, trained once on the run's own real
training images and cached: the download-free stand-in for the Inception network on the user's
data (its features give FD / intra-FD, its predictions the accuracy of generated samples w.r.t.
their label and an IS-like score). Its held-out accuracy on real images is kept with it and
reported next to every score: a classifier that cannot tell the real classes apart says little
about the generated ones.

Training set: the dataset's "train" images except every `HOLD_OUT_EVERY`-th (held out for the
accuracy), or all of them when the dataset has an "eval" split (then held out), at most
`max_examples`. Deterministic and independent of the global random state (seeded initializers,
NumPy shuffling), so it can be trained in the middle of a GAN run without changing it.

Shape letters: B batch, R resolution, D = 64 features, K classes.
"""

import json
import os

import keras
import numpy as np
from absl import logging

from an_tf.metrics.streaming import dequantize, quantize

VERSION = 1  # bump when the architecture or the training changes: invalidates cached files
FEATURES = 64
HOLD_OUT_EVERY = 10
MIN_EXAMPLES_PER_CLASS = 2  # below this (on average) no classifier is worth training


def build_data_classifier(resolution, num_classes, seed=0):
    """Keras model images (B, R, R, 3) in [-1, 1] -> [features (B, D), logits (B, K)], with
    seeded initializers (no global random state used)."""
    seeds = iter(range(seed * 100, seed * 100 + 100))

    def kernel():
        return keras.initializers.GlorotUniform(seed=next(seeds))

    images = keras.Input((resolution, resolution, 3))
    h = images
    for width in (16, 32, 64, 64)[:max(1, min(4, resolution.bit_length() - 3))]:
        h = keras.layers.Conv2D(width, 3, padding="same", activation="relu",
                                kernel_initializer=kernel())(h)
        h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    features = keras.layers.Dense(FEATURES, activation="relu", name="features",
                                  kernel_initializer=kernel())(h)
    logits = keras.layers.Dense(num_classes, name="logits", kernel_initializer=kernel())(features)
    return keras.Model(images, [features, logits], name="data_classifier")


class DataClassifier:
    """Callable uint8 images (B, R, R, 3) -> (features (B, D), logits (B, K)), like
    `InceptionNetwork`; `accuracy` is the held-out accuracy on real images, `hash` the cache
    name (part of the real statistics' cache key)."""

    def __init__(self, model, accuracy, identifier, info=None):
        self.model, self.accuracy, self.hash = model, accuracy, identifier
        self.info = info or {}

    def __call__(self, pixels):
        features, logits = self.model(dequantize(pixels), training=False)
        return features, logits


def _arrays(dataset, keep=None, limit=None, batch_size=256):
    """(uint8 images (N, R, R, 3), int labels (N,)) of a {"image", "label"} dataset, quantized
    like generated images; `keep(indices) -> bool mask` selects examples, `limit` caps them."""
    images, labels, start, count = [], [], 0, 0
    for batch in dataset.batch(batch_size).as_numpy_iterator():
        index = np.arange(start, start + len(batch["label"]))
        start += len(index)
        mask = np.ones(len(index), bool) if keep is None else keep(index)
        images.append(quantize(batch["image"][mask]).numpy())
        labels.append(np.asarray(batch["label"])[mask].astype(np.int64))
        count += int(mask.sum())
        if limit and count >= limit:
            break
    if not images:
        return np.zeros((0, 1, 1, 3), np.uint8), np.zeros((0,), np.int64)
    return np.concatenate(images)[:limit or None], np.concatenate(labels)[:limit or None]


def split_examples(train, held_out=None, max_examples=10000):
    """(train arrays, held-out arrays) of `train` / `held_out` datasets: with no held-out
    dataset, every HOLD_OUT_EVERY-th train example is held out."""
    if held_out is not None:
        return _arrays(train, limit=max_examples), _arrays(held_out, limit=max_examples)
    return (_arrays(train, lambda i: i % HOLD_OUT_EVERY != 0, max_examples),
            _arrays(train, lambda i: i % HOLD_OUT_EVERY == 0, max(max_examples // 9, 1)))


def check_trainable(num_train, num_held_out, num_classes):
    """ValueError (one line) when no useful classifier can be trained from these counts."""
    if num_classes < 2:
        raise ValueError("the download-free metrics need a dataset of at least 2 classes (a "
                         "classifier of 1 class measures nothing): pass --inception_path")
    if num_train < MIN_EXAMPLES_PER_CLASS * num_classes or num_held_out < 1:
        raise ValueError(f"the download-free metrics need at least {MIN_EXAMPLES_PER_CLASS} real "
                         f"training images per class and 1 held out, this dataset gives "
                         f"{num_train} for {num_classes} classes and {num_held_out} held out")


def _fit(model, images, labels, epochs, seed, batch_size=64):
    trainer = keras.Model(model.input, model.outputs[1])
    trainer.compile(keras.optimizers.Adam(2e-3),
                    keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    rng = np.random.default_rng(seed)
    for _ in range(epochs):  # NumPy shuffling: tf.data's would depend on TF's global seed
        order = rng.permutation(len(images))
        trainer.fit(dequantize(images[order]), labels[order], batch_size=batch_size, epochs=1,
                    shuffle=False, verbose=0)


def accuracy_of(classifier, images, labels, batch_size=250):
    correct = 0
    for start in range(0, len(images), batch_size):
        _, logits = classifier(images[start:start + batch_size])
        correct += int(np.sum(np.argmax(logits, -1) == labels[start:start + batch_size]))
    return correct / max(len(images), 1)


def load_or_train_data_classifier(cache_dir, datasets, identity, resolution, num_classes,
                                  max_examples=10000, epochs=5, seed=0):
    """The cached classifier of this data and these settings in `cache_dir`, else trained on
    `datasets()` -> (train dataset, held-out dataset or None) and cached.

    Args:
        identity: a short hash of the data (changes when the data changes): part of the name.
    """
    name = (f"data_classifier_v{VERSION}_{identity}_r{resolution}_k{num_classes}"
            f"_n{max_examples}_e{epochs}_s{seed}")
    weights_path = os.path.join(cache_dir, name + ".weights.h5")
    info_path = os.path.join(cache_dir, name + ".json")
    model = build_data_classifier(resolution, num_classes, seed)
    if os.path.exists(weights_path) and os.path.exists(info_path):
        model.load_weights(weights_path)
        with open(info_path, encoding="utf-8") as stream:
            info = json.load(stream)
        return DataClassifier(model, info["accuracy"], name, info)
    train, held_out = split_examples(*datasets(), max_examples=max_examples)
    check_trainable(len(train[0]), len(held_out[0]), num_classes)
    logging.info("training the data classifier %s on %d real images (once; cached in %s)", name,
                 len(train[0]), cache_dir)
    _fit(model, *train, epochs, seed)
    classifier = DataClassifier(model, None, name)
    classifier.accuracy = accuracy_of(classifier, *held_out)
    classifier.info = {"accuracy": classifier.accuracy, "train_examples": len(train[0]),
                       "held_out_examples": len(held_out[0]), "epochs": epochs}
    os.makedirs(cache_dir, exist_ok=True)
    model.save_weights(weights_path + ".tmp.weights.h5")
    os.replace(weights_path + ".tmp.weights.h5", weights_path)
    with open(info_path, "w", encoding="utf-8") as stream:
        json.dump(classifier.info, stream)
    logging.info("data classifier: held-out accuracy %.4f on %d real images",
                 classifier.accuracy, len(held_out[0]))
    return classifier
