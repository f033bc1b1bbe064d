"""Per-class real features on disk: the same moments as in memory, reloaded only when complete."""

import os

import numpy as np

from an_tf.metrics.class_features import ClassFeatureStore, cached_class_features
from an_tf.metrics.intra_fid import ClassMoments


def _fill(store_or_moments, seed=0):
    rng = np.random.default_rng(seed)
    for _ in range(3):
        store_or_moments.update(rng.normal(size=(10, 4)) + 100.0, rng.integers(0, 3, 10))
    return store_or_moments


def test_store_moments_equal_in_memory_class_moments(tmp_path):
    store, memory = _fill(ClassFeatureStore(str(tmp_path / "s"))), _fill(ClassMoments())
    assert store.labels == sorted(memory.per_class) == [0, 1, 2]
    for label in store.labels:
        # float32 files: features of size ~100 keep ~1e-5 relative precision.
        np.testing.assert_allclose(store.class_moments(label).covariance(),
                                   memory.class_moments(label).covariance(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(store.overall().covariance(), memory.overall().covariance(),
                               rtol=1e-12)


def test_cache_reloads_complete_stores_and_redoes_partial_ones(tmp_path):
    directory = str(tmp_path / "cache")
    calls = []

    def fill(store):
        calls.append(1)
        _fill(store)

    first = cached_class_features(directory, fill)
    second = cached_class_features(directory, fill)
    assert len(calls) == 1
    np.testing.assert_array_equal(second.overall().mean, first.overall().mean)
    os.remove(os.path.join(directory, "complete"))  # as if the pass had crashed
    third = cached_class_features(directory, fill)
    assert len(calls) == 2 and third.overall().count == 30  # not 60: the partial files are gone
    assert third.class_moments(1).count == first.class_moments(1).count
