"""Pure tensor functions (no Keras layers)."""

from an_tf.ops.regional_normalization import regional_normalization

__all__ = ["regional_normalization"]
