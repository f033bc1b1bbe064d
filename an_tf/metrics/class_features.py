"""Real-image features per class kept on disk, for Intra-FID at ImageNet scale.

The per-class covariances of 1000 classes with 2048 Inception features would take 32 GB in
float64, so they are never all held: the features of each class (~1300 images, ~10 MB in float32,
fewer rows than a covariance) are appended to one file per class during the single pass over the
real data, and a class's moments are rebuilt from its file when Intra-FID needs them. The overall
moments (for FID) are streamed in memory.

Shape letters: B batch, D feature size.
"""

import os
import shutil

import numpy as np

from an_tf.metrics.moments import RunningMoments

_COMPLETE = "complete"  # written last: a directory without it is a partial pass


class ClassFeatureStore:
    """Streams (features, labels) batches into <directory>/class_<label>.f32 files and the overall
    moments; `class_moments(label)` and `overall()` give `RunningMoments` like `ClassMoments`."""

    def __init__(self, directory, overall=None):
        self.directory = directory
        self._overall = overall or RunningMoments()

    def update(self, features, labels):
        labels = np.asarray(labels).reshape(-1)
        if len(features) != len(labels):
            raise ValueError(f"{len(features)} feature rows but {len(labels)} labels")
        self._overall.update(features)
        features = np.asarray(features, np.float32)  # the network's precision: halves the files
        os.makedirs(self.directory, exist_ok=True)
        for label in np.unique(labels):
            with open(self._path(label), "ab") as stream:
                stream.write(features[labels == label].tobytes())
        return self

    def _path(self, label):
        return os.path.join(self.directory, f"class_{int(label)}.f32")

    @property
    def labels(self):
        return sorted(int(name[6:-4]) for name in os.listdir(self.directory)
                      if name.startswith("class_") and name.endswith(".f32"))

    def overall(self):
        return self._overall

    def class_moments(self, label):
        """The moments of the real features of class `label` (read from its file)."""
        path = self._path(label)
        if not os.path.exists(path):
            raise ValueError(f"no real statistics for class {label} in {self.directory}")
        features = np.fromfile(path, np.float32).reshape(-1, self._overall.mean.shape[0])
        return RunningMoments().update(features)

    def finish(self):
        """Saves the overall moments and marks the store complete."""
        os.makedirs(self.directory, exist_ok=True)
        np.savez(os.path.join(self.directory, "overall.npz"), **self._overall.state())
        with open(os.path.join(self.directory, _COMPLETE), "w", encoding="utf-8") as stream:
            stream.write("ok\n")
        return self

    @classmethod
    def load(cls, directory):
        """The complete store in `directory`, or None (absent or left partial by a crash)."""
        if not os.path.exists(os.path.join(directory, _COMPLETE)):
            return None
        with np.load(os.path.join(directory, "overall.npz")) as stored:
            return cls(directory, RunningMoments.from_state(dict(stored)))


def cached_class_features(directory, fill):
    """The complete `ClassFeatureStore` in `directory`, else a new one passed to fill(store)
    (after removing any partial one) and then finished."""
    store = ClassFeatureStore.load(directory)
    if store is not None:
        return store
    shutil.rmtree(directory, ignore_errors=True)
    store = ClassFeatureStore(directory)
    fill(store)
    return store.finish()
