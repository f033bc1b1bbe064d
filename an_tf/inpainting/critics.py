"""WGAN-GP critics of Yu et al., "Generative Image Inpainting with Contextual Attention", CVPR 2018
("CA"), used unchanged by Wang et al., "Attentive Normalization for Conditional Image Generation",
CVPR 2020: a global critic on the whole image, a local critic on the box around the hole, and a
mask-weighted patch critic for free-form holes (the authors' released code).

Each is a stack of Conv 5x5, stride 2, "same", leaky ReLU 0.2, no normalization.
Shape letters: B batch, H height, W width, C channels.
"""

import keras
import tensorflow as tf

GLOBAL_WIDTHS = (1, 2, 4, 4)  # x channels: 64, 128, 256, 256 in CA
LOCAL_WIDTHS = (1, 2, 4, 8)  # 64, 128, 256, 512 in CA


@keras.saving.register_keras_serializable(package="an_tf")
class ConvCritic(keras.Model):
    """Conv 5x5 stride 2 + leaky ReLU 0.2 stack, then flatten -> Dense(1) (or, with `patch=True`, a
    1x1 conv to one logit per patch averaged with the hole fraction of each patch as weights).

    Args:
        channels: width of the first conv (64 in CA); the others are multiples given by `widths`.
        widths: multiples of `channels` for the successive convs.
        patch: mask-weighted patch critic (fully convolutional, any image size).
        **kwargs: standard `keras.Model` arguments.

    Call arguments:
        images: (B, H, W, 3) in [-1, 1]; H and W fixed at build time unless `patch`.
        masks: (B, H, W, 1), only used (and required) with `patch=True`.
    Returns (B, 1) float32 logits.
    """

    def __init__(self, channels=64, widths=LOCAL_WIDTHS, patch=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(channels, int) or channels < 1:
            raise ValueError(f"channels must be a positive integer, got {channels!r}")
        self.channels = channels
        self.widths = tuple(int(w) for w in widths)
        self.patch = bool(patch)
        self.convs = [
            keras.layers.Conv2D(channels * width, 5, strides=2, padding="same",
                                dtype=self.dtype_policy, name=f"conv_{index}")
            for index, width in enumerate(self.widths)
        ]
        self.flatten = keras.layers.Flatten(dtype=self.dtype_policy, name="flatten")
        # Logits in float32 under mixed precision.
        if self.patch:
            self.logits = keras.layers.Conv2D(1, 1, dtype="float32", name="patch_logits")
        else:
            self.logits = keras.layers.Dense(1, dtype="float32", name="logits")

    def build(self, input_shape):
        shape = tuple(input_shape)
        for conv in self.convs:
            conv.build(shape)
            shape = tuple(conv.compute_output_shape(shape))
        if not self.patch:
            shape = tuple(self.flatten.compute_output_shape(shape))
        self.logits.build(shape)
        self.built = True

    def call(self, images, masks=None):
        x = tf.cast(images, self.compute_dtype)
        for conv in self.convs:
            x = conv(x)  # (B,H/2^k,W/2^k,C_k)
            # Leaky ReLU 0.2 written as a maximum: grappler's BiasAdd+LeakyRelu fusion breaks on
            # the second-order gradients of the gradient penalty (a "remapper failed" error).
            x = tf.maximum(x, 0.2 * x)
        if not self.patch:
            return self.logits(self.flatten(x))  # (B,1)
        if masks is None:
            raise ValueError("a patch critic needs masks")
        patch_logits = self.logits(x)  # (B,h,w,1)
        size = tf.shape(patch_logits)[1:3]
        hole = tf.image.resize(tf.cast(masks, tf.float32), size, method="area")  # (B,h,w,1)
        weighted = tf.reduce_sum(patch_logits * hole, axis=[1, 2])  # (B,1)
        return weighted / tf.maximum(tf.reduce_sum(hole, axis=[1, 2]), 1e-6)  # (B,1)

    def get_config(self):
        config = super().get_config()
        config.update(channels=self.channels, widths=list(self.widths), patch=self.patch)
        return config


def GlobalCritic(channels=64, **kwargs):  # noqa: N802 (named like a class: the issue's API)
    """CA's global critic: convs of 64, 128, 256, 256 filters (for channels=64) -> Dense(1)."""
    kwargs.setdefault("name", "global_critic")
    return ConvCritic(channels, GLOBAL_WIDTHS, **kwargs)


def LocalCritic(channels=64, **kwargs):  # noqa: N802
    """CA's local critic on the box around the hole: 64, 128, 256, 512 filters -> Dense(1)."""
    kwargs.setdefault("name", "local_critic")
    return ConvCritic(channels, LOCAL_WIDTHS, **kwargs)


def PatchCritic(channels=64, **kwargs):  # noqa: N802
    """Mask-weighted patch critic for free-form holes: the local critic's convs, fully
    convolutional, each patch logit weighted by the hole fraction it covers."""
    kwargs.setdefault("name", "patch_critic")
    return ConvCritic(channels, LOCAL_WIDTHS, patch=True, **kwargs)


def crop_boxes(images, boxes, size):
    """Crops the (top, left, height, width) boxes (B, 4) of (B,H,W,C) images to (B,size,size,C).

    The boxes are size x size (the training masks' unshrunk boxes), so the crop is two gathers:
    exact pixels, differentiable w.r.t. images, and compilable by XLA (crop_and_resize, used
    before, has no XLA kernel and blocked `jit_compile=True` train steps).
    """
    images = tf.cast(images, tf.float32)
    offsets = tf.range(size)  # (size,)
    rows = tf.cast(boxes[:, :1], tf.int32) + offsets  # (B,size)
    cols = tf.cast(boxes[:, 1:2], tf.int32) + offsets  # (B,size)
    crops = tf.gather(images, rows, axis=1, batch_dims=1)  # (B,size,W,C)
    return tf.gather(crops, cols, axis=2, batch_dims=1)  # (B,size,size,C)
