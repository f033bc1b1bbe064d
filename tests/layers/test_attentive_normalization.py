"""AttentiveNormalization: the whole module against numpy references, SSR, losses, round trips."""

import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from an_tf.layers import AttentiveNormalization
from tests.layer_testing import run_layer_test
from tests.references import (
    attentive_normalization_inference_np,
    conv1x1_np,
    regional_normalization_np,
    softmax_np,
)

SHAPE = (2, 6, 5, 16)


def _inputs(shape=SHAPE, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


def _built_layer(**kwargs):
    layer = AttentiveNormalization(num_entities=4, seed=3, **kwargs)
    layer.build(SHAPE)
    rng = np.random.default_rng(1)
    layer.gamma.assign(0.7)
    if layer.beta is not None:
        layer.beta.assign(rng.normal(size=SHAPE[-1]))
        layer.alpha.assign(rng.normal(size=SHAPE[-1]))
    return layer


def _fixed_positions(layer, positions):
    """Replaces the random draw by known positions, so SSR can be checked against numpy."""
    layer._sample_positions = lambda shape, num: tf.reshape(tf.constant(positions, tf.int32), shape)


@pytest.mark.parametrize("variant", ["paper", "official"])
def test_keras_layer_contract(variant, tmp_path):
    run_layer_test(
        AttentiveNormalization,
        dict(num_entities=4, variant=variant, seed=1, ssr_pool_size=None),
        input_shape=SHAPE, tmp_path=tmp_path, expected_output_shape=SHAPE,
    )


@pytest.mark.parametrize("implementation", ["fused", "literal"])
def test_inference_matches_numpy_module(implementation):
    layer = _built_layer(implementation=implementation)
    x = _inputs()
    got, layout = layer(x, training=False, return_layout=True)
    weights = dict(entity_kernel=layer.entity_conv.kernel.numpy(), gamma=0.7,
                   beta=layer.beta.numpy(), alpha=layer.alpha.numpy())
    expected, expected_layout = attentive_normalization_inference_np(x, weights, 10.0, 1e-5)
    np.testing.assert_allclose(layout.numpy(), expected_layout, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(got.numpy(), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(layout.numpy().sum(-1), 1.0, rtol=1e-5)


def _ssr_np(layer, x, positions, pool=None):
    keys = conv1x1_np(x, layer.key_conv.kernel.numpy(), layer.key_conv.bias.numpy())
    if pool:
        keys = keys.reshape(x.shape[0], x.shape[1] // pool, pool, x.shape[2] // pool, pool, -1)
        keys = keys.max(axis=(2, 4))
    queries = conv1x1_np(x, layer.query_conv.kernel.numpy(), layer.query_conv.bias.numpy())
    sampled = keys.reshape(x.shape[0], -1, keys.shape[-1])[:, positions]  # (B,n,K)
    return np.einsum("bhwk,bnk->bhwn", queries, sampled)


def test_training_layout_matches_numpy_with_known_positions():
    layer = _built_layer()
    layer.ssr_weight.assign([0.3, 2.0, -1.0, 0.5])  # read clipped to [0, 1]
    positions = [0, 7, 7, 29]
    _fixed_positions(layer, positions)
    x = _inputs()
    _, layout = layer(x, training=True, return_layout=True)
    logits = conv1x1_np(x, layer.entity_conv.kernel.numpy())
    logits += np.array([0.3, 1.0, 0.0, 0.5]) * _ssr_np(layer, x, positions)
    np.testing.assert_allclose(layout.numpy(), softmax_np(logits / 10.0), rtol=1e-4, atol=1e-6)


def test_ssr_pooling_samples_pooled_keys():
    layer = AttentiveNormalization(num_entities=4, ssr_pool_size=2, seed=0)
    x = _inputs((2, 6, 4, 16))
    layer.build(x.shape)
    _fixed_positions(layer, [0, 1, 5, 3])
    got = layer.self_sampling(tf.constant(x)).numpy()
    np.testing.assert_allclose(got, _ssr_np(layer, x, [0, 1, 5, 3], pool=2), rtol=1e-4, atol=1e-4)


def test_ssr_random_in_training_and_off_at_inference():
    layer = _built_layer()
    x = _inputs()
    train_a, train_b = (layer(x, training=True, return_layout=True)[1] for _ in range(2))
    assert not np.allclose(train_a, train_b), "new positions must be drawn at every call"
    infer_a, infer_b = (layer(x, training=False, return_layout=True)[1] for _ in range(2))
    np.testing.assert_array_equal(infer_a, infer_b)


def test_official_variant_keeps_ssr_at_inference():
    layer = _built_layer(variant="official")
    x = _inputs()
    first, second = (layer(x, training=False) for _ in range(2))
    assert not np.allclose(first, second)


def test_per_example_sampling_draws_per_example():
    x = np.repeat(_inputs((1, 6, 5, 16)), 2, axis=0)  # two identical examples
    for per_example, same in ((False, True), (True, False)):
        layer = AttentiveNormalization(num_entities=4, per_example_sampling=per_example, seed=0)
        layer.build(x.shape)
        ssr = layer.self_sampling(tf.constant(x)).numpy()
        assert np.allclose(ssr[0], ssr[1]) == same


def test_ssr_weight_clipped_when_read():
    x = _inputs()
    layer = _built_layer()
    _fixed_positions(layer, [1, 2, 3, 4])
    layouts = {}
    for name, t in (("high", 5.0), ("one", 1.0), ("negative", -3.0)):
        layer.ssr_weight.assign([t] * 4)
        layouts[name] = layer(x, training=True, return_layout=True)[1].numpy()
    np.testing.assert_allclose(layouts["high"], layouts["one"], rtol=1e-6)
    assert not np.allclose(layouts["one"], layouts["negative"])
    no_ssr = layer(x, training=False, return_layout=True)[1].numpy()
    np.testing.assert_allclose(layouts["negative"], no_ssr, rtol=1e-6)


@pytest.mark.parametrize("variant", ["paper", "official"])
def test_orthogonality_loss(variant):
    layer = _built_layer(variant=variant, orthogonal_weight=0.01)
    layer(_inputs(), training=True)
    w = layer.entity_conv.kernel.numpy().reshape(SHAPE[-1], 4).T.astype(np.float64)  # (n,C)
    residual = w @ w.T - np.eye(4)
    expected = np.sum(residual) if variant == "official" else np.sum(residual**2)
    assert len(layer.losses) == 1
    np.testing.assert_allclose(float(layer.losses[0]), 0.01 * expected, rtol=1e-5)
    silent = _built_layer(orthogonal_weight=0.0)
    silent(_inputs(), training=True)
    assert not silent.losses


def test_official_variant_reproduces_released_code():
    layer = _built_layer(variant="official")
    layer.ssr_weight.assign([0.1, 0.4, 1.5, 0.0])
    positions = [3, 3, 11, 0]
    _fixed_positions(layer, positions)
    x = _inputs()
    got = layer(x, training=False).numpy()
    # The released TF1 code: mask = conv(x, filters); layout = softmax((clip(t)*F + mask) / 10);
    # xv = conv(x) + b; mean = reduce_mean(xv*S) / cnt; no affine; x + sigma * xn, eps = 1e-7.
    logits = conv1x1_np(x, layer.entity_conv.kernel.numpy())
    logits += np.clip([0.1, 0.4, 1.5, 0.0], 0, 1) * _ssr_np(layer, x, positions)
    layout = softmax_np(logits / 10.0)
    value = conv1x1_np(x, layer.value_conv.kernel.numpy(), layer.value_conv.bias.numpy())
    normalized = regional_normalization_np(value, layout, None, None, 1e-7, mean_over_positions=True)
    np.testing.assert_allclose(got, x + 0.7 * normalized, rtol=1e-4, atol=1e-4)
    assert layer.beta is None and layer.alpha is None and layer.epsilon == 1e-7


def test_literal_and_fused_layers_agree_in_value_and_gradient():
    x = tf.constant(_inputs())
    results = {}
    layer = _built_layer()
    _fixed_positions(layer, [0, 5, 9, 2])
    for impl in ("literal", "fused"):
        layer.implementation = impl  # same weights, other implementation
        with tf.GradientTape() as tape:
            y = layer(x, training=True)
            loss = tf.reduce_sum(y * tf.cos(x)) + tf.add_n(layer.losses)
        grads = tape.gradient(loss, layer.trainable_weights)
        results[impl] = (y.numpy(), [g.numpy() for g in grads])
        assert all(g is not None for g in grads)
    np.testing.assert_allclose(results["fused"][0], results["literal"][0], rtol=1e-4, atol=1e-4)
    for g_fused, g_literal in zip(results["fused"][1], results["literal"][1]):
        np.testing.assert_allclose(g_fused, g_literal, rtol=2e-3, atol=max(1e-3 * np.abs(g_literal).max(), 1e-6))


@pytest.mark.parametrize("size", [(1, 1), (3, 7)])
def test_any_spatial_size(size):
    layer = AttentiveNormalization(num_entities=4, ssr_pool_size=2)
    y = layer(tf.random.normal((2,) + size + (8,)), training=True)
    assert y.shape == (2,) + size + (8,)


def test_xla_training_call():
    layer = _built_layer()
    fn = tf.function(lambda x: layer(x, training=True), jit_compile=True)
    y = fn(tf.constant(_inputs()))
    assert y.shape == SHAPE and np.all(np.isfinite(y.numpy()))


def test_saved_model_round_trip_in_fresh_process(tmp_path):
    layer = _built_layer()
    module = tf.Module()
    module.layer = layer
    module.serve = tf.function(
        lambda x: layer(x, training=False),
        input_signature=[tf.TensorSpec([None, None, None, SHAPE[-1]], tf.float32)],
    )
    path = str(tmp_path / "an_saved_model")
    tf.saved_model.save(module, path)
    x = _inputs((3, 4, 4, SHAPE[-1]))
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "expected.npy", layer(x, training=False).numpy())
    script = (  # no an_tf import in the loading process
        "import numpy as np, tensorflow as tf, sys; d = sys.argv[1];"
        "m = tf.saved_model.load(d + '/an_saved_model');"
        "y = m.serve(tf.constant(np.load(d + '/x.npy'))).numpy();"
        "np.testing.assert_allclose(y, np.load(d + '/expected.npy'), rtol=1e-5, atol=1e-5)"
    )
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    subprocess.run([sys.executable, "-c", script, str(tmp_path)], check=True, env=env, timeout=120)


def test_invalid_arguments_are_rejected():
    for kwargs, message in (
        (dict(num_entities=0), "num_entities"),
        (dict(temperature=0.0), "temperature"),
        (dict(variant="released"), "variant"),
        (dict(implementation="fast"), "implementation"),
        (dict(ssr_pool_size=0), "ssr_pool_size"),
        (dict(orthogonal_weight=-1.0), "orthogonal_weight"),
    ):
        with pytest.raises(ValueError, match=message):
            AttentiveNormalization(**kwargs)
    with pytest.raises(ValueError, match="C known"):
        AttentiveNormalization().build((None, 8, 8, None))


def test_attribute_names_of_the_public_api():
    layer = _built_layer(variant="official")
    for name in ("entity_conv", "key_conv", "query_conv", "value_conv", "ssr_weight", "gamma"):
        assert getattr(layer, name) is not None, name
    assert layer.ssr_weight.shape == (4,) and float(layer.gamma.numpy()) == pytest.approx(0.7)
    fresh = AttentiveNormalization(num_entities=4)
    fresh.build((1, 4, 4, 8))
    assert float(fresh.gamma.numpy()) == 0.0 and np.allclose(fresh.ssr_weight.numpy(), 0.1)
    np.testing.assert_array_equal(fresh.beta.numpy(), 1.0)
    np.testing.assert_array_equal(fresh.alpha.numpy(), 0.0)
