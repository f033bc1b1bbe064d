"""Real-data statistics computed once and cached in the run's workdir, keyed by everything they
depend on: dataset, split, resolution, number of examples and the feature network (file hash)."""

import os
import re

import numpy as np
from absl import logging

from an_tf.metrics.intra_fid import ClassMoments


def cache_path(workdir, **key):
    """<workdir>/eval_cache/<k1>-<v1>_<k2>-<v2>....npz (values made file-name safe)."""
    parts = [f"{name}-{re.sub(r'[^A-Za-z0-9.]+', '.', str(value))}" for name, value in key.items()]
    return os.path.join(workdir, "eval_cache", "_".join(parts) + ".npz")


def cached_class_moments(workdir, compute, **key):
    """The `ClassMoments` cached under `key` in `workdir`, or compute() saved there first."""
    path = cache_path(workdir, **key)
    if os.path.exists(path):
        logging.info("real statistics from %s", path)
        with np.load(path) as stored:
            return ClassMoments.from_state(dict(stored))
    moments = compute()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".tmp.npz"
    np.savez(temporary, **moments.state())
    os.replace(temporary, path)  # atomic: a concurrent reader never sees half a file
    logging.info("real statistics saved to %s", path)
    return moments
