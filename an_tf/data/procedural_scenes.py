"""A built-in dataset of street-like scenes for inpainting (Wang et al., CVPR 2020, on CA's
framework) on a machine without Paris StreetView: no download, unlimited varied content, every
image a pure function of (split, seed, index), and the ground-truth object mask kept alongside, so
that AN's learned layout can be scored (as in the cGAN demo, `synthetic_shapes.best_entity_iou`).

A scene: a sky gradient above a random horizon; textured ground below it; in most scenes a façade
with a periodic grid of windows (the long-range structure a hole must continue); one to three
shaded objects of the eight `synthetic_shapes` families in front. Coordinates are relative to the
image side, so a scene looks the same at every resolution.

Training and evaluation scenes come from disjoint streams (`split` is folded into the seed), and
the evaluation scenes do not depend on the training seed: runs with different seeds are evaluated
on the same held-out images.

Shape letters: R resolution (image side).
"""

import numpy as np
import tensorflow as tf

from an_tf.data import synthetic_shapes

SPLITS = {"train": 0, "eval": 1}
EVAL_SEED = 0  # the held-out scenes are the same for every training seed
MAX_OBJECTS = 3


_uniform = synthetic_shapes.salted_uniform


def _stream(seed, salt):
    return tf.random.experimental.stateless_fold_in(seed, salt)


def _hsv(seed, salt, hue, saturation, value):
    """A random RGB colour (3,) with each HSV component uniform in the given (low, high)."""
    parts = [_uniform(seed, salt + i, [], *bounds) for i, bounds in
             enumerate((hue, saturation, value))]
    parts[0] = tf.math.floormod(parts[0], 1.0)
    return tf.image.hsv_to_rgb(tf.stack(parts))


def _smooth_noise(seed, salt, size, cells):
    """(R, R, 1) smooth noise: a cells x cells normal grid, bicubically upsampled."""
    noise = tf.random.stateless_normal([1, cells, cells, 1], seed=_stream(seed, salt))
    return tf.image.resize(noise, [size, size], method="bicubic")[0]


def _background(seed, size, x, y):
    """Sky above the horizon, textured ground below: (R, R, 3) in [0, 1] and the horizon."""
    horizon = _uniform(seed, 1, [], 0.3, 0.65)
    sky_top = _hsv(seed, 2, (0.52, 0.68), (0.3, 0.7), (0.65, 0.95))
    sky_bottom = 0.5 * sky_top + 0.5 * _hsv(seed, 5, (0.0, 1.0), (0.0, 0.25), (0.85, 1.0))
    fraction = tf.clip_by_value(y / horizon, 0.0, 1.0)[..., None]
    sky = (1.0 - fraction) * sky_top + fraction * sky_bottom  # (R,R,3)
    ground_colour = _hsv(seed, 8, (0.05, 0.4), (0.2, 0.6), (0.3, 0.65))
    frequency = _uniform(seed, 11, [], 6.0, 16.0)
    slant = _uniform(seed, 12, [], -1.0, 1.0)
    stripes = tf.sin(2 * np.pi * frequency * (x + slant * (y - horizon)))[..., None]
    ground = ground_colour + 0.05 * stripes + 0.06 * _smooth_noise(seed, 13, size, 8)
    is_ground = tf.cast(y >= horizon, tf.float32)[..., None]
    return is_ground * ground + (1.0 - is_ground) * sky, horizon


def _facade(seed, x, y, horizon, image):
    """In ~70 % of scenes, a wall with a periodic grid of windows standing on the horizon."""
    left = _uniform(seed, 20, [], -0.2, 0.5)
    right = left + _uniform(seed, 21, [], 0.35, 0.8)
    top = _uniform(seed, 22, [], 0.05, 0.25) * horizon
    bottom = horizon + _uniform(seed, 23, [], 0.0, 0.1)
    present = _uniform(seed, 24) < 0.7
    inside = (x >= left) & (x < right) & (y >= top) & (y < bottom) & present  # (R,R)
    period = tf.stack([_uniform(seed, 25, [], 0.08, 0.16), _uniform(seed, 26, [], 0.1, 0.2)])
    u = tf.math.floormod((x - left) / period[0], 1.0)
    v = tf.math.floormod((y - top) / period[1], 1.0)
    window = (u > 0.25) & (u < 0.75) & (v > 0.2) & (v < 0.7)
    wall = _hsv(seed, 27, (0.0, 0.15), (0.1, 0.45), (0.5, 0.9))
    glass = _hsv(seed, 30, (0.55, 0.7), (0.2, 0.5), (0.15, 0.35))
    facade = tf.where(window[..., None], glass, wall)  # (R,R,3)
    return tf.where(inside[..., None], facade, image)


def _objects(seed, x, y, image):
    """One to three shaded objects in front: (image, object mask (R, R, 1) float32)."""
    union = tf.zeros_like(x, dtype=tf.bool)
    for slot in range(MAX_OBJECTS):
        salt = 100 + 20 * slot
        present = (slot == 0) | (_uniform(seed, salt) < 0.5)
        family = tf.random.stateless_uniform([], _stream(seed, salt + 1), 0,
                                             synthetic_shapes.NUM_SHAPE_FAMILIES, tf.int32)
        centre = _uniform(seed, salt + 2, [2], 0.15, 0.85)
        radius = _uniform(seed, salt + 3, [], 0.08, 0.2)
        angle = _uniform(seed, salt + 4, [], 0.0, 2 * np.pi)
        dx, dy = x - centre[0], y - centre[1]
        u = dx * tf.cos(angle) + dy * tf.sin(angle)
        v = -dx * tf.sin(angle) + dy * tf.cos(angle)
        shape = tf.gather(synthetic_shapes.shape_masks(u, v, radius), family) & present  # (R,R)
        colour = _hsv(seed, salt + 5, (0.0, 1.0), (0.6, 1.0), (0.6, 1.0))
        shading = 1.0 - 1.2 * (dy / radius * 0.25)[..., None]  # light from above
        shaded = tf.clip_by_value(colour * shading, 0.0, 1.0)  # (R,R,3)
        image = tf.where(shape[..., None], shaded, image)
        union |= shape
    return image, tf.cast(union, tf.float32)[..., None]


def make_scene(index, size, seed=0, split="train"):
    """Scene `index` of the (split, seed) stream: {"image" (R,R,3) float32 in [-1, 1],
    "object_mask" (R,R,1) float32, 1 = object}. Evaluation scenes ignore `seed` (`EVAL_SEED`)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {tuple(SPLITS)}, got {split!r}")
    if split == "eval":
        seed = EVAL_SEED
    scene_seed = tf.stack([tf.cast(seed, tf.int64) * 2 + SPLITS[split], tf.cast(index, tf.int64)])
    scene_seed = tf.cast(_stream(scene_seed, 7), tf.int64)  # fold_in returns int32
    grid = (tf.range(size, dtype=tf.float32) + 0.5) / size
    y, x = tf.meshgrid(grid, grid, indexing="ij")  # (R,R) each
    image, horizon = _background(scene_seed, size, x, y)
    image = _facade(scene_seed, x, y, horizon, image)
    image, object_mask = _objects(scene_seed, x, y, image)
    image = tf.ensure_shape(tf.clip_by_value(image, 0.0, 1.0) * 2.0 - 1.0, [size, size, 3])
    return {"image": image, "object_mask": tf.ensure_shape(object_mask, [size, size, 1])}


def scenes_dataset(size, num_scenes, seed=0, split="eval", first_index=0):
    """Finite dataset of scenes first_index .. first_index + num_scenes - 1, in order."""
    if size < 8:
        raise ValueError(f"size must be >= 8, got {size!r}")
    indices = tf.data.Dataset.range(first_index, first_index + num_scenes)
    return indices.map(lambda index: make_scene(index, size, seed, split),
                       num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
