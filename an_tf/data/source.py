"""The interface of the class-conditional datasets (`DataSource`): one object per dataset, built
once by the entry point and handed to both training and evaluation, so that a folder is walked
and scanned once and a tfds builder opened once.

Elements are {"image" (R,R,3) float32 in [-1, 1], "label" int32}. Splits: "train" (the training
data) and "eval" (held-out data, where the dataset has some).

Shape letters: B batch, R resolution.
"""

import abc

SPLITS = ("train", "eval")


class DataSource(abc.ABC):
    """A labelled image dataset: prepares itself, streams training examples by index (resumable
    at any position), gives real data for evaluation, an identity for caches and class names.

    Attributes:
        classes_from_data: True when the data defines its classes (a folder's subfolders, a
            tfds label feature): the run's num_classes is their count.
    """

    classes_from_data = False

    def prepare(self):
        """Checks (and where needed downloads, prepares or scans) the training data; one-line
        ValueErrors for bad data. Idempotent; returns self."""
        return self

    @abc.abstractmethod
    def class_names(self):
        """The class names, index = label. Cheap: no image is decoded."""

    @abc.abstractmethod
    def training_stream(self, seed, start=0, input_context=None, augment=True):
        """Infinite shuffled stream of this input pipeline's examples from stream element
        `start`: element k is a pure function of (seed, k), so a run resumed at any step sees
        what a straight run sees. `augment`: the source's training augmentation, if any."""

    @abc.abstractmethod
    def real_dataset(self, split="train", seed=0):
        """Finite, deterministic, unshuffled, un-augmented dataset of `split` for evaluation
        (`seed`: the run's --seed, for data generated from it); a one-line ValueError when the
        data has no such split."""

    @abc.abstractmethod
    def identity(self, split="train", seed=0):
        """A short stable string (16 hex digits) that changes when the split's data changes;
        for cache keys (the resolution is not part of it)."""

    def picture_batch_fn(self, seed, count=16):
        """fn() -> `count` real examples for the training pictures (D's layouts), or None when
        the source gives none. The function runs at the first sample, after the training's
        device set-up (no TF op may run before). Default: the first of the training stream,
        un-augmented (centre crops)."""
        return lambda: next(iter(self.training_stream(seed, 0, None, augment=False)
                                 .batch(count)))

    @staticmethod
    def check_split(split):
        if split not in SPLITS:
            raise ValueError(f"split must be 'train' or 'eval', got {split!r}")
