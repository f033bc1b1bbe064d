"""Class-conditional generation through the exported cGAN generator (an_tf.cgan.export): samples of
a class by name, the truncation trick, the categorical interpolation of supplement Figure 9, and
AN's layout of each picture.

Shape letters: N samples, Z noise size, K classes, R resolution, T interpolation steps.
"""

import numpy as np
import tensorflow as tf

from an_tf.demo import layouts
from an_tf.demo.limits import DemoInputError


def noise(seed, num_samples, z_dim, truncation=0.0):
    """(N, Z) float32 standard normal noise of `seed`; with truncation > 0, values beyond
    +-truncation are redrawn until they fall inside (BigGAN's truncation trick)."""
    rng = np.random.default_rng(int(seed))
    z = rng.standard_normal((num_samples, z_dim)).astype(np.float32)
    if truncation and truncation > 0:
        outside = np.abs(z) > truncation
        while outside.any():
            z[outside] = rng.standard_normal(int(outside.sum())).astype(np.float32)
            outside = np.abs(z) > truncation
    return z


class GenerationSession:
    """The exported cGAN generator, loaded once.

    Args:
        export_dir: a SavedModel written by `an_tf.cgan.export.export_generator` with the
            `with_layout` and `class_names` signatures.
        max_samples: the most samples (or interpolation steps) one request may ask for.
    """

    def __init__(self, export_dir, max_samples=16):
        self.model = tf.saved_model.load(export_dir)
        signatures = self.model.signatures
        missing = {"with_layout", "class_names"} - set(signatures)
        if missing:
            raise ValueError(f"{export_dir} lacks the signatures {sorted(missing)}: export it "
                             "again with this version of an_tf.cgan.export")
        self._serve = signatures["with_layout"]
        self.class_names = [name.decode() for name in
                            signatures["class_names"]()["class_names"].numpy()]
        spec = self._serve.structured_input_signature[1]
        self.z_dim = int(spec["z"].shape[1])
        self.num_classes = int(spec["class_weights"].shape[1])
        self.has_layout = "layout" in self._serve.structured_outputs
        self.max_samples = int(max_samples)

    def class_index(self, name):
        """Index of a class given by name (or by its index as text)."""
        if name in self.class_names:
            return self.class_names.index(name)
        raise DemoInputError(f"unknown class {name!r}: choose one of {self.class_names}")

    def _check_count(self, count, what):
        if not 1 <= int(count) <= self.max_samples:
            raise DemoInputError(f"{what} must be between 1 and {self.max_samples}, got {count}")
        return int(count)

    def _run(self, z, weights):
        """(N, R, R, 3) uint8 images and (N, r, r, n) layouts (or None)."""
        outputs = self._serve(z=tf.constant(z), class_weights=tf.constant(weights))
        images = np.clip(np.round((outputs["images"].numpy() + 1.0) * 127.5), 0, 255)
        layout = outputs["layout"].numpy() if self.has_layout else None
        return images.astype(np.uint8), layout

    def generate(self, class_name, seed=0, num_samples=4, truncation=0.0):
        """Samples of one class: (list of N (R, R, 3) uint8 images, list of N layout pictures
        (argmax colours, (R, R, 3) uint8), empty without AN)."""
        count = self._check_count(num_samples, "the number of samples")
        weights = np.zeros((count, self.num_classes), np.float32)
        weights[:, self.class_index(class_name)] = 1.0
        images, layout = self._run(noise(seed, count, self.z_dim, truncation), weights)
        size = images.shape[1:3]
        maps = [] if layout is None else [layouts.argmax_colours(l, *size) for l in layout]
        return list(images), maps

    def interpolate(self, first, second, seed=0, steps=8, truncation=0.0):
        """Supplement Figure 9: one noise vector, the class weights going linearly from class
        `first` to class `second` in `steps` steps. Returns ((R, T*R, 3) uint8 strip of images,
        (R, T*R, 3) strip of their layouts or None)."""
        steps = self._check_count(steps, "the number of interpolation steps")
        fractions = np.linspace(0.0, 1.0, steps, dtype=np.float32)
        weights = np.zeros((steps, self.num_classes), np.float32)
        weights[:, self.class_index(first)] += 1.0 - fractions
        weights[:, self.class_index(second)] += fractions
        z = np.repeat(noise(seed, 1, self.z_dim, truncation), steps, axis=0)
        images, layout = self._run(z, weights)
        strip = np.concatenate(list(images), axis=1)  # (R,T*R,3)
        if layout is None:
            return strip, None
        size = images.shape[1:3]
        return strip, np.concatenate([layouts.argmax_colours(l, *size) for l in layout], axis=1)
