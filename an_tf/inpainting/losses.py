"""Losses of the inpainting GAN (Yu et al., "Generative Image Inpainting with Contextual Attention",
CVPR 2018, "CA"), used by Wang et al., "Attentive Normalization for Conditional Image Generation",
CVPR 2020: spatially discounted L1 on the hole, L1 on the known pixels, WGAN-GP with the penalty
over hole pixels.

Every loss returns a float32 scalar: the mean over the examples of the (local) batch.
Shape letters: B batch, H height, W width, C channels.
"""

import tensorflow as tf


def distance_to_known(masks):
    """Chessboard distance of every hole pixel to the nearest known pixel (0 on known pixels).

    The image border does not count as known. Computed by repeated 3x3 erosion of the hole:
    a pixel at distance d survives d - 1 erosions. At most max(H, W) erosions, so a hole that
    covers the whole image (no known pixel) ends with a uniform distance. (B,H,W,1) -> (B,H,W,1).
    """
    hole = tf.cast(masks, tf.float32)
    limit = tf.reduce_max(tf.shape(hole)[1:3])

    def not_empty(hole, _):
        return tf.reduce_any(hole > 0)

    def erode(hole, distance):
        distance += hole
        # min-pool = -maxpool(-x); "SAME" max-pool ignores the padding, so the border is no
        # known pixel.
        return [-tf.nn.max_pool2d(-hole, 3, 1, "SAME"), distance]

    _, distance = tf.while_loop(not_empty, erode, [hole, tf.zeros_like(hole)],
                                maximum_iterations=limit)
    return distance


def spatial_discount(masks, gamma=0.99):
    """CA's spatial discounting: gamma^(distance to the nearest known pixel) on hole pixels, 0 on
    known pixels, so hole pixels far from any context weigh less. (B,H,W,1) float32."""
    if not 0 < gamma <= 1:
        raise ValueError(f"gamma must be in (0, 1], got {gamma!r}")
    distance = distance_to_known(masks)
    return tf.where(distance > 0, tf.pow(gamma, distance), 0.0)


def discounted_l1(targets, predictions, masks, gamma=0.99, weights=None):
    """Mean over examples of sum(|y - x| * discount) / (C * number of hole pixels).

    `weights` (precomputed `spatial_discount(masks, gamma)`) avoids recomputing the discount when
    several predictions share the masks.
    """
    if weights is None:
        weights = spatial_discount(masks, gamma)
    error = tf.abs(tf.cast(targets, tf.float32) - tf.cast(predictions, tf.float32))  # (B,H,W,C)
    channels = tf.cast(tf.shape(error)[-1], tf.float32)
    weighted = tf.reduce_sum(error * weights, axis=[1, 2, 3])  # (B,)
    holes = tf.maximum(tf.reduce_sum(tf.cast(masks, tf.float32), axis=[1, 2, 3]), 1.0)  # (B,)
    return tf.reduce_mean(weighted / (channels * holes))


def known_region_l1(targets, predictions, masks):
    """Mean over examples of mean(|y - x| * (1 - m)) / mean(1 - m): L1 on the known pixels
    divided by the known fraction (CA's "ae loss")."""
    error = tf.abs(tf.cast(targets, tf.float32) - tf.cast(predictions, tf.float32))  # (B,H,W,C)
    known = 1.0 - tf.cast(masks, tf.float32)  # (B,H,W,1)
    channels = tf.cast(tf.shape(error)[-1], tf.float32)
    weighted = tf.reduce_sum(error * known, axis=[1, 2, 3])  # (B,)
    known_count = tf.maximum(tf.reduce_sum(known, axis=[1, 2, 3]), 1.0)  # (B,)
    return tf.reduce_mean(weighted / (channels * known_count))


def critic_loss(real_logits, fake_logits):
    """WGAN critic loss mean(D(fake)) - mean(D(real))."""
    return (tf.reduce_mean(tf.cast(fake_logits, tf.float32))
            - tf.reduce_mean(tf.cast(real_logits, tf.float32)))


def generator_adversarial_loss(fake_logits):
    """WGAN generator loss -mean(D(fake))."""
    return -tf.reduce_mean(tf.cast(fake_logits, tf.float32))


def gradient_penalty(critic_fn, real, fake, alpha, masks=None, epsilon=1e-8):
    """WGAN-GP: mean((||grad D(x_hat) * m||_2 - 1)^2) at x_hat = real + alpha * (fake - real).

    Args:
        critic_fn: callable (B,H,W,C) -> logits (B, ...), summed per example.
        real, fake: (B,H,W,C).
        alpha: (B,1,1,1) interpolation weights (one per example).
        masks: (B,H,W,1) or None; the gradient norm is taken over the hole pixels only (CA).
        epsilon: inside the square root: sqrt of a zero norm has an infinite derivative.
    """
    real = tf.cast(real, tf.float32)
    interpolates = real + tf.cast(alpha, tf.float32) * (tf.cast(fake, tf.float32) - real)
    with tf.GradientTape() as tape:
        tape.watch(interpolates)
        logits = tf.cast(critic_fn(interpolates), tf.float32)
        # Examples are independent, so d total / d x_b = d D(x_b) / d x_b.
        total = tf.reduce_sum(logits)
    gradients = tape.gradient(total, interpolates)  # (B,H,W,C)
    squared = tf.square(gradients)
    if masks is not None:
        squared *= tf.cast(masks, tf.float32)
    norms = tf.sqrt(tf.reduce_sum(squared, axis=[1, 2, 3]) + epsilon)  # (B,)
    return tf.reduce_mean(tf.square(norms - 1.0))
