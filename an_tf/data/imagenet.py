"""ImageNet (ILSVRC 2012) through tensorflow-datasets `imagenet2012`, as used by the AN cGAN (Wang
et al., CVPR 2020) and its SN-GAN / SA-GAN baselines: centre crop to a square, resize to the model's
resolution, scale to [-1, 1], labels 0..999.

tfds cannot download ImageNet: ILSVRC2012_img_train.tar and ILSVRC2012_img_val.tar must be put by
hand into the manual directory; the first use then prepares the TFRecords in `data_dir` (hours,
~150 GB).

Shape letters: R resolution.
"""

import hashlib
import os

import tensorflow as tf
import tensorflow_datasets as tfds

from an_tf.data.source import DataSource
from an_tf.data.streams import shuffled_records

ARCHIVES = ("ILSVRC2012_img_train.tar", "ILSVRC2012_img_val.tar")
NUM_CLASSES = 1000


class ImageNetArchivesMissingError(FileNotFoundError):
    """The ImageNet archives are not in the manual directory (and the data is not prepared)."""


def centre_crop_and_resize(image, resolution):
    """uint8 image (H, W, 3) of any size -> float32 (R, R, 3) in [-1, 1], centre square crop."""
    shape = tf.shape(image)
    height, width = shape[0], shape[1]
    side = tf.minimum(height, width)
    top, left = (height - side) // 2, (width - side) // 2
    square = image[top:top + side, left:left + side, :]  # (side,side,3)
    resized = tf.image.resize(tf.cast(square, tf.float32), [resolution, resolution],
                              method="area", antialias=True)  # (R,R,3) in [0,255]
    return tf.clip_by_value(resized / 127.5 - 1.0, -1.0, 1.0)


def _prepare(builder, manual_dir):
    """Prepares the TFRecords from the archives if needed; one clear error when they are missing."""
    where = manual_dir or os.path.join(builder.data_dir_root, "downloads", "manual")
    try:
        builder.download_and_prepare(
            download_config=tfds.download.DownloadConfig(manual_dir=manual_dir))
    except Exception:  # tfds' own errors here are long and vary by version; check the cause
        if all(os.path.exists(os.path.join(where, name)) for name in ARCHIVES):
            raise
        raise ImageNetArchivesMissingError(
            f"ImageNet archives {' and '.join(ARCHIVES)} not found in the manual directory "
            f"{where!r}: download them from image-net.org into it, or pass --manual_dir"
        ) from None


def load_imagenet(split="train", resolution=128, data_dir=None, manual_dir=None, seed=0,
                  shuffle_files=True, input_context=None):
    """Dataset of {"image": (R, R, 3) float32 in [-1, 1], "label": int32 0..999}.

    Args:
        split: a tfds split ("train", "validation", "train[:1%]", ...).
        resolution: output size R.
        data_dir: tfds data directory (None: tfds' default, ~/tensorflow_datasets).
        manual_dir: directory holding the two ImageNet archives (None: <data_dir>/downloads/manual).
        seed: seed of the file shuffling.
        shuffle_files: read the files in a seeded random order.
        input_context: `tf.distribute.InputContext`: read only this input pipeline's shard.
    Raises:
        ImageNetArchivesMissingError: data not prepared and the archives are not in manual_dir.
    """
    builder = tfds.builder("imagenet2012", data_dir=data_dir)
    _prepare(builder, manual_dir)
    read_config = tfds.ReadConfig(shuffle_seed=seed, input_context=input_context)
    dataset = builder.as_dataset(split=split, shuffle_files=shuffle_files, read_config=read_config)

    def preprocess(example):
        return {"image": centre_crop_and_resize(example["image"], resolution),
                "label": tf.cast(example["label"], tf.int32)}

    return dataset.map(preprocess, num_parallel_calls=tf.data.AUTOTUNE)


def imagenet_train_stream(resolution=128, data_dir=None, manual_dir=None, seed=0, start=0,
                          shuffle_buffer=10000, input_context=None, split="train"):
    """Infinite stream of {"image" (R,R,3) in [-1,1], "label"} for training, from element `start`.

    Records are read undecoded in tfds' fixed order (this input pipeline's files only), shuffled
    per epoch with a buffer seeded by (seed, epoch), and decoded only after the start position:
    resuming at any step reads at most one epoch of raw records and decodes none of them.

    Raises:
        ImageNetArchivesMissingError: data not prepared and the archives are not in manual_dir.
    """
    builder = tfds.builder("imagenet2012", data_dir=data_dir)
    _prepare(builder, manual_dir)
    records = builder.as_dataset(
        split=split, shuffle_files=False, decoders={"image": tfds.decode.SkipDecoding()},
        read_config=tfds.ReadConfig(input_context=input_context))
    records = records.map(lambda example: {"image": example["image"], "label": example["label"]})
    stream = shuffled_records(records, seed, start, shuffle_buffer)

    def decode(example):
        image = tf.io.decode_image(example["image"], channels=3, expand_animations=False)
        return {"image": centre_crop_and_resize(image, resolution),
                "label": tf.cast(example["label"], tf.int32)}

    return stream.map(decode, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


class ImageNetSource(DataSource):
    """ImageNet as a data source: "train" is tfds' train split, "eval" its validation split.

    `prepare` does nothing: the TFRecords are prepared (hours, once) when the training stream is
    first built, after the training's device set-up. No augmentation; no training pictures
    (`picture_batch_fn` is None).
    """

    def __init__(self, resolution, data_dir=None, manual_dir=None, shuffle_buffer=10000):
        self.resolution, self.data_dir, self.manual_dir = resolution, data_dir, manual_dir
        self.shuffle_buffer = shuffle_buffer
        self._builder = None

    def _named_builder(self):
        """The tfds builder, for names only (None when tfds cannot make one)."""
        if self._builder is None:
            try:
                self._builder = tfds.builder("imagenet2012", data_dir=self.data_dir)
            except Exception:  # noqa: BLE001 (names only: any failure falls back)
                return None
        return self._builder

    def class_names(self):
        """WordNet ids from tfds (else "class_<i>")."""
        try:
            return list(self._named_builder().info.features["label"].names)
        except Exception:  # noqa: BLE001
            return [f"class_{i}" for i in range(NUM_CLASSES)]

    def training_stream(self, seed, start=0, input_context=None, augment=True):
        del augment  # none
        return imagenet_train_stream(self.resolution, self.data_dir, self.manual_dir, seed,
                                     start, self.shuffle_buffer, input_context)

    def real_dataset(self, split="train", seed=0):
        self.check_split(split)
        return load_imagenet("train" if split == "train" else "validation", self.resolution,
                             self.data_dir, self.manual_dir, shuffle_files=False)

    def identity(self, split="train", seed=0):
        """The split and the tfds version."""
        self.check_split(split)
        builder = self._named_builder()
        version = builder.version if builder is not None else "?"
        return hashlib.sha256(f"imagenet2012|{split}|{version}".encode()).hexdigest()[:16]

    def picture_batch_fn(self, seed, count=16):
        return None
