"""Tests of an_tf.training.state: every variable keyed, uniquely and stably, lists and dicts too."""

import keras
import pytest
import tensorflow as tf

from an_tf.training import state


class Nested(keras.layers.Layer):
    """Sublayers held only in a list and a dict (what tf.train.Checkpoint(model=...) misses)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.stack = [keras.layers.Dense(3), [keras.layers.BatchNormalization()]]
        self.heads = {"b": keras.layers.Dense(2), "a": keras.layers.Dense(1)}
        self.noise = keras.random.SeedGenerator(7)

    def build(self, shape):
        self.stack[0].build(shape)
        self.stack[1][0].build(shape[:-1] + (3,))
        for head in self.heads.values():
            head.build(shape[:-1] + (3,))

    def call(self, x):
        h = self.stack[1][0](self.stack[0](x))
        return self.heads["a"](h) + keras.ops.sum(self.heads["b"](h), axis=-1, keepdims=True)


def _built_model():
    inputs = keras.Input((4,))
    model = keras.Model(inputs, Nested(name="nested")(inputs))
    optimizer = keras.optimizers.Adam()
    optimizer.build(model.trainable_variables)
    return model, optimizer


def test_layers_in_lists_dicts_and_seed_generators_are_all_keyed():
    model, optimizer = _built_model()
    variables = state.state_variables(model=model, optimizer=optimizer)
    keyed = {id(v) for v in variables.values()}
    assert all(id(v) in keyed for v in model.variables + optimizer.variables)
    assert len(variables) == len(model.variables) + len(optimizer.variables)
    keys = set(variables)
    assert any("stack/1/0/moving_variance" in key for key in keys)  # list inside a list
    assert any(key.endswith("heads/a/kernel") for key in keys)  # dict
    assert any(key.endswith("noise/state") for key in keys)  # SeedGenerator, not Trackable


def test_optimizer_slots_are_keyed_by_their_variable():
    model, optimizer = _built_model()
    variables = state.state_variables(model=model, optimizer=optimizer)
    kernel_key = next(k for k, v in variables.items() if v is model.layers[1].heads["a"].kernel)
    momentum = variables[f"optimizer/momentums/{kernel_key}"]
    assert momentum.shape == model.layers[1].heads["a"].kernel.shape
    assert "optimizer/iterations" in variables


def test_keys_do_not_depend_on_automatic_layer_names():
    first = state.state_variables(model=_built_model()[0])
    second = state.state_variables(model=_built_model()[0])  # Keras names it "dense_4", ...
    assert list(first) == list(second)
    assert [v.path for v in first.values()] != [v.path for v in second.values()]


def test_slots_of_variables_outside_the_objects_are_an_error():
    model, optimizer = _built_model()
    with pytest.raises(state.StateError, match="not in the saved objects"):
        state.state_variables(optimizer=optimizer)  # the model is not given
    assert isinstance(state.state_variables(model=model), dict)


def test_loss_scale_optimizer_state_is_keyed():
    model, _ = _built_model()
    optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam())
    optimizer.build(model.trainable_variables)
    variables = state.state_variables(model=model, optimizer=optimizer)
    assert len(variables) == len(model.variables) + len(optimizer.variables)
    scale = next(v for v in variables.values() if v is optimizer.dynamic_scale)
    assert tf.reduce_all(scale.value > 1.0)
