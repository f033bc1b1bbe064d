"""Residual blocks of the AN cGAN (Wang et al., "Attentive Normalization for Conditional Image
Generation", CVPR 2020, supplement section 2, Figures 1 and 2), built on SN-GAN / SA-GAN blocks.

Shape letters: B batch, H height, W width, C channels, n semantic entities.
"""

import keras
import tensorflow as tf

from an_tf.layers.attentive_normalization import AttentiveNormalization
from an_tf.layers.conditional_batch_norm import ConditionalBatchNormalization
from an_tf.layers.self_attention import spectral_conv

NORMALIZATIONS = ("cbn", "an")


def attentive_normalization(num_entities, an_options, name, dtype):
    """The AN layer of a block; `an_options` are extra AttentiveNormalization arguments."""
    return AttentiveNormalization(
        num_entities=num_entities, **dict(an_options or {}), dtype=dtype, name=name
    )


@keras.saving.register_keras_serializable(package="an_tf")
class GeneratorBlock(keras.layers.Layer):
    """Up-sampling residual block of the generator.

    normalization="cbn" (supplement Figure 1): CBN(y) -> ReLU -> up x2 -> Conv3x3 -> CBN(y) ->
    ReLU -> Conv3x3. normalization="an" (Figure 2): AN takes the place of the second CBN, between a
    convolution and its activation. Shortcut: up x2 -> Conv1x1. Convolutions are spectrally
    normalized.

    Args:
        channels: output channels C.
        num_classes: number of classes of the conditional batch norms.
        normalization: "cbn" or "an".
        num_entities: n of the AN layer.
        an_options: dict of further AttentiveNormalization arguments (None: its defaults).
        bn_momentum: momentum of the batch-norm moving statistics.
        **kwargs: standard `keras.layers.Layer` arguments.

    Call arguments:
        x: (B, H, W, C_in); labels: (B,) int; training: bool;
        return_layout: also return AN's layout (B, 2H, 2W, n) (None for "cbn").
    Returns (B, 2H, 2W, C) [, layout].
    """

    def __init__(self, channels, num_classes, normalization="cbn", num_entities=16,
                 an_options=None, bn_momentum=0.9, **kwargs):
        super().__init__(**kwargs)
        if normalization not in NORMALIZATIONS:
            raise ValueError(
                f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
        self.channels = int(channels)
        self.num_classes = int(num_classes)
        self.normalization = normalization
        self.num_entities = int(num_entities)
        self.an_options = dict(an_options or {})
        self.bn_momentum = float(bn_momentum)
        policy = self.dtype_policy
        self.norm1 = ConditionalBatchNormalization(
            self.num_classes, momentum=self.bn_momentum, dtype=policy, name="cbn1")
        self.upsample = keras.layers.UpSampling2D(2, interpolation="nearest", dtype=policy,
                                                  name="upsample")
        self.conv1 = spectral_conv(self.channels, 3, "conv1", policy)
        if normalization == "an":
            self.norm2 = attentive_normalization(self.num_entities, self.an_options, "an", policy)
        else:
            self.norm2 = ConditionalBatchNormalization(
                self.num_classes, momentum=self.bn_momentum, dtype=policy, name="cbn2")
        self.conv2 = spectral_conv(self.channels, 3, "conv2", policy)
        self.shortcut = spectral_conv(self.channels, 1, "shortcut", policy)

    def build(self, input_shape):
        batch, height, width, channels_in = input_shape
        up_shape = (batch, None if height is None else 2 * height,
                    None if width is None else 2 * width)
        self.norm1.build(input_shape)
        self.conv1.build(up_shape + (channels_in,))
        self.norm2.build(up_shape + (self.channels,))
        self.conv2.build(up_shape + (self.channels,))
        self.shortcut.build(up_shape + (channels_in,))
        self.built = True

    def call(self, x, labels, training=None, return_layout=False):
        h = tf.nn.relu(self.norm1(x, labels, training=training))
        h = self.conv1(self.upsample(h), training=training)  # (B,2H,2W,C)
        layout = None
        if self.normalization == "an":
            h, layout = self.norm2(h, training=training, return_layout=True)
        else:
            h = self.norm2(h, labels, training=training)
        h = self.conv2(tf.nn.relu(h), training=training)
        outputs = h + self.shortcut(self.upsample(x), training=training)
        return (outputs, layout) if return_layout else outputs

    def compute_output_shape(self, input_shape):
        batch, height, width, _ = input_shape
        return (batch, None if height is None else 2 * height,
                None if width is None else 2 * width, self.channels)

    def compute_output_spec(self, x, labels, training=None, return_layout=False):
        height = None if x.shape[1] is None else 2 * x.shape[1]
        width = None if x.shape[2] is None else 2 * x.shape[2]
        outputs = keras.KerasTensor((x.shape[0], height, width, self.channels), self.compute_dtype)
        if not return_layout:
            return outputs
        layout = None
        if self.normalization == "an":
            layout = keras.KerasTensor(outputs.shape[:3] + (self.num_entities,), "float32")
        return outputs, layout

    def get_config(self):
        config = super().get_config()
        config.update(
            channels=self.channels, num_classes=self.num_classes,
            normalization=self.normalization, num_entities=self.num_entities,
            an_options=self.an_options, bn_momentum=self.bn_momentum,
        )
        return config


@keras.saving.register_keras_serializable(package="an_tf")
class DiscriminatorBlock(keras.layers.Layer):
    """Down-sampling residual block of the discriminator (SN-GAN style).

    [ReLU] -> Conv3x3 -> [AN] -> ReLU -> Conv3x3 -> AvgPool2, shortcut Conv1x1 -> AvgPool2. The
    first block of D has no leading ReLU (`preactivation=False`, SN-GAN's "optimized" block). With
    normalization="an", AN sits between the first Conv3x3 and the second ReLU.

    Args:
        channels: output channels C.
        normalization: "none" or "an".
        preactivation: apply ReLU to the input first.
        downsample: average-pool by 2 at the end (False keeps the resolution).
        num_entities, an_options: the AN layer's arguments.
        **kwargs: standard `keras.layers.Layer` arguments.

    Call arguments:
        x: (B, H, W, C_in); training: bool; return_layout: also return AN's layout (B, H, W, n).
    Returns (B, H/2, W/2, C) [, layout].
    """

    def __init__(self, channels, normalization="none", preactivation=True, downsample=True,
                 num_entities=16, an_options=None, **kwargs):
        super().__init__(**kwargs)
        if normalization not in ("none", "an"):
            raise ValueError(f"normalization must be 'none' or 'an', got {normalization!r}")
        self.channels = int(channels)
        self.normalization = normalization
        self.preactivation = bool(preactivation)
        self.downsample = bool(downsample)
        self.num_entities = int(num_entities)
        self.an_options = dict(an_options or {})
        policy = self.dtype_policy
        self.conv1 = spectral_conv(self.channels, 3, "conv1", policy)
        self.norm = None
        if normalization == "an":
            self.norm = attentive_normalization(self.num_entities, self.an_options, "an", policy)
        self.conv2 = spectral_conv(self.channels, 3, "conv2", policy)
        self.shortcut = spectral_conv(self.channels, 1, "shortcut", policy)
        self.pool = keras.layers.AveragePooling2D(2, dtype=policy, name="pool")

    def build(self, input_shape):
        hidden_shape = tuple(input_shape[:3]) + (self.channels,)
        self.conv1.build(input_shape)
        if self.norm is not None:
            self.norm.build(hidden_shape)
        self.conv2.build(hidden_shape)
        self.shortcut.build(input_shape)
        self.built = True

    def call(self, x, training=None, return_layout=False):
        h = tf.nn.relu(x) if self.preactivation else x
        h = self.conv1(h, training=training)  # (B,H,W,C)
        layout = None
        if self.norm is not None:
            h, layout = self.norm(h, training=training, return_layout=True)
        h = self.conv2(tf.nn.relu(h), training=training)
        shortcut = self.shortcut(x, training=training)
        if self.downsample:
            h, shortcut = self.pool(h), self.pool(shortcut)  # (B,H/2,W/2,C)
        outputs = h + shortcut
        return (outputs, layout) if return_layout else outputs

    def compute_output_shape(self, input_shape):
        factor = 2 if self.downsample else 1
        batch, height, width, _ = input_shape
        return (batch, None if height is None else height // factor,
                None if width is None else width // factor, self.channels)

    def compute_output_spec(self, x, training=None, return_layout=False):
        factor = 2 if self.downsample else 1
        height = None if x.shape[1] is None else x.shape[1] // factor
        width = None if x.shape[2] is None else x.shape[2] // factor
        outputs = keras.KerasTensor((x.shape[0], height, width, self.channels), self.compute_dtype)
        if not return_layout:
            return outputs
        layout = None
        if self.normalization == "an":
            layout = keras.KerasTensor(tuple(x.shape[:3]) + (self.num_entities,), "float32")
        return outputs, layout

    def get_config(self):
        config = super().get_config()
        config.update(
            channels=self.channels, normalization=self.normalization,
            preactivation=self.preactivation, downsample=self.downsample,
            num_entities=self.num_entities, an_options=self.an_options,
        )
        return config
