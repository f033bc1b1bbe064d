"""Independent float64 numpy references for the AN op and layer (no TensorFlow)."""

import numpy as np


def regional_normalization_np(x, layout, beta, alpha, epsilon, mean_over_positions=False):
    """Algorithm 1 in float64 numpy: x (B,H,W,C), layout (B,H,W,n), beta/alpha (C,) or None."""
    x = np.asarray(x, np.float64)[..., None]  # (B,H,W,C,1)
    s = np.asarray(layout, np.float64)[:, :, :, None, :]  # (B,H,W,1,n)
    beta = 1.0 if beta is None else np.asarray(beta, np.float64).reshape(1, 1, 1, -1, 1)
    alpha = 0.0 if alpha is None else np.asarray(alpha, np.float64).reshape(1, 1, 1, -1, 1)
    count = s.sum(axis=(1, 2), keepdims=True) + epsilon
    activated = x * s
    positions = x.shape[1] * x.shape[2]
    mean = activated.sum(axis=(1, 2), keepdims=True) / count
    if mean_over_positions:
        mean = mean / positions
    std = np.sqrt(((activated - mean) ** 2).sum(axis=(1, 2), keepdims=True) / count)
    normalized = (x - mean) / (std + epsilon) * beta + alpha
    return (normalized * s).sum(axis=-1)


def conv1x1_np(x, kernel, bias=None):
    """A 1x1 convolution: x (B,H,W,C) and a Keras kernel (1,1,C,D)."""
    y = np.einsum("bhwc,cd->bhwd", np.asarray(x, np.float64), np.asarray(kernel, np.float64)[0, 0])
    return y if bias is None else y + np.asarray(bias, np.float64)


def softmax_np(logits, axis=-1):
    e = np.exp(logits - logits.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def attentive_normalization_inference_np(x, weights, temperature, epsilon):
    """The whole AN module (paper variant, training=False: no SSR) in float64 numpy.

    weights: dict with entity_kernel (1,1,C,n), gamma (), beta (C,), alpha (C,).
    """
    logits = conv1x1_np(x, weights["entity_kernel"])  # (B,H,W,n)
    layout = softmax_np(logits / temperature)
    normalized = regional_normalization_np(x, layout, weights["beta"], weights["alpha"], epsilon)
    return np.asarray(x, np.float64) + weights["gamma"] * normalized, layout
