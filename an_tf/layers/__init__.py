"""Keras layers of an_tf."""

from an_tf.layers.attentive_normalization import AttentiveNormalization

__all__ = ["AttentiveNormalization"]
