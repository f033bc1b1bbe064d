"""Tests of an_tf.layers.self_attention (SA-GAN) against a float64 numpy reference."""

import numpy as np
import pytest

from an_tf.layers.self_attention import SelfAttention
from tests.layer_testing import run_layer_test


def _max_pool(x):
    batch, height, width, channels = x.shape
    return x.reshape(batch, height // 2, 2, width // 2, 2, channels).max(axis=(2, 4))


def _reference(x, theta, phi, g, output, gamma):
    """x + gamma * ((softmax(theta(x) pool(phi(x))^T) pool(g(x))) @ W_o), all 1x1 convs, float64."""
    x = x.astype(np.float64)
    batch, height, width, channels = x.shape
    queries = (x @ theta).reshape(batch, height * width, -1)  # (B,P,C/8)
    keys = _max_pool(x @ phi).reshape(batch, -1, theta.shape[1])  # (B,Q,C/8)
    values = _max_pool(x @ g).reshape(batch, -1, g.shape[1])  # (B,Q,C/2)
    logits = queries @ keys.transpose(0, 2, 1)  # (B,P,Q)
    attention = np.exp(logits - logits.max(-1, keepdims=True))
    attention /= attention.sum(-1, keepdims=True)
    attended = (attention @ values).reshape(batch, height, width, -1)  # (B,H,W,C/2)
    return x + gamma * attended @ output


def test_matches_reference_with_nonzero_gamma():
    layer = SelfAttention()
    x = np.random.default_rng(0).normal(size=(2, 6, 8, 16)).astype("float32")
    layer(x)  # build
    layer.gamma.assign(0.7)
    kernels = [np.asarray(conv.layer.kernel)[0, 0] for conv in
               (layer.theta, layer.phi, layer.g, layer.output_conv)]  # (C_in, C_out) each
    outputs = layer(x, training=False)  # inference: the stored kernels, no power iteration
    np.testing.assert_allclose(outputs, _reference(x, *kernels, 0.7), rtol=1e-4, atol=1e-4)
    assert [k.shape[1] for k in kernels] == [2, 2, 8, 16]  # C/8, C/8, C/2, C


def test_starts_as_identity():
    x = np.random.default_rng(1).normal(size=(1, 4, 4, 8)).astype("float32")
    np.testing.assert_array_equal(SelfAttention()(x, training=True), x)


def test_training_call_spectrally_normalizes_kernels():
    """One training call = one power iteration: W <- W / (v W u^T), as in Miyato et al. 2018."""
    layer = SelfAttention()
    x = np.ones((1, 4, 4, 16), "float32")
    layer(x, training=False)  # build
    before = {conv.name: (np.asarray(conv.layer.kernel, np.float64).reshape(-1, conv.layer.filters),
                          np.asarray(conv.vector_u, np.float64)) for conv in
              (layer.theta, layer.phi, layer.g, layer.output_conv)}
    layer(x, training=True)
    for conv in (layer.theta, layer.phi, layer.g, layer.output_conv):
        kernel, u = before[conv.name]  # (K, C_out), (1, C_out)
        v = u @ kernel.T
        v /= np.linalg.norm(v)
        u = v @ kernel
        u /= np.linalg.norm(u)
        sigma = (v @ kernel @ u.T).item()
        after = np.asarray(conv.layer.kernel).reshape(kernel.shape)
        np.testing.assert_allclose(after, kernel / sigma, rtol=1e-4, atol=1e-6)


def test_layer_contract(tmp_path):
    run_layer_test(SelfAttention, {"spectral_norm": True}, (2, 8, 8, 16), tmp_path,
                   expected_output_shape=(2, 8, 8, 16))


def test_rejects_too_few_channels():
    with pytest.raises(ValueError, match="C >= 8"):
        SelfAttention()(np.ones((1, 4, 4, 4), "float32"))
