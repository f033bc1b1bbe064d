"""Regional normalization: Algorithm 1 of the supplement of Wang et al., "Attentive Normalization
for Conditional Image Generation" (CVPR 2020, arXiv 2004.03828).

Shape letters: B batch, H height, W width, C channels, n semantic entities (regions), P = H*W.

Two implementations of one function:
- `literal`: the eight lines of Algorithm 1 in tf ops, as written (materializes (B,H,W,C,n) tensors).
- `fused` (default): the same function through (P x n)(n x C) matrix products, with no 5-D tensor.

Note that Algorithm 1's sigma is not the usual weighted standard deviation: positions outside a
region still contribute mu**2 (the sum runs over X*S - mu at every position). Both implementations
keep that definition. Statistics are computed in float32 whatever the input dtype.
"""

import tensorflow as tf

IMPLEMENTATIONS = ("literal", "fused")


def regional_normalization(
    x,
    layout,
    beta=None,
    alpha=None,
    epsilon=1e-5,
    implementation="fused",
    mean_over_positions=False,
):
    """Normalizes each soft region of `x` separately (Algorithm 1).

    Args:
        x: feature maps, (B, H, W, C), any float dtype.
        layout: soft semantic layout S, (B, H, W, n), non-negative (a softmax over n in AN).
        beta: per-channel scale, (C,) (Algorithm 1's (1,1,1,C,1)); None means no scale (ones).
        alpha: per-channel shift, (C,); None means no shift (zeros).
        epsilon: the epsilon of lines 2 and 7 (the region size floor and the std floor).
        implementation: "fused" (default, no (B,H,W,C,n) tensor) or "literal" (the pseudo-code).
        mean_over_positions: if True, the mean is sum(X*S) / (P * c) as in the authors' released
            TF1 inpainting code (a mean over H, W divided again by c); Algorithm 1 uses sum(X*S) / c.

    Returns:
        The normalized feature maps, (B, H, W, C), in the dtype of `x`.
    """
    if implementation not in IMPLEMENTATIONS:
        raise ValueError(
            f"implementation must be one of {IMPLEMENTATIONS}, got {implementation!r}"
        )
    x = tf.convert_to_tensor(x)
    layout = tf.convert_to_tensor(layout)
    _check_shapes(x, layout)
    out_dtype = x.dtype
    # Half-precision inputs get float32 statistics; float64 inputs stay float64.
    stat_dtype = tf.float64 if out_dtype == tf.float64 else tf.float32
    channels = x.shape[-1]
    beta = _affine_or_constant(beta, 1.0, channels, "beta", stat_dtype)
    alpha = _affine_or_constant(alpha, 0.0, channels, "alpha", stat_dtype)
    fn = _literal if implementation == "literal" else _fused
    y = fn(tf.cast(x, stat_dtype), tf.cast(layout, stat_dtype), beta, alpha, float(epsilon),
           bool(mean_over_positions))
    return tf.cast(y, out_dtype)


def _check_shapes(x, layout):
    if x.shape.rank != 4 or layout.shape.rank != 4:
        raise ValueError(
            "regional_normalization expects x (B,H,W,C) and layout (B,H,W,n), got shapes "
            f"{x.shape} and {layout.shape}"
        )
    if not x.shape[:3].is_compatible_with(layout.shape[:3]):
        raise ValueError(
            f"x and layout must agree on (B,H,W): got {x.shape} and {layout.shape}"
        )
    if not (x.dtype.is_floating and layout.dtype.is_floating):
        raise ValueError(
            f"x and layout must be floating point, got {x.dtype.name} and {layout.dtype.name}"
        )


def _affine_or_constant(value, constant, channels, name, dtype):
    if value is None:
        return tf.constant(constant, dtype)
    value = tf.cast(tf.convert_to_tensor(value), dtype)
    if value.shape.rank != 1 or (channels is not None and value.shape[0] not in (None, channels)):
        raise ValueError(f"{name} must have shape (C,)=({channels},), got {value.shape}")
    return value


@tf.custom_gradient
def _sqrt_zero_safe(v):
    """sqrt(v) whose gradient is 0 (not inf*0 = NaN) where v == 0, e.g. an all-zero channel."""
    root = tf.sqrt(v)

    def grad(dy):
        return tf.math.divide_no_nan(0.5 * dy, root)

    return root, grad


def _literal(x, s, beta, alpha, eps, mean_over_positions):
    """Algorithm 1, line by line (only the (C,) affine is reshaped to its (1,1,1,C,1))."""
    beta = tf.reshape(beta, [1, 1, 1, -1, 1])
    alpha = tf.reshape(alpha, [1, 1, 1, -1, 1])
    s = tf.expand_dims(s, -2)  # 1: (B,H,W,1,n)
    c = tf.reduce_sum(s, axis=[1, 2], keepdims=True) + eps  # 2: (B,1,1,1,n)
    x = tf.expand_dims(x, -1)  # 3: (B,H,W,C,1)
    x_activated = x * s  # 4: (B,H,W,C,n)
    if mean_over_positions:  # released code: reduce_mean over H,W, then / c
        x_mean = tf.reduce_mean(x_activated, axis=[1, 2], keepdims=True) / c
    else:  # 5: (B,1,1,C,n)
        x_mean = tf.reduce_sum(x_activated, axis=[1, 2], keepdims=True) / c
    x_std = _sqrt_zero_safe(  # 6: (B,1,1,C,n)
        tf.reduce_sum((x_activated - x_mean) ** 2, axis=[1, 2], keepdims=True) / c
    )
    x = (x - x_mean) / (x_std + eps) * beta + alpha  # 7: (B,H,W,C,n)
    return tf.reduce_sum(x * s, axis=-1)  # 8: (B,H,W,C)


def _fused(x, s, beta, alpha, eps, mean_over_positions):
    """Algorithm 1 with every sum over positions written as a (C x P)(P x n) product.

    To keep float32 accuracy for inputs with a large mean, x is first shifted by its per-channel
    mean m (x = m + x'); the function is exactly unchanged for any m, so m carries no gradient.
    With q = sum_p s / c, mu' = sum_p x's / c (or / (P c)), A = x's and mu = m q + mu' (or m q / P + mu'):
        x s - mu = (A - mu') + m (s - q)          [for the released-code mean, q -> q / P]
        sum_p (x s - mu)^2 = sum (A-mu')^2 + 2 m sum (A-mu')(s-q) + m^2 sum (s-q)^2
    and each term expands into products of x' and s alone. The output line becomes
        Y = beta * (x' (S a) - S (d a)) + alpha * sum_n s,   a = 1/(sigma+eps), d = mu - m,
    two (P x n)(n x C) products.
    """
    shape = tf.shape(x)
    batch, height, width = shape[0], shape[1], shape[2]
    channels, entities = x.shape[-1] or shape[3], s.shape[-1] or tf.shape(s)[3]
    x = tf.reshape(x, [batch, height * width, channels])  # (B,P,C)
    s = tf.reshape(s, [batch, height * width, entities])  # (B,P,n)
    positions = tf.cast(height * width, x.dtype)
    m = tf.stop_gradient(tf.reduce_mean(x, axis=1, keepdims=True))  # (B,1,C)
    xc = x - m  # x' (B,P,C)

    # Statistics are laid out (B,n,C): the products then transpose the small s, never x.
    c = tf.reduce_sum(s, axis=1)[:, :, None] + eps  # (B,n,1)
    mean_scale = 1.0 / positions if mean_over_positions else 1.0
    q = (c - eps) / c * mean_scale  # (B,n,1)
    sum_a = tf.matmul(s, xc, transpose_a=True)  # sum_p x's: (B,n,C)
    mu_c = sum_a / c * mean_scale  # mu' (B,n,C)

    s_sq = tf.square(s)  # (B,P,n)
    sum_a2 = tf.matmul(s_sq, tf.square(xc), transpose_a=True)  # sum_p (x's)^2: (B,n,C)
    sum_as = tf.matmul(s_sq, xc, transpose_a=True)  # sum_p x's^2: (B,n,C)
    sum_s = c - eps  # (B,n,1)
    # sum_p (A - mu')^2 = sum A^2 - 2 mu' sum A + P mu'^2
    sq_a = sum_a2 - 2.0 * mu_c * sum_a + positions * tf.square(mu_c)
    # sum_p (A - mu')(s - q) = sum A s - q sum A - mu' sum s + P mu' q
    cross = sum_as - q * sum_a - mu_c * sum_s + positions * mu_c * q
    q_row = tf.transpose(q, [0, 2, 1])  # (B,1,n)
    sq_s = tf.reduce_sum(tf.square(s - q_row), axis=1)[:, :, None]  # (B,n,1), no C: cheap
    total = sq_a + 2.0 * m * cross + tf.square(m) * sq_s  # (B,n,C)
    sigma = _sqrt_zero_safe(tf.maximum(total, 0.0) / c)  # rounding can dip below 0
    inv = 1.0 / (sigma + eps)  # a (B,n,C)
    # mu - m = m (q - 1) + mu'; q - 1 = -eps/c exactly for the paper's mean.
    q_minus_one = q - 1.0 if mean_over_positions else -eps / c
    delta = m * q_minus_one + mu_c  # (B,n,C)

    scale = tf.matmul(s, inv)  # sum_n s a: (B,P,C)
    shift = tf.matmul(s, delta * inv)  # sum_n s d a: (B,P,C)
    weight = tf.reduce_sum(s, axis=-1, keepdims=True)  # sum_n s: (B,P,1)
    y = beta * (xc * scale - shift) + alpha * weight  # (B,P,C)
    return tf.reshape(y, shape)
