"""Class-conditional generator of the AN cGAN (Wang et al., "Attentive Normalization for Conditional
Image Generation", CVPR 2020, supplement section 2):

z -> FC(4*4*16ch) -> ResBlock up 16ch (8^2) -> up 8ch (16^2) -> up 4ch (32^2, AN) -> up 2ch (64^2)
-> up ch (128^2) -> BN -> ReLU -> Conv3x3 -> tanh, with ch = 64 for the paper's model. Smaller
resolutions keep the last blocks (32^2: FC 4ch, up 4ch, 2ch, ch).

Shape letters: B batch, Z noise size, R output resolution, C channels, n semantic entities.
"""

import math

import keras
import tensorflow as tf

from an_tf.cgan.blocks import GeneratorBlock
from an_tf.layers.self_attention import SelfAttention, spectral_conv

RESOLUTIONS = (32, 64, 128)
ATTENTIONS = ("an", "self_attention", "none")
GENERATOR_WIDTHS = (16, 8, 4, 2, 1)  # block widths at 128^2, in units of `channels`


def validate_common(resolution, num_classes, channels, attention, an_resolutions, valid_positions,
                    name="an_resolutions", widths=None):
    """One-line ValueErrors for the arguments Generator and Discriminator share (`name`: how to
    call `an_resolutions` in the message; `widths`: the blocks' output channels, aligned with
    `valid_positions`, to check that self-attention gets enough channels). `an_resolutions` is
    not checked without attention: it is not used then."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"resolution must be one of {RESOLUTIONS}, got {resolution!r}")
    if not isinstance(num_classes, int) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    if not isinstance(channels, int) or channels < 1:
        raise ValueError(f"channels must be a positive integer, got {channels!r}")
    if attention not in ATTENTIONS:
        raise ValueError(f"attention must be one of {ATTENTIONS}, got {attention!r}")
    if attention == "none":
        return
    bad = [r for r in an_resolutions if r not in valid_positions]
    if bad:
        raise ValueError(
            f"{name} {tuple(an_resolutions)} must be block output resolutions of this "
            f"{resolution}x{resolution} network: {tuple(valid_positions)}")
    if attention == "self_attention" and widths is not None:
        narrow = [(r, w) for r, w in zip(valid_positions, widths) if r in an_resolutions and w < 8]
        if narrow:
            size, width = narrow[0]
            raise ValueError(
                f"self-attention at {size}x{size} would get {width} channels (channels="
                f"{channels}); SelfAttention needs >= 8: raise channels or use another attention")


def generator_widths(channels, num_blocks):
    """Output channels of G's blocks, from the first (8x8) on."""
    return tuple(channels * w for w in GENERATOR_WIDTHS[-num_blocks:]) if num_blocks else ()


@keras.saving.register_keras_serializable(package="an_tf")
class Generator(keras.Model):
    """The AN cGAN generator (or the SN-GAN / SA-GAN baseline with `attention`).

    Args:
        resolution: output size R: 32, 64 or 128.
        num_classes: number of classes.
        z_dim: noise size Z.
        channels: base width ch (64 in the paper: the widest block has 16*ch = 1024 channels).
        an_resolutions: output resolutions of the blocks that get attention: with "an" the block's
            second normalization is AN (Figure 2), with "self_attention" an SA-GAN block follows it.
        attention: "an", "self_attention" or "none" (SN-GAN).
        num_entities: n of every AN layer.
        an_options: dict of further AttentiveNormalization arguments.
        bn_momentum: momentum of all batch-norm moving statistics.
        **kwargs: standard `keras.Model` arguments.

    Call arguments:
        z: (B, Z) float noise; labels: (B,) int classes, or (B, num_classes) float class weights
            (categorical interpolation: the CBN gains and biases are mixed); training: bool;
        return_layouts: also return {block name: AN layout (B, r, r, n)}.
    Returns images (B, R, R, 3) float32 in [-1, 1] [, layouts].

    Example:
        >>> g = Generator(resolution=32, num_classes=10, channels=8)
        >>> images = g(tf.random.normal([2, 128]), tf.constant([1, 2]))
    """

    def __init__(self, resolution=128, num_classes=1000, z_dim=128, channels=64,
                 an_resolutions=(32,), attention="an", num_entities=16, an_options=None,
                 bn_momentum=0.9, **kwargs):
        super().__init__(**kwargs)
        num_blocks = int(math.log2(resolution)) - 2 if resolution in RESOLUTIONS else 0
        positions = tuple(8 * 2**i for i in range(num_blocks))
        an_resolutions = tuple(int(r) for r in an_resolutions)
        validate_common(resolution, num_classes, channels, attention, an_resolutions, positions,
                        widths=generator_widths(channels, num_blocks))
        if not isinstance(z_dim, int) or z_dim < 1:
            raise ValueError(f"z_dim must be a positive integer, got {z_dim!r}")
        self.resolution, self.num_classes, self.z_dim = resolution, num_classes, z_dim
        self.channels, self.an_resolutions, self.attention = channels, an_resolutions, attention
        self.num_entities, self.an_options = int(num_entities), dict(an_options or {})
        self.bn_momentum = float(bn_momentum)
        self.widths = generator_widths(channels, num_blocks)
        policy = self.dtype_policy
        dense = keras.layers.Dense(4 * 4 * self.widths[0], dtype=policy, name="dense_inner")
        self.dense = keras.layers.SpectralNormalization(dense, power_iterations=1, dtype=policy,
                                                        name="dense")
        self.blocks, self.attention_layers = [], {}
        for width, size in zip(self.widths, positions):
            use_an = attention == "an" and size in an_resolutions
            self.blocks.append(GeneratorBlock(
                width, num_classes, normalization="an" if use_an else "cbn",
                num_entities=self.num_entities, an_options=self.an_options,
                bn_momentum=self.bn_momentum, dtype=policy,
                name=f"up_block_{size}" + ("_an" if use_an else "")))
            if attention == "self_attention" and size in an_resolutions:
                self.attention_layers[str(size)] = SelfAttention(dtype=policy,
                                                            name=f"self_attention_{size}")
        self.output_bn = keras.layers.BatchNormalization(
            momentum=self.bn_momentum, epsilon=1e-5, synchronized=True, dtype=policy,
            name="output_bn")
        self.output_conv = spectral_conv(3, 3, "output_conv", policy)
        self.build()

    def build(self, z_shape=None, labels_shape=None):
        if self.built:
            return
        self.dense.build((None, self.z_dim))
        size, width = 4, self.widths[0]
        for block in self.blocks:
            block.build((None, size, size, width))
            size, width = 2 * size, block.channels
            if str(size) in self.attention_layers:
                self.attention_layers[str(size)].build((None, size, size, width))
        self.output_bn.build((None, size, size, width))
        self.output_conv.build((None, size, size, width))
        self.built = True

    def call(self, z, labels, training=None, return_layouts=False):
        if len(labels.shape) == 2:
            labels = tf.cast(labels, tf.float32)  # (B,K) class weights
        else:
            labels = tf.reshape(tf.cast(labels, "int32"), [-1])  # (B,)
        h = self.dense(tf.cast(z, self.compute_dtype), training=training)  # (B,16*w0)
        h = tf.reshape(h, [-1, 4, 4, self.widths[0]])  # (B,4,4,w0)
        layouts = {}
        for block in self.blocks:
            h, layout = block(h, labels, training=training, return_layout=True)
            if layout is not None:
                layouts[block.name] = layout  # (B,r,r,n)
            if str(h.shape[1]) in self.attention_layers:
                h = self.attention_layers[str(h.shape[1])](h, training=training)
        h = tf.nn.relu(self.output_bn(h, training=training))
        h = self.output_conv(h, training=training)  # (B,R,R,3)
        images = tf.tanh(tf.cast(h, tf.float32))  # tanh in float32 under mixed precision
        return (images, layouts) if return_layouts else images

    def an_layers(self):
        """{block name: AttentiveNormalization layer} of the blocks that use AN."""
        return {b.name: b.norm2 for b in self.blocks if b.normalization == "an"}

    def get_config(self):
        config = super().get_config()
        config.update(
            resolution=self.resolution, num_classes=self.num_classes, z_dim=self.z_dim,
            channels=self.channels, an_resolutions=list(self.an_resolutions),
            attention=self.attention, num_entities=self.num_entities,
            an_options=self.an_options, bn_momentum=self.bn_momentum,
        )
        return config
