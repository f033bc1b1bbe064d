"""The cGAN's data sources behind one interface (re-exported by `an_tf.cgan.pipeline`): training
streams, the real images for evaluation, a dataset identity for caches, and the class names, for
every `CGANConfig.dataset`:

- "imagenet2012": tfds ImageNet (manual download, see `an_tf.data.imagenet`);
- "synthetic": the built-in shapes (`an_tf.data.synthetic_shapes`);
- "image_folder": a labelled folder (`an_tf.data.labelled_folder`);
- "tfds": any tfds image classification dataset (`an_tf.data.tfds_classification`).

Shape letters: R resolution.
"""

import hashlib
import json
import os

from an_tf.data import labelled_folder, tfds_classification
from an_tf.data.imagenet import NUM_CLASSES as IMAGENET_CLASSES
from an_tf.data.imagenet import imagenet_train_stream, load_imagenet
from an_tf.data.synthetic_shapes import SHAPE_NAMES, load_synthetic_shapes
from an_tf.training import run_dir

CLASS_NAMES_FILE = "class_names.json"
SYNTHETIC_EVAL_EXAMPLES = 10000


def _builder(config, prepare=True):
    return tfds_classification.open_builder(config.tfds_name, config.data_dir,
                                            config.tfds_image_key, config.tfds_label_key, prepare)


def prepare_data(config):
    """Checks the training data and returns what `training_stream` reads (a scanned folder, a
    tfds builder, or None for imagenet2012/synthetic). One-line ValueErrors for bad data; call it
    before training starts (folders: every file is opened once, in parallel threads)."""
    if config.dataset == "image_folder":
        return labelled_folder.scan_labelled_folder(config.image_folder, "train")
    if config.dataset == "tfds":
        builder = _builder(config)
        tfds_classification.check_split(builder, config.tfds_split)
        return builder
    return None


def training_stream(config, data, seed, start, input_context):
    """Infinite shuffled stream of {"image" (R,R,3) in [-1,1], "label"} of this input pipeline
    from stream element `start` (imagenet2012 and image_folder/tfds; `data` from `prepare_data`)."""
    augment = {"random_crop": config.random_crop, "random_flip": config.random_flip}
    if config.dataset == "image_folder":
        return labelled_folder.labelled_stream(data, config.resolution, seed, start,
                                               input_context, **augment)
    if config.dataset == "tfds":
        return tfds_classification.classification_stream(
            data, config.tfds_split, config.resolution, seed, start, config.shuffle_buffer,
            input_context, config.tfds_image_key, config.tfds_label_key, **augment)
    return imagenet_train_stream(config.resolution, config.data_dir, config.manual_dir, seed,
                                 start, config.shuffle_buffer, input_context)


def _check_split(split):
    if split not in ("train", "eval"):
        raise ValueError(f"split must be 'train' or 'eval', got {split!r}")


def _tfds_split(builder, config, split):
    if split == "train":
        return tfds_classification.check_split(builder, config.tfds_split)
    return tfds_classification.eval_split(builder, config.tfds_split)


def real_dataset(config, split="train", seed=0):
    """Finite, deterministic, unshuffled, un-augmented dataset of {"image" (R,R,3) float32 in
    [-1,1], "label" int32} for evaluation.

    split "train": the training images (synthetic: examples 0..synthetic_examples-1 of `seed`,
    the run's --seed). split "eval": DIR/eval (folders), the tfds "test" or "validation" split,
    ImageNet's validation split, or 10000 held-out shapes of seed + 1 (synthetic, as the training
    entry point's held-out batch); a one-line ValueError when the data has no such split.
    """
    _check_split(split)
    if config.dataset == "image_folder":
        names = labelled_folder.folder_class_names(config.image_folder)
        images = labelled_folder.scan_labelled_folder(config.image_folder, split, names)
        return labelled_folder.labelled_dataset(images, config.resolution)
    if config.dataset == "tfds":
        builder = _builder(config)
        return tfds_classification.classification_dataset(
            builder, _tfds_split(builder, config, split), config.resolution,
            config.tfds_image_key, config.tfds_label_key)
    if config.dataset == "synthetic":
        count = config.synthetic_examples if split == "train" else SYNTHETIC_EVAL_EXAMPLES
        shapes = load_synthetic_shapes(config.resolution, config.num_classes, count,
                                       seed=seed if split == "train" else seed + 1)
        return shapes.map(lambda example: {"image": example["image"], "label": example["label"]})
    return load_imagenet("train" if split == "train" else "validation", config.resolution,
                         config.data_dir, config.manual_dir, shuffle_files=False)


def dataset_identity(config, split="train", seed=0):
    """A short stable string (16 hex digits) that changes when the split's data changes: a
    folder's relative paths, sizes and mtimes; a tfds dataset's name, version, split, keys and
    data_dir; the synthetic shapes' parameters (with the run's `seed`); ImageNet's split and
    version. For cache keys (the resolution is not part of it)."""
    _check_split(split)
    if config.dataset == "image_folder":
        return labelled_folder.folder_identity(config.image_folder, split)
    if config.dataset == "tfds":
        builder = _builder(config)
        return tfds_classification.identity(builder, _tfds_split(builder, config, split),
                                            config.tfds_image_key, config.tfds_label_key)
    if config.dataset == "synthetic":
        text = f"synthetic|{split}|{config.synthetic_examples}|{config.num_classes}|{seed}"
    else:
        builder = _imagenet_builder(config)
        version = builder.version if builder is not None else "?"
        text = f"imagenet2012|{split}|{version}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _imagenet_builder(config):
    try:
        import tensorflow_datasets as tfds  # pylint: disable=import-outside-toplevel
        return tfds.builder("imagenet2012", data_dir=config.data_dir)
    except Exception:  # noqa: BLE001 (names only: any failure falls back)
        return None


def class_names(config):
    """The class names, index = label: folder names (sorted), the tfds ClassLabel names, the
    shapes' names ("disk", ..., "disk_1" for class 8), ImageNet's WordNet ids from tfds (else
    "class_<i>"). Cheap: no image is decoded."""
    if config.dataset == "image_folder":
        return labelled_folder.folder_class_names(config.image_folder)
    if config.dataset == "tfds":
        return tfds_classification.class_names(_builder(config, prepare=False),
                                               config.tfds_label_key)
    if config.dataset == "synthetic":
        return [SHAPE_NAMES[c % len(SHAPE_NAMES)] + (f"_{c // len(SHAPE_NAMES)}"
                                                     if c >= len(SHAPE_NAMES) else "")
                for c in range(config.num_classes)]
    builder = _imagenet_builder(config)
    try:
        return list(builder.info.features["label"].names)
    except Exception:  # noqa: BLE001
        return [f"class_{i}" for i in range(IMAGENET_CLASSES)]


def write_class_names(workdir, names):
    """Writes <workdir>/class_names.json (a JSON list) atomically; unchanged files are not
    rewritten."""
    path = os.path.join(workdir, CLASS_NAMES_FILE)
    if os.path.exists(path) and read_class_names(workdir) == list(names):
        return path
    return run_dir.write_json(path, list(names), "class names", indent=1)


def read_class_names(workdir):
    """<workdir>/class_names.json, or "0", "1", ... from config.json's num_classes (runs written
    before class names were saved)."""
    path = os.path.join(workdir, CLASS_NAMES_FILE)
    if os.path.exists(path):
        with open(path, encoding="utf-8") as stream:
            return [str(name) for name in json.load(stream)]
    num_classes = int(run_dir.read_hparams(workdir, "cGAN run")["num_classes"])
    return [str(i) for i in range(num_classes)]


def check_class_names(workdir, names):
    """One-line ValueError if the workdir's saved class names differ from `names` (the data's
    classes changed: the checkpoint's labels would mean other classes)."""
    path = os.path.join(workdir, CLASS_NAMES_FILE)
    if os.path.exists(path) and read_class_names(workdir) != list(names):
        saved = read_class_names(workdir)
        raise ValueError(f"{path} lists other classes ({', '.join(saved[:5])}...) than the data "
                         f"({', '.join(list(names)[:5])}...): use a new --workdir")
    return names
