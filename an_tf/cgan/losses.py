"""Hinge GAN losses (Lim & Ye 2017; used by SN-GAN, SA-GAN and the AN cGAN of Wang et al.,
CVPR 2020).

Shape letters: B batch. Logits are (B,) float32; every loss is a per-example mean (a scalar).
"""

import tensorflow as tf


def discriminator_hinge_loss(real_logits, fake_logits):
    """mean(relu(1 - D(x))) + mean(relu(1 + D(G(z)))): the two terms summed, as SA-GAN."""
    real = tf.reduce_mean(tf.nn.relu(1.0 - tf.cast(real_logits, tf.float32)))
    fake = tf.reduce_mean(tf.nn.relu(1.0 + tf.cast(fake_logits, tf.float32)))
    return real + fake


def generator_hinge_loss(fake_logits):
    """-mean(D(G(z)))."""
    return -tf.reduce_mean(tf.cast(fake_logits, tf.float32))
