"""A small CNN classifier of the built-in synthetic shapes, trained by the project once and cached:
the download-free stand-in for the Inception network (its penultimate features give FID-like
distances, its predictions an IS-like score and the accuracy of generated samples).

Shape letters: B batch, R resolution, D = 64 features, K classes.
"""

import json
import os

import keras
import numpy as np
from absl import logging

from an_tf.data.synthetic_shapes import load_synthetic_shapes
from an_tf.metrics.streaming import dequantize, quantize

VERSION = 1  # bump when the architecture or the training changes: invalidates cached files
TRAIN_SEED, TEST_SEED = 7001, 7002  # datasets disjoint from the GAN runs' (seeds 0, 1, ...)
FEATURES = 64


def build_classifier(resolution, num_classes):
    """Keras model images (B, R, R, 3) in [-1, 1] -> [features (B, D), logits (B, K)]."""
    images = keras.Input((resolution, resolution, 3))
    h = images
    for width in (16, 32, 64):
        h = keras.layers.Conv2D(width, 3, padding="same", activation="relu")(h)
        h = keras.layers.MaxPooling2D()(h)
    h = keras.layers.GlobalAveragePooling2D()(h)
    features = keras.layers.Dense(FEATURES, activation="relu", name="features")(h)
    logits = keras.layers.Dense(num_classes, name="logits")(features)
    return keras.Model(images, [features, logits], name="shapes_classifier")


def _dataset(resolution, num_classes, num_examples, seed, batch_size):
    # Quantized like generated images are before evaluation.
    return load_synthetic_shapes(resolution, num_classes, num_examples, seed=seed).map(
        lambda e: (dequantize(quantize(e["image"])), e["label"])).batch(batch_size)


class ShapesClassifier:
    """Callable uint8 images (B, R, R, 3) -> (features (B, D), logits (B, K)), like
    `InceptionNetwork`; `accuracy` is the held-out accuracy on real images."""

    def __init__(self, model, accuracy, identifier):
        self.model, self.accuracy, self.hash = model, accuracy, identifier

    def __call__(self, pixels):
        features, logits = self.model(dequantize(pixels), training=False)
        return features, logits


def _train(resolution, num_classes, train_examples, epochs, seed):
    keras.utils.set_random_seed(seed)
    model = build_classifier(resolution, num_classes)
    trainer = keras.Model(model.input, model.outputs[1])
    trainer.compile(keras.optimizers.Adam(2e-3),
                    keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    data = _dataset(resolution, num_classes, train_examples, TRAIN_SEED, 64).cache()
    trainer.fit(data.shuffle(64, seed=seed), epochs=epochs, shuffle=False, verbose=0)
    return model


def held_out_accuracy(classifier, resolution, num_classes, num_examples=2000):
    """Accuracy of `classifier` on `num_examples` real test images."""
    correct = 0
    for images, labels in _dataset(resolution, num_classes, num_examples, TEST_SEED, 250):
        _, logits = classifier.model(images, training=False)
        correct += int(np.sum(np.argmax(logits, -1) == labels.numpy()))
    return correct / num_examples


def load_or_train_classifier(cache_dir, resolution=32, num_classes=8, train_examples=6000,
                             epochs=3, seed=0):
    """The cached classifier of these settings in `cache_dir`, trained (and cached) if absent."""
    name = f"shapes_classifier_v{VERSION}_r{resolution}_k{num_classes}_n{train_examples}_e{epochs}"
    weights_path = os.path.join(cache_dir, name + ".weights.h5")
    info_path = os.path.join(cache_dir, name + ".json")
    if os.path.exists(weights_path) and os.path.exists(info_path):
        model = build_classifier(resolution, num_classes)
        model.load_weights(weights_path)
        with open(info_path, encoding="utf-8") as stream:
            info = json.load(stream)
        return ShapesClassifier(model, info["accuracy"], name)
    logging.info("training the shapes classifier %s (once; cached in %s)", name, cache_dir)
    model = _train(resolution, num_classes, train_examples, epochs, seed)
    classifier = ShapesClassifier(model, None, name)
    classifier.accuracy = held_out_accuracy(classifier, resolution, num_classes)
    os.makedirs(cache_dir, exist_ok=True)
    model.save_weights(weights_path)
    with open(info_path, "w", encoding="utf-8") as stream:
        json.dump({"accuracy": classifier.accuracy, "train_examples": train_examples,
                   "epochs": epochs, "test_seed": TEST_SEED}, stream)
    logging.info("shapes classifier: held-out accuracy %.4f", classifier.accuracy)
    return classifier
