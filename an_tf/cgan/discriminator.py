"""Class-conditional discriminator of the AN cGAN (Wang et al., "Attentive Normalization for
Conditional Image Generation", CVPR 2020, supplement section 2):

x -> ResBlock down ch (64^2) -> down 2ch (32^2, AN) -> down 4ch (16^2) -> concat(Embed(y), h) ->
down 8ch (8^2) -> down 16ch (4^2) -> ReLU -> global sum pooling -> FC -> logit, ch = 64 in the
paper.
Smaller resolutions keep the first blocks (32^2: down ch, 2ch, 4ch). `conditioning="projection"`
replaces the concatenation by SN-GAN's projection: logit += <Embed(y), pooled features>.

Shape letters: B batch, R input resolution, C channels, E class-embedding size, n semantic entities.
"""

import math

import keras
import tensorflow as tf

from an_tf.cgan.blocks import DiscriminatorBlock
from an_tf.cgan.generator import RESOLUTIONS, validate_common
from an_tf.layers.self_attention import SelfAttention

CONDITIONINGS = ("concat", "projection")
DISCRIMINATOR_WIDTHS = (1, 2, 4, 8, 16)  # block widths at 128^2, in units of `channels`
CONCAT_RESOLUTION = 16  # the supplement concatenates the class embedding to the 16x16 features


def _spectral_embedding(num_classes, size, name, dtype):
    embedding = keras.layers.Embedding(num_classes, size, dtype=dtype, name=f"{name}_inner")
    # autocast=False: labels arrive as floats and must not be rounded to bfloat16 / float16
    # (label 999 -> 1000 under mixed_bfloat16, an out-of-range lookup).
    return keras.layers.SpectralNormalization(embedding, power_iterations=1, dtype=dtype,
                                              autocast=False, name=name)


def discriminator_widths(channels, num_blocks):
    """Output channels of D's blocks, from the first on."""
    return tuple(channels * w for w in DISCRIMINATOR_WIDTHS[:num_blocks])


@keras.saving.register_keras_serializable(package="an_tf")
class Discriminator(keras.Model):
    """The AN cGAN discriminator (or the SN-GAN / SA-GAN baseline with `attention`).

    Args:
        resolution: input size R: 32, 64 or 128.
        num_classes: number of classes.
        channels: base width ch (64 in the paper).
        an_resolutions: OUTPUT resolutions of the blocks that get attention (with "an", AN sits in
            the block, before its average pooling, so it runs at twice that resolution; with
            "self_attention", an SA-GAN block follows the block). Default (None): the second
            block, as in the supplement (32 at 128^2, 8 at 32^2). Ignored without attention.
        conditioning: "concat" (supplement) or "projection" (SN-GAN / SA-GAN).
        attention: "an", "self_attention" or "none".
        embedding_dim: E, size of the concatenated class embedding ("concat" only).
        num_entities, an_options: AN arguments.
        **kwargs: standard `keras.Model` arguments.

    Call arguments:
        images: (B, R, R, 3) in [-1, 1]; labels: (B,) int; training: bool;
        return_layouts: also return {block name: AN layout (B, r, r, n)}.
    Returns logits (B,) float32 [, layouts].
    """

    def __init__(self, resolution=128, num_classes=1000, channels=64, an_resolutions=None,
                 conditioning="concat", attention="an", embedding_dim=128, num_entities=16,
                 an_options=None, **kwargs):
        super().__init__(**kwargs)
        num_blocks = int(math.log2(resolution)) - 2 if resolution in RESOLUTIONS else 0
        positions = tuple(resolution // 2**(i + 1) for i in range(num_blocks))
        if an_resolutions is None:
            an_resolutions = positions[1:2]  # the supplement's "ResBlock down 128 (AN)"
        an_resolutions = tuple(int(r) for r in an_resolutions)
        validate_common(resolution, num_classes, channels, attention, an_resolutions, positions,
                        widths=discriminator_widths(channels, num_blocks))
        if conditioning not in CONDITIONINGS:
            raise ValueError(f"conditioning must be one of {CONDITIONINGS}, got {conditioning!r}")
        if not isinstance(embedding_dim, int) or embedding_dim < 1:
            raise ValueError(f"embedding_dim must be a positive integer, got {embedding_dim!r}")
        self.resolution, self.num_classes, self.channels = resolution, num_classes, channels
        self.an_resolutions, self.conditioning = an_resolutions, conditioning
        self.attention = attention
        self.embedding_dim, self.num_entities = embedding_dim, int(num_entities)
        self.an_options = dict(an_options or {})
        self.widths = discriminator_widths(channels, num_blocks)
        self.positions = positions
        policy = self.dtype_policy
        self.blocks, self.attention_layers = [], {}
        for index, (width, size) in enumerate(zip(self.widths, positions)):
            use_an = attention == "an" and size in an_resolutions
            self.blocks.append(DiscriminatorBlock(
                width, normalization="an" if use_an else "none", preactivation=index > 0,
                num_entities=self.num_entities, an_options=self.an_options, dtype=policy,
                name=f"down_block_{size}" + ("_an" if use_an else "")))
            if attention == "self_attention" and size in an_resolutions:
                self.attention_layers[str(size)] = SelfAttention(dtype=policy,
                                                                 name=f"self_attention_{size}")
        self.class_embedding = None
        if conditioning == "concat":
            self.class_embedding = _spectral_embedding(num_classes, embedding_dim,
                                                       "class_embedding", policy)
        else:
            self.class_embedding = _spectral_embedding(num_classes, self.widths[-1],
                                                       "class_projection", "float32")
        # The critic's logit is computed in float32 under mixed precision.
        logit = keras.layers.Dense(1, dtype="float32", name="logit_inner")
        self.logit = keras.layers.SpectralNormalization(logit, power_iterations=1, dtype="float32",
                                                        name="logit")
        self.build()

    def build(self, images_shape=None, labels_shape=None):
        if self.built:
            return
        size, width = self.resolution, 3
        for block in self.blocks:
            if self.conditioning == "concat" and size == CONCAT_RESOLUTION:
                width += self.embedding_dim
            block.build((None, size, size, width))
            size, width = size // 2, block.channels
            if str(size) in self.attention_layers:
                self.attention_layers[str(size)].build((None, size, size, width))
        self.class_embedding.build((None,))  # batch size left unknown (SN pins the last axis)
        self.logit.build((None, width))
        self.built = True

    def call(self, images, labels, training=None, return_layouts=False):
        # SpectralNormalization casts its output to its input's dtype, so the embeddings get float
        # labels (Embedding casts them back to int32).
        labels = tf.cast(tf.reshape(labels, [-1]), tf.float32)  # (B,)
        h = tf.cast(images, self.compute_dtype)  # (B,R,R,3)
        layouts = {}
        for block in self.blocks:
            if self.conditioning == "concat" and h.shape[1] == CONCAT_RESOLUTION:
                h = self._concat_embedding(h, labels, training)  # (B,16,16,C+E)
            h, layout = block(h, training=training, return_layout=True)
            if layout is not None:
                layouts[block.name] = layout  # (B,2r,2r,n)
            if str(h.shape[1]) in self.attention_layers:
                h = self.attention_layers[str(h.shape[1])](h, training=training)
        features = tf.reduce_sum(tf.cast(tf.nn.relu(h), tf.float32), axis=[1, 2])  # (B,C)
        logits = tf.squeeze(self.logit(features, training=training), axis=-1)  # (B,)
        if self.conditioning == "projection":
            projection = self.class_embedding(labels, training=training)  # (B,C)
            logits += tf.reduce_sum(projection * features, axis=-1)  # (B,)
        return (logits, layouts) if return_layouts else logits

    def _concat_embedding(self, h, labels, training):
        embedding = tf.cast(self.class_embedding(labels, training=training), h.dtype)  # (B,E)
        embedding = tf.broadcast_to(
            embedding[:, None, None, :], tf.concat([tf.shape(h)[:3], [self.embedding_dim]], 0)
        )  # (B,16,16,E)
        return tf.concat([h, embedding], axis=-1)

    def an_layers(self):
        """{block name: AttentiveNormalization layer} of the blocks that use AN."""
        return {b.name: b.norm for b in self.blocks if b.normalization == "an"}

    def get_config(self):
        config = super().get_config()
        config.update(
            resolution=self.resolution, num_classes=self.num_classes, channels=self.channels,
            an_resolutions=list(self.an_resolutions), conditioning=self.conditioning,
            attention=self.attention, embedding_dim=self.embedding_dim,
            num_entities=self.num_entities, an_options=self.an_options,
        )
        return config
