"""regional_normalization: literal and fused against an independent float64 numpy Algorithm 1."""

import numpy as np
import pytest
import tensorflow as tf

from an_tf.ops import regional_normalization
from tests.references import regional_normalization_np


def _softmax(logits):
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _inputs(seed, shape=(2, 6, 5, 12), entities=4, offset=0.0, peak=1.0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape) * 2.0 + offset
    layout = _softmax(rng.normal(size=shape[:3] + (entities,)) * peak)
    beta = rng.normal(size=shape[-1])
    alpha = rng.normal(size=shape[-1])
    return x, layout, beta, alpha


def _relative_error(actual, expected):
    return float(np.abs(actual - expected).max() / np.abs(expected).max())


def _run(x, layout, beta, alpha, implementation, dtype=tf.float32, **kwargs):
    return regional_normalization(
        tf.constant(x, dtype), tf.constant(layout, dtype), beta.astype(np.float32),
        alpha.astype(np.float32), implementation=implementation, **kwargs,
    ).numpy()


@pytest.mark.parametrize("offset", [0.0, 1000.0])
@pytest.mark.parametrize("peak", [0.01, 1.0, 30.0])  # flat, typical and nearly one-hot layouts
@pytest.mark.parametrize("mean_over_positions", [False, True])
def test_fused_error_at_most_twice_literal(offset, peak, mean_over_positions):
    errors = {}
    for seed in range(3):
        x, layout, beta, alpha = _inputs(seed, offset=offset, peak=peak)
        expected = regional_normalization_np(
            x, layout, beta, alpha, 1e-5, mean_over_positions=mean_over_positions
        )
        for impl in ("literal", "fused"):
            got = _run(x, layout, beta, alpha, impl, mean_over_positions=mean_over_positions)
            errors[impl] = max(errors.get(impl, 0.0), _relative_error(got, expected))
    assert errors["fused"] <= 2.0 * max(errors["literal"], 1e-7), errors
    if offset == 0.0:
        assert errors["fused"] < 1e-5 and errors["literal"] < 1e-5, errors


def test_hand_computed_single_region():
    # One region covering everything: c = P + eps, the usual (biased) std of each channel.
    x = np.array([1.0, 2.0, 3.0, 6.0]).reshape(1, 2, 2, 1)
    layout = np.ones((1, 2, 2, 1))
    mean, std = 3.0, np.sqrt(((x - 3.0) ** 2).mean())
    expected = (x - mean) / std
    for impl in ("literal", "fused"):
        got = regional_normalization(x.astype(np.float32), layout.astype(np.float32),
                                     epsilon=1e-7, implementation=impl).numpy()
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


def test_gradients_agree_with_literal_and_finite_on_zero_channel():
    x, layout, beta, alpha = _inputs(7)
    x[..., 0] = 0.0  # a dead channel: sigma = 0 must not give NaN gradients
    tensors = [tf.constant(v, tf.float32) for v in (x, layout, beta, alpha)]
    weights = tf.constant(np.random.default_rng(1).normal(size=x.shape), tf.float32)
    grads = {}
    for impl in ("literal", "fused"):
        with tf.GradientTape() as tape:
            tape.watch(tensors)
            y = regional_normalization(*tensors, implementation=impl)
            loss = tf.reduce_sum(y * weights)
        grads[impl] = [g.numpy() for g in tape.gradient(loss, tensors)]
    for g_lit, g_fus in zip(grads["literal"], grads["fused"]):
        assert np.all(np.isfinite(g_fus)) and np.all(np.isfinite(g_lit))
        np.testing.assert_allclose(g_fus, g_lit, rtol=2e-3, atol=2e-3 * np.abs(g_lit).max())


@pytest.mark.parametrize("implementation", ["literal", "fused"])
def test_gradient_matches_float64_finite_differences(implementation):
    x, layout, beta, alpha = _inputs(3, shape=(1, 3, 3, 2), entities=2)
    weights = np.random.default_rng(0).normal(size=x.shape)
    xt = tf.constant(x, tf.float64)

    def objective(xv):
        return float(np.sum(weights * regional_normalization_np(xv, layout, beta, alpha, 1e-5)))

    with tf.GradientTape() as tape:
        tape.watch(xt)
        y = regional_normalization(xt, tf.constant(layout), tf.constant(beta), tf.constant(alpha),
                                   implementation=implementation)
        assert y.dtype == tf.float64
        loss = tf.reduce_sum(y * weights)
    analytic = tape.gradient(loss, xt).numpy()
    numeric = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[idx] = 1e-3
        numeric[idx] = (objective(x + step) - objective(x - step)) / 2e-3  # O(1e-6) truncation
    np.testing.assert_allclose(analytic, numeric, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("dtype", [tf.float16, tf.bfloat16])
def test_half_precision_inputs_keep_float32_statistics(dtype):
    x, layout, beta, alpha = _inputs(1, offset=3.0)
    expected = regional_normalization_np(x.astype(dtype.as_numpy_dtype).astype(np.float64),
                                         layout, beta, alpha, 1e-5)
    got = regional_normalization(tf.constant(x, dtype), tf.constant(layout, dtype),
                                 beta.astype(np.float32), alpha.astype(np.float32))
    assert got.dtype == dtype
    tolerance = 2e-2 if dtype == tf.bfloat16 else 4e-3
    # Error comes from rounding the output (and the layout) to half precision, not the statistics.
    assert _relative_error(tf.cast(got, tf.float32).numpy(), expected) < tolerance


@pytest.mark.parametrize("implementation", ["literal", "fused"])
def test_xla_and_unknown_shapes(implementation):
    x, layout, beta, alpha = _inputs(2)
    spec = tf.TensorSpec([None, None, None, 12], tf.float32)
    lspec = tf.TensorSpec([None, None, None, 4], tf.float32)
    fn = tf.function(
        lambda a, b: regional_normalization(a, b, beta.astype(np.float32), alpha.astype(np.float32),
                                            implementation=implementation),
        input_signature=[spec, lspec], jit_compile=True,
    )
    expected = regional_normalization_np(x, layout, beta, alpha, 1e-5)
    got = fn(tf.constant(x, tf.float32), tf.constant(layout, tf.float32)).numpy()
    assert _relative_error(got, expected) < 1e-5


def test_bad_inputs_raise_one_line_errors():
    x = tf.zeros([2, 4, 4, 3])
    with pytest.raises(ValueError, match="agree on"):
        regional_normalization(x, tf.zeros([2, 5, 4, 2]), None, None)
    with pytest.raises(ValueError, match="expects x"):
        regional_normalization(tf.zeros([4, 4, 3]), tf.zeros([4, 4, 2]), None, None)
    with pytest.raises(ValueError, match="implementation"):
        regional_normalization(x, tf.zeros([2, 4, 4, 2]), None, None, implementation="fast")
    with pytest.raises(ValueError, match="beta"):
        regional_normalization(x, tf.zeros([2, 4, 4, 2]), tf.ones([5]), None)
    with pytest.raises(ValueError, match="floating"):
        regional_normalization(tf.zeros([2, 4, 4, 3], tf.int32), tf.zeros([2, 4, 4, 2]), None, None)
