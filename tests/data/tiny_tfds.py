"""Tiny tfds image classification datasets, prepared by the tests themselves (real tfds builders,
registered under their snake_case names when this module is imported)."""

import numpy as np
import tensorflow_datasets as tfds

from tests.data.labelled_images import _pattern

FRUITS = ["apple", "pear", "plum"]


def _examples(seed, count, channels=3):
    for i in range(count):
        image = _pattern(seed * 1000 + i, (36 + i % 3, 30))
        if channels == 1:
            image = image[..., :1]
        elif channels == 4:
            image = np.concatenate([image, np.full_like(image[..., :1], 255)], axis=-1)
        yield i, {"picture": image, "fruit": i % 3}


class _Tiny(tfds.core.GeneratorBasedBuilder):
    """12 training and 6 test images of 3 fruits ("picture", "fruit" keys, not tfds' defaults)."""

    VERSION = tfds.core.Version("1.0.0")
    CHANNELS = 3

    def _info(self):
        return self.dataset_info_from_configs(features=tfds.features.FeaturesDict({
            "picture": tfds.features.Image(shape=(None, None, self.CHANNELS)),
            "fruit": tfds.features.ClassLabel(names=FRUITS)}))

    def _split_generators(self, dl_manager):
        del dl_manager  # nothing to download
        return {"train": _examples(0, 12, self.CHANNELS), "test": _examples(1, 6, self.CHANNELS)}

    def _generate_examples(self):  # the splits above are generators already
        raise NotImplementedError


class TinyFruits(_Tiny):
    pass


class TinyGrayFruits(_Tiny):
    CHANNELS = 1


class TinyRgbaFruits(_Tiny):
    CHANNELS = 4


class TinyManualFruits(_Tiny):
    MANUAL_DOWNLOAD_INSTRUCTIONS = "Put fruits.zip in the manual directory."


def prepare(name, data_dir):
    """Prepares dataset `name` (e.g. "tiny_fruits") in `data_dir`; returns its builder."""
    builder = tfds.builder(name, data_dir=data_dir)
    builder.download_and_prepare()
    return builder
