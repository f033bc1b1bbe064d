"""The cGAN's datasets: `make_data_source(config)` maps a `CGANConfig` to its data source
(`an_tf.data.source.DataSource`: prepare, training stream, real data for evaluation, identity,
class names), and the workdir's class_names.json. Datasets (`CGANConfig.dataset`):

- "imagenet2012": tfds ImageNet (manual download, `an_tf.data.imagenet.ImageNetSource`);
- "synthetic": the built-in shapes (`an_tf.data.synthetic_shapes.SyntheticShapesSource`);
- "image_folder": a labelled folder (`an_tf.data.labelled_folder.LabelledFolderSource`);
- "tfds": any tfds image classification dataset (`an_tf.data.tfds_classification.TfdsSource`).

A new dataset is one `DataSource` class and one entry in `SOURCES`. The entry point builds the
source once and hands it to training (`pipeline.make_dataset_fn`) and to evaluation.
"""

import json
import os

from an_tf.data.imagenet import ImageNetSource
from an_tf.data.labelled_folder import LabelledFolderSource
from an_tf.data.synthetic_shapes import SyntheticShapesSource
from an_tf.data.tfds_classification import TfdsSource
from an_tf.training import run_dir

CLASS_NAMES_FILE = "class_names.json"

# config.dataset -> fn(config) -> its DataSource.
SOURCES = {
    "imagenet2012": lambda config: ImageNetSource(
        config.resolution, config.data_dir, config.manual_dir, config.shuffle_buffer),
    "synthetic": lambda config: SyntheticShapesSource(
        config.resolution, config.num_classes, config.synthetic_examples),
    "image_folder": lambda config: LabelledFolderSource(
        config.image_folder, config.resolution, config.random_crop, config.random_flip),
    "tfds": lambda config: TfdsSource(
        config.tfds_name, config.resolution, config.data_dir, config.tfds_split,
        config.tfds_image_key, config.tfds_label_key, config.shuffle_buffer, config.random_crop,
        config.random_flip),
}
DATASETS = tuple(SOURCES)


def make_data_source(config):
    """The `DataSource` of `config.dataset` (cheap: nothing is read until it is used)."""
    if config.dataset not in SOURCES:
        raise ValueError(f"dataset must be one of {DATASETS}, got {config.dataset!r}")
    return SOURCES[config.dataset](config)


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
