"""Checks of a whole training state: every model variable and every optimizer variable.

Shared by the round-trip tests of both pipelines, so that a layer added later, wherever it is
held (a list, a dict, an EMA copy), is covered without touching the tests.
"""

import keras
import numpy as np
import tensorflow as tf

from an_tf.training import checkpointing


def all_state(model):
    """[(name, variable)] of `model.variables` and of every optimizer attribute's variables."""
    items = [(f"model {v.path}", v) for v in model.variables]
    for name, optimizer in sorted(checkpointing.model_optimizers(model).items()):
        items += [(f"{name} {v.path}", v) for v in optimizer.variables]
    return items


def randomize(model, seed=0):
    """Gives every variable of the model and its optimizers a distinct random value, so that a
    restore that misses one cannot pass by chance (fresh builds share initial values)."""
    rng = np.random.default_rng(seed)
    for _, variable in all_state(model):
        if variable.dtype == "bool":
            continue
        value = rng.uniform(1.0, 3.0, size=variable.shape)
        variable.assign(tf.cast(value, variable.dtype))


def assert_same_state(model_a, model_b, message=""):
    """Every variable of the two models and their optimizers is bit-identical (by position)."""
    state_a, state_b = all_state(model_a), all_state(model_b)
    assert len(state_a) == len(state_b), message
    differ = [name for (name, a), (_, b) in zip(state_a, state_b)
              if not np.array_equal(keras.ops.convert_to_numpy(a.value),
                                    keras.ops.convert_to_numpy(b.value))]
    assert not differ, f"{message}: {len(differ)} of {len(state_a)} differ, e.g. {differ[:3]}"


def assert_same_checkpoints(path_a, path_b):
    """Two checkpoints hold the same keys and bit-identical tensors."""
    saved_a = checkpointing.load_saved_state(path_a)
    saved_b = checkpointing.load_saved_state(path_b)
    assert list(saved_a) == list(saved_b)
    differ = [key for key in saved_a if not np.array_equal(saved_a[key], saved_b[key])]
    assert not differ, f"{len(differ)} of {len(saved_a)} tensors differ, e.g. {differ[:3]}"
    return len(saved_a)
