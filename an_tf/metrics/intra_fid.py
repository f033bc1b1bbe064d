"""Intra-FID (Miyato & Koyama, "cGANs with Projection Discriminator", ICLR 2018): the FID of each
class's generated samples against that class's real images, averaged over the classes.

Shape letters: B batch, D feature size.
"""

import numpy as np

from an_tf.metrics.frechet import frechet_distance
from an_tf.metrics.moments import RunningMoments


class ClassMoments:
    """A `RunningMoments` per class label, fed with (features, labels) batches."""

    def __init__(self, per_class=None):
        self.per_class = dict(per_class or {})

    def update(self, features, labels):
        """Adds features (B, D) under their int labels (B,)."""
        features, labels = np.asarray(features), np.asarray(labels).reshape(-1)
        if len(features) != len(labels):
            raise ValueError(f"{len(features)} feature rows but {len(labels)} labels")
        for label in np.unique(labels):
            moments = self.per_class.setdefault(int(label), RunningMoments())
            moments.update(features[labels == label])
        return self

    def class_moments(self, label):
        """The moments of class `label` (ValueError if it has none)."""
        if label not in self.per_class:
            raise ValueError(f"no real statistics for class {label}")
        return self.per_class[label]

    def overall(self):
        """The moments of all classes' samples together."""
        total = RunningMoments()
        for moments in self.per_class.values():
            total.merge(moments)
        return total

    def state(self):
        """Flat dict of arrays, "<label>/count", "<label>/mean", "<label>/m2" (see `from_state`)."""
        return {f"{label}/{key}": value for label, moments in self.per_class.items()
                for key, value in moments.state().items()}

    @classmethod
    def from_state(cls, state):
        labels = sorted({int(key.split("/")[0]) for key in state})
        return cls({label: RunningMoments.from_state(
            {key: state[f"{label}/{key}"] for key in ("count", "mean", "m2")}) for label in labels})


def fid_of(generated, real):
    """The Fréchet distance between two `RunningMoments`."""
    return frechet_distance(generated.mean, generated.covariance(), real.mean, real.covariance())


def intra_fid(generated, real):
    """(mean over classes, {class: FID}) of two `ClassMoments`; every generated class must be in
    `real` (with >= 2 samples each)."""
    missing = sorted(set(generated.per_class) - set(real.per_class))
    if missing:
        raise ValueError(f"no real statistics for classes {missing[:10]}")
    if not generated.per_class:
        raise ValueError("intra_fid needs at least one generated class")
    per_class = {label: fid_of(moments, real.per_class[label])
                 for label, moments in sorted(generated.per_class.items())}
    return float(np.mean(list(per_class.values()))), per_class
