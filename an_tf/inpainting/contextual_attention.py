"""Contextual attention of Yu et al., "Generative Image Inpainting with Contextual Attention", CVPR
2018 ("CA"), the baseline the AN paper (Wang et al., CVPR 2020) compares with; vectorised over the
batch (CA's code loops over examples in Python) and valid for any H, W that are multiples of 2*rate
within the generator (multiples of 8 of the image size).

Shape letters: B batch, H, W feature size, C channels, h = H/rate, w = W/rate, P = h*w foreground
positions, L = h*w background patches. Memory is O(B * P * L) = O(B * (HW)^2 / rate^4): the score
matrix holds one cosine similarity per (hole position, background patch) pair.
"""

import keras
import tensorflow as tf


def _patches(x, size, stride):
    """(B,H,W,C) -> (B, H/stride, W/stride, size*size*C), zero-padded "SAME" patches."""
    return tf.image.extract_patches(x, sizes=[1, size, size, 1], strides=[1, stride, stride, 1],
                                    rates=[1, 1, 1, 1], padding="SAME")


def _fuse_diagonal(scores, size):
    """Sum of `scores[p + k, l + k]` for k in [-(size//2), size//2] (zero outside): CA's
    "fusion", a convolution of the (P, L) score matrix with a size x size identity kernel.
    (B,P,L) -> (B,P,L)."""
    half = size // 2
    num_p, num_l = tf.shape(scores)[1], tf.shape(scores)[2]
    padded = tf.pad(scores, [[0, 0], [half, half], [half, half]])  # (B,P+2h,L+2h)
    fused = tf.zeros_like(scores)
    for k in range(size):
        fused += padded[:, k:k + num_p, k:k + num_l]  # (B,P,L)
    return fused


def contextual_attention_scores(foreground, background, masks, rate=2, patch_size=3, fuse_size=3,
                                softmax_scale=10.0):
    """Attention weights of every foreground position over the background patches.

    Args:
        foreground, background: (B, H, W, C) features (CA passes the same tensor twice).
        masks: (B, H, W, 1), 1 = hole; patches touching the hole are never attended to.
    Returns:
        (B, h, w, L) float32 softmax weights, h = H / rate, w = W / rate, L = h * w.
    """
    foreground = tf.cast(foreground, tf.float32)[:, ::rate, ::rate, :]  # (B,h,w,C) nearest down
    background = tf.cast(background, tf.float32)[:, ::rate, ::rate, :]  # (B,h,w,C)
    masks = tf.cast(masks, tf.float32)[:, ::rate, ::rate, :]  # (B,h,w,1)
    shape = tf.shape(foreground)
    batch, height, width = shape[0], shape[1], shape[2]
    filters = _patches(background, patch_size, 1)  # (B,h,w,k*k*C)
    filters = tf.reshape(filters, [batch, height * width, -1])  # (B,L,k*k*C)
    norms = tf.sqrt(tf.reduce_sum(tf.square(filters), axis=-1, keepdims=True))  # (B,L,1)
    filters = filters / tf.maximum(norms, 1e-4)
    queries = tf.reshape(_patches(foreground, patch_size, 1), [batch, height * width, -1])
    scores = tf.matmul(queries, filters, transpose_b=True)  # (B,P,L) cosine similarities
    if fuse_size > 1:
        scores = _fuse_diagonal(scores, fuse_size)  # along row-major order
        scores = _transpose_positions(scores, height, width)  # to column-major order
        scores = _fuse_diagonal(scores, fuse_size)
        scores = _transpose_positions(scores, width, height)  # back to row-major order
    hole_patches = _patches(masks, patch_size, 1)  # (B,h,w,k*k)
    usable = tf.cast(tf.reduce_mean(hole_patches, axis=-1) == 0.0, tf.float32)  # (B,h,w)
    usable = tf.reshape(usable, [batch, 1, height * width])  # (B,1,L)
    weights = tf.nn.softmax(scores * usable * softmax_scale, axis=-1) * usable  # (B,P,L)
    return tf.reshape(weights, [batch, height, width, height * width])  # (B,h,w,L)


def _transpose_positions(scores, height, width):
    """Reorders both P and L axes from (row, column) to (column, row) order. (B,P,L) -> (B,P,L)."""
    batch = tf.shape(scores)[0]
    grid = tf.reshape(scores, [batch, height, width, height, width])  # (B,h,w,h,w)
    grid = tf.transpose(grid, [0, 2, 1, 4, 3])  # (B,w,h,w,h)
    return tf.reshape(grid, [batch, height * width, height * width])


def contextual_attention(foreground, background, masks, rate=2, patch_size=3, fuse_size=3,
                         softmax_scale=10.0):
    """CA's contextual attention: (B,H,W,C) features, (B,H,W,1) masks -> (B,H,W,C) float32.

    Matching uses 3x3 patches at 1/rate resolution; the pasted patches are the corresponding
    (2*rate)x(2*rate) full-resolution patches at stride rate, overlap-added and divided by 4.
    """
    weights = contextual_attention_scores(foreground, background, masks, rate, patch_size,
                                          fuse_size, softmax_scale)  # (B,h,w,L)
    background = tf.cast(background, tf.float32)
    shape = tf.shape(background)
    batch, channels = shape[0], background.shape[-1]
    raw_size = 2 * rate
    raw = _patches(background, raw_size, rate)  # (B,h,w,r*r*C), r = 2*rate
    raw = tf.reshape(raw, [batch, -1, raw_size * raw_size * channels])  # (B,L,r*r*C)
    low = tf.shape(weights)
    flat = tf.reshape(weights, [batch, low[1] * low[2], -1])  # (B,P,L)
    pasted = tf.matmul(flat, raw)  # (B,P,r*r*C)
    pasted = tf.reshape(pasted, [batch, low[1], low[2], raw_size * raw_size * channels])
    # Overlap-add of the r x r patches at stride `rate` = a transposed convolution whose fixed
    # kernel routes input channel (i, j, c) to output offset (i, j), channel c.
    fold = tf.reshape(tf.eye(raw_size * raw_size * channels),
                      [raw_size, raw_size, channels, raw_size * raw_size * channels])
    output = tf.nn.conv2d_transpose(pasted, fold, output_shape=shape, strides=rate,
                                    padding="SAME")  # (B,H,W,C)
    return output / 4.0


@keras.saving.register_keras_serializable(package="an_tf")
class ContextualAttention(keras.layers.Layer):
    """CA's contextual-attention layer (no weights), vectorised over the batch.

    Args:
        rate: matching is done at 1/rate resolution (2 in CA).
        patch_size: size of the matched patches (3 in CA).
        fuse_size: size of the identity "fusion" kernel (3 in CA; 1 disables fusion).
        softmax_scale: scale of the scores before the softmax (10 in CA).
        **kwargs: standard layer arguments.

    Call arguments:
        x: (B, H, W, C) features used as foreground and background; H, W multiples of `rate`.
        masks: (B, H, W, 1) hole masks at the feature resolution, 1 = missing.
    Returns (B, H, W, C) in the compute dtype.

    Example:
        >>> ContextualAttention()(tf.random.normal([2, 16, 16, 8]), tf.zeros([2, 16, 16, 1]))

    Reference: https://arxiv.org/abs/1801.07892
    """

    def __init__(self, rate=2, patch_size=3, fuse_size=3, softmax_scale=10.0, **kwargs):
        super().__init__(**kwargs)
        for name, value in (("rate", rate), ("patch_size", patch_size), ("fuse_size", fuse_size)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not softmax_scale > 0:
            raise ValueError(f"softmax_scale must be > 0, got {softmax_scale!r}")
        self.rate = rate
        self.patch_size = patch_size
        self.fuse_size = fuse_size
        self.softmax_scale = float(softmax_scale)

    def call(self, x, masks):
        output = contextual_attention(x, x, masks, self.rate, self.patch_size, self.fuse_size,
                                      self.softmax_scale)
        return tf.cast(output, self.compute_dtype)

    def compute_output_spec(self, x, masks):
        return keras.KerasTensor(x.shape, dtype=self.compute_dtype)

    def get_config(self):
        config = super().get_config()
        config.update(rate=self.rate, patch_size=self.patch_size, fuse_size=self.fuse_size,
                      softmax_scale=self.softmax_scale)
        return config
