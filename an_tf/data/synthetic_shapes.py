"""A built-in class-conditional dataset of shapes on textured backgrounds, for the AN cGAN (Wang et
al., CVPR 2020) on a machine without ImageNet: no download, every example a pure function of
(seed, index), and the ground-truth object mask kept alongside, so that one can measure whether AN's
learned layout separates object from background (the paper only shows it qualitatively).

Class c draws shape family c % 8 (disk, square, triangle, ring, cross, diamond, bar, frame) in the
hue family of c, at a random position, size and rotation, over a textured background (smooth
noise plus stripes).

Shape letters: B batch, R resolution, n semantic entities; r layout resolution.
"""

import hashlib

import numpy as np
import tensorflow as tf

from an_tf.data.source import DataSource
from an_tf.data.streams import shuffled_indices

NUM_SHAPE_FAMILIES = 8
SHAPE_NAMES = ("disk", "square", "triangle", "ring", "cross", "diamond", "bar", "frame")
_GOLDEN = 0.6180339887
EVAL_EXAMPLES = 10000  # the held-out split's size


def salted_uniform(seed, salt, shape=(), low=0.0, high=1.0):
    """U(low, high) of `shape` from the stateless `seed` folded with `salt`: one independent
    stream per salt, so that each random property of an example has its own."""
    return tf.random.stateless_uniform(
        shape, seed=tf.random.experimental.stateless_fold_in(seed, salt), minval=low, maxval=high)


def shape_masks(u, v, radius):
    """Boolean masks (8, R, R) of every shape family at local coordinates (u, v) (R, R)."""
    distance = tf.sqrt(u * u + v * v)
    box = tf.maximum(tf.abs(u), tf.abs(v))
    triangle = (v < 0.5 * radius) & (v > 1.7320508 * tf.abs(u) - radius)
    thin = radius / 3.0
    cross = (((tf.abs(u) < thin) & (tf.abs(v) < radius))
             | ((tf.abs(v) < thin) & (tf.abs(u) < radius)))
    return tf.stack([
        distance < radius,
        box < 0.85 * radius,
        triangle,
        (distance < radius) & (distance > 0.55 * radius),
        cross,
        tf.abs(u) + tf.abs(v) < 1.15 * radius,
        (u / radius) ** 2 + (v / (0.45 * radius)) ** 2 < 1.0,
        (box < 0.9 * radius) & (box > 0.55 * radius),
    ])


def _background(seed, resolution):
    """Texture (R, R, 3) in [0, 1]: a desaturated random base colour, smooth noise and stripes."""
    base = salted_uniform(seed, 10, [1, 1, 3], 0.25, 0.75)
    base = 0.6 * base + 0.4 * tf.reduce_mean(base)  # desaturate: the objects carry the colour
    noise = tf.random.stateless_normal([1, 4, 4, 3], seed=tf.random.experimental.stateless_fold_in(
        seed, 11))
    noise = tf.image.resize(noise, [resolution, resolution], method="bicubic")[0]  # (R,R,3)
    grid = tf.range(resolution, dtype=tf.float32) / resolution
    y, x = tf.meshgrid(grid, grid, indexing="ij")
    angle = salted_uniform(seed, 12, [], 0.0, np.pi)
    frequency = salted_uniform(seed, 13, [], 3.0, 8.0)
    stripes = tf.sin(2 * np.pi * frequency * (x * tf.cos(angle) + y * tf.sin(angle)))
    return tf.clip_by_value(base + 0.08 * noise + 0.06 * stripes[..., None], 0.0, 1.0)


def make_example(seed, index, resolution=32, num_classes=8):
    """Example `index` of the dataset of `seed`: {"image" (R,R,3) float32 in [-1,1], "label" int32,
    "mask" (R,R,1) float32, 1 = object}."""
    example_seed = tf.stack([tf.cast(seed, tf.int64), tf.cast(index, tf.int64)])
    example_seed = tf.cast(tf.random.experimental.stateless_fold_in(example_seed, 0), tf.int64)
    label = tf.random.stateless_uniform([], seed=example_seed, minval=0, maxval=num_classes,
                                        dtype=tf.int32)
    centre = salted_uniform(example_seed, 1, [2], 0.32, 0.68)
    radius = salted_uniform(example_seed, 2, [], 0.17, 0.3)
    angle = salted_uniform(example_seed, 3, [], 0.0, 2 * np.pi)
    grid = (tf.range(resolution, dtype=tf.float32) + 0.5) / resolution
    y, x = tf.meshgrid(grid, grid, indexing="ij")  # (R,R) each
    dx, dy = x - centre[0], y - centre[1]
    u = dx * tf.cos(angle) + dy * tf.sin(angle)  # rotated local coordinates
    v = -dx * tf.sin(angle) + dy * tf.cos(angle)
    masks = shape_masks(u, v, radius)  # (8,R,R)
    mask = tf.cast(tf.gather(masks, label % NUM_SHAPE_FAMILIES), tf.float32)[..., None]  # (R,R,1)
    jitter = salted_uniform(example_seed, 4, [], -0.03, 0.03)
    hue = tf.math.floormod(tf.cast(label, tf.float32) * _GOLDEN + jitter, 1.0)
    hsv = tf.stack([hue, salted_uniform(example_seed, 5, [], 0.75, 1.0),
                    salted_uniform(example_seed, 6, [], 0.75, 1.0)])
    shading = 1.0 - 0.25 * (y - centre[1])[..., None]  # light from above
    colour = tf.clip_by_value(tf.image.hsv_to_rgb(hsv)[None, None, :] * shading, 0.0, 1.0)
    image = mask * colour + (1.0 - mask) * _background(example_seed, resolution)  # (R,R,3)
    return {"image": image * 2.0 - 1.0, "label": label, "mask": mask}


def load_synthetic_shapes(resolution=32, num_classes=8, num_examples=10000, seed=0,
                          first_index=0):
    """Dataset of `num_examples` examples (see `make_example`), in index order, deterministic."""
    if resolution < 8:
        raise ValueError(f"resolution must be >= 8, got {resolution!r}")
    if not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    indices = tf.data.Dataset.range(first_index, first_index + num_examples)
    return indices.map(
        lambda index: make_example(seed, index, resolution, num_classes),
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def shape_class_names(num_classes):
    """"disk", "square", ..., "frame", then "disk_1", ... for classes 8 and up."""
    return [SHAPE_NAMES[c % len(SHAPE_NAMES)] + (f"_{c // len(SHAPE_NAMES)}"
                                                 if c >= len(SHAPE_NAMES) else "")
            for c in range(num_classes)]


class SyntheticShapesSource(DataSource):
    """The shapes as a data source: the training split is examples 0..num_examples-1 of the run's
    seed, the "eval" split `EVAL_EXAMPLES` held-out shapes of seed + 1 (as the training pictures'
    held-out batch). No preparation, no augmentation."""

    def __init__(self, resolution, num_classes, num_examples):
        self.resolution, self.num_classes, self.num_examples = resolution, num_classes, num_examples

    def class_names(self):
        return shape_class_names(self.num_classes)

    def training_stream(self, seed, start=0, input_context=None, augment=True):
        """Example i of the dataset belongs to input pipeline i % P; each pipeline reads its
        examples in a new seeded permutation per epoch, generated from their index (random
        access: resuming costs nothing). {"image", "label", "mask"}."""
        del augment  # none
        pipelines = input_context.num_input_pipelines if input_context else 1
        pipeline_id = input_context.input_pipeline_id if input_context else 0
        count = (self.num_examples - pipeline_id + pipelines - 1) // pipelines
        indices = shuffled_indices(count, seed, start, stream_id=pipeline_id)
        return indices.map(
            lambda i: make_example(seed, i * pipelines + pipeline_id, self.resolution,
                                   self.num_classes),
            num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)

    def real_dataset(self, split="train", seed=0):
        self.check_split(split)
        count = self.num_examples if split == "train" else EVAL_EXAMPLES
        shapes = load_synthetic_shapes(self.resolution, self.num_classes, count,
                                       seed=seed if split == "train" else seed + 1)
        return shapes.map(lambda example: {"image": example["image"], "label": example["label"]})

    def identity(self, split="train", seed=0):
        """The parameters (with the run's `seed`)."""
        self.check_split(split)
        text = f"synthetic|{split}|{self.num_examples}|{self.num_classes}|{seed}"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def picture_batch_fn(self, seed, count=16):
        """Held-out shapes (seed + 1) with their object masks, to score D's layouts."""
        return lambda: next(iter(load_synthetic_shapes(self.resolution, self.num_classes, count,
                                                       seed=seed + 1).batch(count)))


def best_entity_iou(layout, object_mask):
    """How well the argmax layout separates object from background, per example.

    For each example, the intersection-over-union between the object mask (resized to the layout
    resolution) and the region of each entity in the argmax layout; the best entity's IoU is kept.
    1 means one entity covers exactly the object; a layout that ignores the object scores about
    the object's area fraction.

    Args:
        layout: (B, r, r, n) soft layout (or its argmax, (B, r, r) int).
        object_mask: (B, R, R, 1) or (B, R, R), 1 = object; R a multiple of r.
    Returns: (B,) float64 numpy array.
    """
    layout = np.asarray(layout)
    labels = layout.argmax(-1) if layout.ndim == 4 else layout  # (B,r,r)
    mask = np.asarray(object_mask, dtype=np.float64)
    mask = mask[..., 0] if mask.ndim == 4 else mask  # (B,R,R)
    factor = mask.shape[1] // labels.shape[1]
    batch, size = labels.shape[0], labels.shape[1]
    mask = mask.reshape(batch, size, factor, size, factor).mean(axis=(2, 4)) >= 0.5  # (B,r,r)
    num_entities = int(layout.shape[-1]) if layout.ndim == 4 else int(labels.max()) + 1
    regions = labels[..., None] == np.arange(num_entities)  # (B,r,r,n)
    intersection = (regions & mask[..., None]).sum(axis=(1, 2))  # (B,n)
    union = (regions | mask[..., None]).sum(axis=(1, 2))  # (B,n)
    iou = np.where(union > 0, intersection / np.maximum(union, 1), 0.0)
    return iou.max(axis=-1)
