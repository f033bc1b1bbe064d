"""Self-attention block of SA-GAN (Zhang et al., "Self-Attention Generative Adversarial Networks",
ICML 2019), the main baseline of Attentive Normalization (Wang et al., CVPR 2020).

Shape letters: B batch, H height, W width, C channels, P = H*W positions, Q = P/4 pooled positions.
"""

import keras
import tensorflow as tf


def spectral_conv(filters, kernel_size, name, dtype, use_bias=True):
    """A Conv2D ("same" padding) wrapped in spectral normalization with one power iteration."""
    conv = keras.layers.Conv2D(
        filters, kernel_size, padding="same", use_bias=use_bias, dtype=dtype, name=f"{name}_conv"
    )
    return keras.layers.SpectralNormalization(conv, power_iterations=1, dtype=dtype, name=name)


@keras.saving.register_keras_serializable(package="an_tf")
class SelfAttention(keras.layers.Layer):
    """SA-GAN self-attention: out = x + gamma * conv_o(softmax(theta(x) phi(x)^T) g(x)).

    theta and phi are 1x1 convolutions to C/8 channels, g to C/2; phi and g are 2x2 max-pooled, so
    every position attends to the P/4 pooled positions; conv_o maps back to C. All convolutions are
    spectrally normalized; gamma starts at 0 so the block starts as identity.

    Args:
        spectral_norm: wrap the convolutions in spectral normalization (as SA-GAN).
        **kwargs: standard `keras.layers.Layer` arguments.

    Call arguments:
        x: (B, H, W, C) feature maps with even H and W and C >= 8.
        training: passed to spectral normalization (power iteration only when True).

    Example:
        >>> y = SelfAttention()(tf.random.normal([2, 16, 16, 32]))

    Reference: https://arxiv.org/abs/1805.08318
    """

    def __init__(self, spectral_norm=True, **kwargs):
        super().__init__(**kwargs)
        self.spectral_norm = bool(spectral_norm)
        self.pool = keras.layers.MaxPooling2D(2, dtype=self.dtype_policy, name="pool")
        self.theta = self.phi = self.g = self.output_conv = None

    def build(self, input_shape):
        channels = input_shape[-1]
        if channels is None or channels < 8:
            raise ValueError(f"SelfAttention needs C >= 8 input channels, got shape {input_shape}")
        # Sized by C, so created here rather than in __init__.
        self.theta = self._conv(channels // 8, "theta")
        self.phi = self._conv(channels // 8, "phi")
        self.g = self._conv(channels // 2, "g")
        self.output_conv = self._conv(channels, "output")
        for conv in (self.theta, self.phi, self.g):
            conv.build(input_shape)
        self.output_conv.build(tuple(input_shape[:-1]) + (channels // 2,))
        self.gamma = self.add_weight(name="gamma", shape=(), initializer="zeros", autocast=False)
        self.built = True

    def _conv(self, filters, name):
        if self.spectral_norm:
            return spectral_conv(filters, 1, name, self.dtype_policy, use_bias=False)
        return keras.layers.Conv2D(filters, 1, use_bias=False, dtype=self.dtype_policy, name=name)

    def call(self, x, training=None):
        shape = tf.shape(x)
        batch, height, width = shape[0], shape[1], shape[2]
        key_channels = self.theta.layer.filters if self.spectral_norm else self.theta.filters
        queries = self.theta(x, training=training)  # (B,H,W,C/8)
        queries = tf.reshape(queries, [batch, -1, key_channels])  # (B,P,C/8)
        keys = self.pool(self.phi(x, training=training))  # (B,H/2,W/2,C/8)
        keys = tf.reshape(keys, [batch, -1, key_channels])  # (B,Q,C/8)
        values = self.pool(self.g(x, training=training))  # (B,H/2,W/2,C/2)
        values = tf.reshape(values, [batch, -1, values.shape[-1]])  # (B,Q,C/2)
        logits = tf.matmul(tf.cast(queries, tf.float32), tf.cast(keys, tf.float32),
                           transpose_b=True)  # (B,P,Q)
        attention = tf.cast(tf.nn.softmax(logits, axis=-1), self.compute_dtype)  # (B,P,Q)
        attended = tf.matmul(attention, tf.cast(values, self.compute_dtype))  # (B,P,C/2)
        attended = tf.reshape(attended, [batch, height, width, values.shape[-1]])  # (B,H,W,C/2)
        gamma = tf.cast(self.gamma, self.compute_dtype)
        return x + gamma * self.output_conv(attended, training=training)

    def compute_output_spec(self, x, training=None):
        return keras.KerasTensor(x.shape, dtype=self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update(spectral_norm=self.spectral_norm)
        return config
