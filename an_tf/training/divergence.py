"""Non-finite losses and gradients, detected inside a training step (the `--on_nan` flag).

A model's `train_step` calls `apply_gradients(optimizer, gradients, variables, losses, on_nan)`
instead of `optimizer.apply(...)` and reports the returned count as the "nonfinite_updates" output.
With on_nan="stop" the update is applied as usual and `run_training` stops at that step without
saving (the last checkpoint stays the latest good one). With on_nan="skip" an update whose loss or
gradients are not all finite is not applied at all (no variable, slot or iteration count changes),
and `run_training` counts it.
"""

import tensorflow as tf

ON_NAN_CHOICES = ("stop", "skip")


def all_finite(tensors):
    """Scalar bool: every element of every tensor is finite, on EVERY replica.

    The flag is all-reduced, so that all replicas take the same branch (a replica skipping an
    update that others apply would deadlock their gradient all-reduce).
    """
    local = _locally_finite(tensors)
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return local
    bad_replicas = context.all_reduce(tf.distribute.ReduceOp.SUM,
                                      1.0 - tf.cast(local, tf.float32))
    return tf.equal(bad_replicas, 0.0)


def _locally_finite(tensors):
    checks = [tf.reduce_all(tf.math.is_finite(t)) for t in tensors if t is not None]
    return tf.reduce_all(tf.stack(checks)) if checks else tf.constant(True)


def apply_gradients(optimizer, gradients, variables, losses, on_nan="stop"):
    """Applies `gradients` unless (with on_nan="skip") a loss or gradient is not finite.

    Call it in a replica context (inside `train_step`), like `optimizer.apply`.

    Args:
        optimizer: a Keras optimizer (LossScaleOptimizer included).
        gradients, variables: lists, as for `optimizer.apply`.
        losses: scalar loss tensors that must be finite too.
        on_nan: "stop" (apply anyway; the loop stops) or "skip" (do not apply).

    Returns:
        float32 scalar: 1.0 if the loss or gradients were not finite, else 0.0 (with "skip" the
        same on every replica; with "stop" this replica's, averaged over replicas by the loop).
    """
    if on_nan not in ON_NAN_CHOICES:
        raise ValueError(f"on_nan must be one of {ON_NAN_CHOICES}, got {on_nan!r}")
    if on_nan == "stop":  # the loop averages the flag over replicas: no collective needed here
        optimizer.apply(gradients, variables)
        return 1.0 - tf.cast(_locally_finite(list(losses) + list(gradients)), tf.float32)
    finite = all_finite(list(losses) + list(gradients))
    if tf.__internal__.distribute.strategy_supports_no_merge_call():
        tf.cond(finite, lambda: _apply(optimizer, gradients, variables), lambda: None)
    else:
        # As Keras' LossScaleOptimizer does: the cond must run in a cross-replica context, since
        # optimizer.apply calls merge_call, which a cond branch in a replica context cannot.
        tf.distribute.get_replica_context().merge_call(
            _cross_replica_apply, args=(optimizer, gradients, variables, finite))
    return 1.0 - tf.cast(finite, tf.float32)


def _apply(optimizer, gradients, variables):
    optimizer.apply(gradients, variables)


def _cross_replica_apply(distribution, optimizer, gradients, variables, finite):
    finite = distribution.experimental_local_results(finite)[0]  # equal on every replica

    def apply_on_replicas():
        distribution.extended.call_for_each_replica(
            _apply, args=(optimizer, gradients, variables))

    tf.cond(finite, apply_on_replicas, lambda: None)
