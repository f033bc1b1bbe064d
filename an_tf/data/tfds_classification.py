"""Any tensorflow-datasets image classification dataset (cifar10, oxford_flowers102, ...) as cGAN
training data: images centre-cropped (or randomly cropped/flipped) to a square and resized,
labels and class names from the dataset's `ClassLabel` feature.

The dataset must be prepared in `data_dir` (`tfds build NAME --data_dir=DIR`); if it is not,
tfds' own download and preparation is tried once (it needs internet and, for some datasets,
files placed by hand), and any failure is one line saying how to prepare it.

Resume: records are read undecoded in tfds' fixed order and shuffled per epoch with a buffer
seeded by (seed, epoch) (`streams.shuffled_records`): a run resumed at step s skips at most one
epoch of undecoded records and decodes none of them. This works for both TFRecord and ArrayRecord
preparations (`tfds.data_source` random access is not used). Gray (1-channel) images are
converted to RGB; datasets with any other channel count are refused.

Shape letters: R resolution.
"""

import hashlib
import os

import tensorflow as tf
import tensorflow_datasets as tfds

from an_tf.data.source import DataSource
from an_tf.data.square_crops import position_seed, square_image
from an_tf.data.streams import shuffled_records

EVAL_SPLITS = ("test", "validation")


def open_builder(name, data_dir=None, image_key="image", label_key="label", prepare=True):
    """The checked, prepared builder of dataset `name`; one-line ValueErrors for an unknown name,
    a dataset that is not prepared and cannot be, or image/label features that do not fit."""
    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError:
        raise ValueError(f"tfds has no dataset {name!r}: see "
                         "https://www.tensorflow.org/datasets/catalog (e.g. cifar10)") from None
    if prepare and not builder.is_prepared():
        _prepare(builder, name)
    features = builder.info.features
    if not isinstance(_feature(features, image_key), tfds.features.Image):
        raise ValueError(f"tfds dataset {name!r} has no image feature {image_key!r} (features: "
                         f"{', '.join(features.keys())}): set --tfds_image_key")
    if not isinstance(_feature(features, label_key), tfds.features.ClassLabel):
        raise ValueError(f"tfds dataset {name!r} has no class label feature {label_key!r} "
                         f"(features: {', '.join(features.keys())}): set --tfds_label_key")
    channels = features[image_key].shape[-1]
    if channels not in (1, 3):
        raise ValueError(f"tfds dataset {name!r} has {channels}-channel images ({image_key!r}): "
                         "only RGB or gray images are supported")
    return builder


def _feature(features, key):
    return features[key] if key in features.keys() else None


def _prepare(builder, name):
    where = builder.data_dir_root
    how = (f"prepare it with `tfds build {name} --data_dir={where}` on a machine where it can be "
           "downloaded, or copy a prepared copy there (or pass --data_dir)")
    if builder.MANUAL_DOWNLOAD_INSTRUCTIONS:
        raise ValueError(f"tfds dataset {name!r} is not prepared in {where!r} and needs files "
                         f"downloaded by hand: {how}")
    try:
        builder.download_and_prepare()
    except Exception as error:  # noqa: BLE001 (network, checksums, missing files: all one line)
        raise ValueError(f"tfds dataset {name!r} is not prepared in {where!r} and preparing it "
                         f"failed ({type(error).__name__}): {how}") from None


def check_split(builder, split):
    """Raises a one-line ValueError if `split` (e.g. "train", "train[:90%]") is not readable."""
    try:
        builder.info.splits[split]
    except Exception:  # noqa: BLE001 (tfds raises KeyError or ValueError depending on the form)
        raise ValueError(f"tfds dataset {builder.name!r} has no split {split!r} (splits: "
                         f"{', '.join(builder.info.splits)})") from None
    return split


def eval_split(builder, train_split="train"):
    """The held-out split of a dataset: "test" or "validation" (the first that exists and is not
    the training split); a one-line ValueError when there is none."""
    for split in EVAL_SPLITS:
        if split in builder.info.splits and split != train_split:
            return split
    raise ValueError(f"tfds dataset {builder.name!r} has no held-out split "
                     f"({' or '.join(EVAL_SPLITS)}; splits: {', '.join(builder.info.splits)})")


def class_names(builder, label_key="label"):
    """The label feature's names (tfds gives "0", "1", ... when the dataset has none)."""
    return list(builder.info.features[label_key].names)


def identity(builder, split, image_key="image", label_key="label"):
    """16 hex digits naming name, version, split, keys and the data directory."""
    text = "|".join([builder.name, str(builder.version), split, image_key, label_key,
                     os.path.abspath(builder.data_dir)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _records(builder, split, image_key, label_key, input_context=None):
    records = builder.as_dataset(
        split=split, shuffle_files=False, decoders={image_key: tfds.decode.SkipDecoding()},
        read_config=tfds.ReadConfig(input_context=input_context))
    return records.map(lambda example: (example[image_key], example[label_key]))


def _decode(data):
    image = tf.io.decode_image(data, channels=3, expand_animations=False)  # gray -> RGB
    return tf.ensure_shape(image, [None, None, 3])


def classification_dataset(builder, split, resolution, image_key="image", label_key="label"):
    """Finite dataset of {"image" (R,R,3) in [-1,1], "label" int32}, in tfds' order, centre
    square crops (evaluation)."""
    return _records(builder, split, image_key, label_key).map(
        lambda data, label: {"image": square_image(_decode(data), resolution),
                             "label": tf.cast(label, tf.int32)},
        num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def classification_stream(builder, split, resolution, seed, start=0, shuffle_buffer=10000,
                          input_context=None, image_key="image", label_key="label",
                          random_crop=False, random_flip=False):
    """Infinite training stream of {"image" (R,R,3), "label" int32} from element `start` (see
    the module docstring for the order and the cost of resuming)."""
    pipeline_id = input_context.input_pipeline_id if input_context else 0
    stream = shuffled_records(_records(builder, split, image_key, label_key, input_context),
                              seed, start, shuffle_buffer)
    positions = tf.data.Dataset.range(start, tf.int64.max)

    def example(position, record):
        data, label = record
        crop_seed = position_seed(seed, pipeline_id, position)
        return {"image": square_image(_decode(data), resolution, crop_seed, random_crop,
                                      random_flip),
                "label": tf.cast(label, tf.int32)}

    return tf.data.Dataset.zip(positions, stream).map(
        example, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


class TfdsSource(DataSource):
    """Dataset `name` of tfds as a data source: "train" is `split`, "eval" the held-out split
    (`eval_split`). The builder is opened (and prepared if needed) once, by `prepare` or the
    first use; training augmentation: seeded random square crops, horizontal flips."""

    classes_from_data = True

    def __init__(self, name, resolution, data_dir=None, split="train", image_key="image",
                 label_key="label", shuffle_buffer=10000, random_crop=False, random_flip=False):
        self.name, self.resolution, self.data_dir, self.split = name, resolution, data_dir, split
        self.image_key, self.label_key, self.shuffle_buffer = image_key, label_key, shuffle_buffer
        self.random_crop, self.random_flip = random_crop, random_flip
        self._builder = None

    def _open(self, prepare=True):
        return open_builder(self.name, self.data_dir, self.image_key, self.label_key, prepare)

    def builder(self):
        """The checked, prepared builder (opened at the first call)."""
        if self._builder is None:
            builder = self._open()
            check_split(builder, self.split)
            self._builder = builder
        return self._builder

    def prepare(self):
        self.builder()
        return self

    def class_names(self):
        """The ClassLabel names (the dataset need not be prepared)."""
        return class_names(self._builder or self._open(prepare=False), self.label_key)

    def _split(self, split):
        self.check_split(split)
        return self.split if split == "train" else eval_split(self.builder(), self.split)

    def training_stream(self, seed, start=0, input_context=None, augment=True):
        return classification_stream(
            self.builder(), self.split, self.resolution, seed, start, self.shuffle_buffer,
            input_context, self.image_key, self.label_key,
            random_crop=augment and self.random_crop, random_flip=augment and self.random_flip)

    def real_dataset(self, split="train", seed=0):
        return classification_dataset(self.builder(), self._split(split), self.resolution,
                                      self.image_key, self.label_key)

    def identity(self, split="train", seed=0):
        """Name, version, split, keys and data directory."""
        return identity(self.builder(), self._split(split), self.image_key, self.label_key)
