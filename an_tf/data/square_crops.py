"""Square crops of images of any size for the class-conditional pipelines (image folders, tfds
classification datasets): the centre square (evaluation, and training without augmentation) or a
seeded random square and horizontal flip (training with --random_crop / --random_flip).

Every random choice is a stateless function of a seed tensor, e.g. (seed, stream position): a
resumed run draws exactly the crops and flips of a straight run.

Shape letters: H height, W width, R resolution.
"""

import tensorflow as tf

from an_tf.data.imagenet import centre_crop_and_resize

# A random crop keeps at least this fraction of the shorter side (then is resized to R).
MIN_CROP_FRACTION = 0.8


def _random_square(image, seed):
    """A random square of side in [MIN_CROP_FRACTION, 1] x the shorter side, at a random place."""
    shape = tf.shape(image)
    height, width = shape[0], shape[1]
    shorter = tf.cast(tf.minimum(height, width), tf.float32)
    fractions = tf.random.stateless_uniform(
        [3], seed=tf.random.experimental.stateless_fold_in(seed, 1))  # (3,) in [0,1)
    side = tf.cast(tf.round(shorter * (MIN_CROP_FRACTION + (1 - MIN_CROP_FRACTION)
                                       * fractions[0])), tf.int32)
    side = tf.clip_by_value(side, 1, tf.minimum(height, width))
    top = tf.cast(fractions[1] * tf.cast(height - side + 1, tf.float32), tf.int32)
    left = tf.cast(fractions[2] * tf.cast(width - side + 1, tf.float32), tf.int32)
    return image[top:top + side, left:left + side, :]


def square_image(image, resolution, seed=None, random_crop=False, random_flip=False):
    """uint8 (H, W, 3) -> float32 (R, R, 3) in [-1, 1].

    Args:
        image: the decoded image, any size.
        resolution: R.
        seed: int64 tensor of shape [2] (stateless seed); needed with random_crop / random_flip.
        random_crop: a random square (see `MIN_CROP_FRACTION`) instead of the centre square.
        random_flip: mirror left-right with probability 1/2.
    """
    if (random_crop or random_flip) and seed is None:
        raise ValueError("random_crop and random_flip need a seed")
    if random_crop:
        image = _random_square(image, seed)
    square = centre_crop_and_resize(image, resolution)  # the square crop is a no-op then
    if random_flip:
        flip = tf.random.stateless_uniform(
            [], seed=tf.random.experimental.stateless_fold_in(seed, 2)) < 0.5
        square = tf.cond(flip, lambda: tf.reverse(square, axis=[1]), lambda: square)
    return tf.ensure_shape(square, [resolution, resolution, 3])


def position_seed(seed, stream_id, position):
    """The stateless seed [2] of stream element `position`: new crops in every epoch."""
    return tf.stack([tf.cast(seed, tf.int64) * 7919 + stream_id + 1,
                     tf.cast(position, tf.int64)])
