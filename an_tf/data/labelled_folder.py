"""Labelled image folders for the class-conditional GAN: the layout of Keras'
`image_dataset_from_directory`, torchvision's ImageFolder and `tfds.ImageFolder`.

    DIR/<class>/**/*.{jpg,jpeg,png,bmp,gif,webp,tif,tiff,ppm}    classes = sorted subfolder names
    DIR/train/<class>/..., DIR/eval/<class>/...                 a split layout (see below)
    DIR/*.jpg (no subfolders)                                   one class, named after DIR

The folder is listed and its files checked by the one scanner of `an_tf.data.image_folder`,
which also sets the split rule: DIR has a split layout iff it has a subfolder named train or
eval, and then holds nothing but train/ (required) and eval/ (optional). Images anywhere below
a class folder belong to that class; hidden files and folders (".*") are ignored; empty or
unreadable files are skipped with one warning each.

`LabelledFolderSource` is the data source (`an_tf.data.source.DataSource`): it walks the folder
once and scans each split once, however many times training and evaluation ask.

Shape letters: R resolution.
"""

import dataclasses
import hashlib
import os

from absl import logging
import tensorflow as tf

from an_tf.data.image_folder import IMAGE_EXTENSIONS, FolderListing, check_images, decode_source
from an_tf.data.source import DataSource
from an_tf.data.square_crops import position_seed, square_image
from an_tf.data.streams import shuffled_indices


@dataclasses.dataclass(frozen=True)
class LabelledImages:
    """A scanned split: example i is `sources[i]` (a path, or PNG bytes if `converted[i]`)."""

    class_names: tuple
    sources: tuple
    converted: tuple
    labels: tuple

    def __len__(self):
        return len(self.labels)


def class_folders(listing, root):
    """[(class name, image paths)] of split folder `root` (relative to the listing), checked: a
    class folder without images, or no image at all, is a one-line ValueError."""
    subfolders = listing.subfolders(root)
    loose = listing.image_paths(root, recursive=False)
    where = listing.path(root)
    if not subfolders:
        if not loose:
            raise ValueError(f"no image files in {where!r} (extensions "
                             f"{', '.join(IMAGE_EXTENSIONS)}): put the images in DIR/<class name>/")
        return [(os.path.basename(os.path.normpath(where)), loose)]
    if loose:
        logging.warning("%d image(s) directly in %s are outside any class folder: ignored",
                        len(loose), where)
    classes = [(name, listing.image_paths(os.path.join(root, name))) for name in subfolders]
    empty = [name for name, paths in classes if not paths]
    if empty:
        raise ValueError(f"class folder(s) {', '.join(empty[:5])} in {where!r} hold no image "
                         "files: add images or remove the folder(s)")
    return classes


def files_identity(root, paths):
    """16 hex digits that change when the files change (paths relative to `root`, sizes,
    mtimes)."""
    digest = hashlib.sha256()
    for path in paths:
        stat = os.stat(path)
        digest.update(f"{os.path.relpath(path, root)}|{stat.st_size}|{stat.st_mtime_ns}\n"
                      .encode())
    return digest.hexdigest()[:16]


def scan_classes(root, classes, names):
    """`LabelledImages` of [(class name, paths)] with labels = indices in `names` (every file
    opened once); one-line ValueErrors for an unknown class, a class left without a readable
    image, or fewer than 2 images."""
    unknown = [name for name, _ in classes if name not in names]
    if unknown:
        raise ValueError(f"class folder(s) {', '.join(unknown[:5])} of {root!r} are not among the "
                         f"training classes {', '.join(names[:10])}")
    label_of = {path: names.index(name) for name, paths in classes for path in paths}
    checked = check_images(list(label_of))
    labels = tuple(label_of[path] for path in checked.paths)
    empty = sorted({names[label] for label in label_of.values()}
                   - {names[label] for label in labels})
    if empty:
        raise ValueError(f"class folder(s) {', '.join(empty[:5])} in {root!r} hold no readable "
                         "image: fix or remove the files")
    if len(labels) < 2:
        raise ValueError(f"{root!r} holds {len(labels)} readable image(s): a GAN needs a dataset "
                         "(at least 2 images; thousands to learn anything)")
    return LabelledImages(tuple(names), checked.sources, checked.converted, labels)


class LabelledFolderSource(DataSource):
    """A labelled folder DIR (module docstring) at resolution R, with optional training
    augmentation (seeded random square crops, horizontal flips).

    The folder is walked once (at the first use) and each split's files are checked once;
    identities describe the files as listed then. Split "eval": DIR/eval/, whose classes must be
    among the training classes (a one-line ValueError when DIR has no eval split).
    """

    classes_from_data = True

    def __init__(self, directory, resolution, random_crop=False, random_flip=False):
        self.directory, self.resolution = directory, resolution
        self.random_crop, self.random_flip = random_crop, random_flip
        self._listing, self._classes, self._images, self._identities = None, {}, {}, {}

    def _split_classes(self, split):
        """(split folder path, [(class name, paths)]) of `split`, from the one listing."""
        self.check_split(split)
        if self._listing is None:
            self._listing = FolderListing.of(self.directory)
        if split not in self._classes:
            root = self._listing.split_folder(split)
            if root is None:
                raise ValueError(f"image folder {self.directory!r} has no eval split: use "
                                 "DIR/train/<class>/ and DIR/eval/<class>/")
            self._classes[split] = (self._listing.path(root),
                                    class_folders(self._listing, root))
        return self._classes[split]

    def images(self, split="train"):
        """The split's checked `LabelledImages` (scanned at the first call)."""
        if split not in self._images:
            root, classes = self._split_classes(split)
            self._images[split] = scan_classes(root, classes, self.class_names())
        return self._images[split]

    def prepare(self):
        self.images("train")
        return self

    def class_names(self):
        """The training split's class folders (sorted names; no file is opened)."""
        return [name for name, _ in self._split_classes("train")[1]]

    def identity(self, split="train", seed=0):
        """The split's files (relative paths, sizes, mtimes); `seed` plays no part."""
        if split not in self._identities:
            root, classes = self._split_classes(split)
            self._identities[split] = files_identity(
                root, [path for _, paths in classes for path in paths])
        return self._identities[split]

    def real_dataset(self, split="train", seed=0):
        return labelled_dataset(self.images(split), self.resolution)

    def training_stream(self, seed, start=0, input_context=None, augment=True):
        return labelled_stream(self.images("train"), self.resolution, seed, start, input_context,
                               random_crop=augment and self.random_crop,
                               random_flip=augment and self.random_flip)


def _decoder(images):
    """fn(index) -> uint8 (H, W, 3) image of example `index`, and its int32 label."""
    sources = tf.constant([s if isinstance(s, bytes) else s.encode() for s in images.sources])
    converted = tf.constant(images.converted)
    labels = tf.constant(images.labels, tf.int32)

    def decode(index):
        image = decode_source(sources[index], converted[index])
        return image, labels[index]

    return decode


def labelled_dataset(images, resolution):
    """Finite dataset of {"image" (R,R,3) in [-1,1], "label" int32}: every example once, in
    order, centre square crop (evaluation)."""
    decode = _decoder(images)

    def example(index):
        image, label = decode(index)
        return {"image": square_image(image, resolution), "label": label}

    return tf.data.Dataset.range(len(images)).map(
        example, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def labelled_stream(images, resolution, seed, start=0, input_context=None, random_crop=False,
                    random_flip=False):
    """Infinite training stream of {"image" (R,R,3), "label"} from stream element `start`.

    Example i belongs to input pipeline i % P; each pipeline reads its examples in a new seeded
    permutation per epoch (`streams.shuffled_indices`, random access: resuming costs nothing), and
    crops/flips them with a seed of (seed, pipeline, stream position).
    """
    pipelines = input_context.num_input_pipelines if input_context else 1
    pipeline_id = input_context.input_pipeline_id if input_context else 0
    count = (len(images) - pipeline_id + pipelines - 1) // pipelines
    indices = shuffled_indices(count, seed, start, stream_id=pipeline_id)
    positions = tf.data.Dataset.range(start, tf.int64.max)
    decode = _decoder(images)

    def example(position, index):
        image, label = decode(index * pipelines + pipeline_id)
        crop_seed = position_seed(seed, pipeline_id, position)
        return {"image": square_image(image, resolution, crop_seed, random_crop, random_flip),
                "label": label}

    return tf.data.Dataset.zip(positions, indices).map(
        example, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
