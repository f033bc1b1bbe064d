"""A shared check for any Keras layer of an_tf (in the spirit of keras-hub's `run_layer_test`).

`run_layer_test(layer_cls, init_kwargs, input_shape, call_kwargs=None, tmp_path=...)` checks: config
round trip, `.keras` save/load giving identical outputs, a symbolic (functional) call with unknown
batch size, an eager call, one `fit` step that changes the trainable weights, and the
`mixed_float16` / `mixed_bfloat16` policies (output in the compute dtype, finite).
"""

import os

import keras
import numpy as np
import tensorflow as tf


def run_layer_test(layer_cls, init_kwargs, input_shape, tmp_path, call_kwargs=None,
                   expected_output_shape=None, check_fit=True):
    call_kwargs = dict(call_kwargs or {})
    inputs = np.random.default_rng(0).normal(size=input_shape).astype("float32")
    _check_config_round_trip(layer_cls, init_kwargs)
    model = _functional_model(layer_cls(**init_kwargs), input_shape, call_kwargs)
    outputs = model(inputs, training=False)
    if expected_output_shape is not None:
        assert tuple(outputs.shape) == tuple(expected_output_shape)
    _check_saved_round_trip(model, inputs, tmp_path)
    if check_fit:
        _check_one_fit_step(model, inputs, outputs)
    for policy in ("mixed_float16", "mixed_bfloat16"):
        _check_policy(layer_cls, init_kwargs, inputs, call_kwargs, policy)


def _check_config_round_trip(layer_cls, init_kwargs):
    layer = layer_cls(**init_kwargs)
    config = layer.get_config()
    for key, value in init_kwargs.items():
        assert key in config, f"get_config() lacks constructor argument {key!r}"
    clone = layer_cls.from_config(config)
    assert clone.get_config() == config
    revived = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert isinstance(revived, layer_cls)


def _functional_model(layer, input_shape, call_kwargs):
    inputs = keras.Input(shape=input_shape[1:])  # batch size unknown
    return keras.Model(inputs, layer(inputs, **call_kwargs))


def _check_saved_round_trip(model, inputs, tmp_path):
    path = os.path.join(str(tmp_path), "layer_test_model.keras")
    model.save(path)
    revived = keras.saving.load_model(path)
    np.testing.assert_array_equal(
        np.asarray(revived(inputs, training=False)), np.asarray(model(inputs, training=False))
    )


def _check_one_fit_step(model, inputs, outputs):
    before = [np.array(w) for w in model.trainable_weights]
    model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse")
    target = np.asarray(outputs) + 1.0
    history = model.fit(inputs, target, batch_size=len(inputs), epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
    after = [np.array(w) for w in model.trainable_weights]
    assert any(not np.array_equal(b, a) for b, a in zip(before, after)), "fit changed no weight"


def _check_policy(layer_cls, init_kwargs, inputs, call_kwargs, policy):
    previous = keras.config.dtype_policy()
    keras.config.set_dtype_policy(policy)
    try:
        layer = layer_cls(**init_kwargs)
        outputs = layer(tf.constant(inputs), training=True, **call_kwargs)
        first = outputs[0] if isinstance(outputs, (tuple, list)) else outputs
        assert first.dtype == keras.mixed_precision.Policy(policy).compute_dtype
        assert np.all(np.isfinite(tf.cast(first, tf.float32).numpy())), policy
        for weight in layer.weights:
            assert weight.dtype == "float32" or "seed" in weight.path, weight.path
    finally:
        keras.config.set_dtype_policy(previous)
