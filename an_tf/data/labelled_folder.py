"""Labelled image folders for the class-conditional GAN: the layout of Keras'
`image_dataset_from_directory`, torchvision's ImageFolder and `tfds.ImageFolder`.

    DIR/<class>/**/*.{jpg,jpeg,png,bmp,gif,webp,tif,tiff,ppm}    classes = sorted subfolder names
    DIR/train/<class>/..., DIR/eval/<class>/...                 when DIR holds just train (+ eval)
    DIR/*.jpg (no subfolders)                                   one class, named after DIR

Images anywhere below a class folder belong to that class; hidden files and folders (".*") are
ignored. Every file is checked with Pillow when the folder is scanned (in parallel threads): empty
or unreadable files are skipped with one warning each, so the examples' indices never change
during training (exact resume). JPEG/PNG/BMP files in RGB or 8-bit gray without an EXIF rotation
are decoded lazily by TensorFlow; every other file (CMYK/YCCK JPEG, 16-bit, palette or alpha
images, GIF, WebP, TIFF, photos with an EXIF rotation) is converted by Pillow to an RGB PNG held
in memory (alpha composited over white, 16-bit scaled to 8-bit, EXIF rotation applied).

Shape letters: R resolution.
"""

import concurrent.futures
import dataclasses
import hashlib
import io
import os

from absl import logging
import numpy as np
from PIL import Image, ImageOps
import tensorflow as tf

from an_tf.data.image_folder import IMAGE_EXTENSIONS
from an_tf.data.square_crops import position_seed, square_image
from an_tf.data.streams import shuffled_indices

SPLITS = ("train", "eval")
_NATIVE = {"JPEG", "PNG", "BMP"}
_ORIENTATION_TAG = 0x0112


def _visible(names):
    return sorted(name for name in names if not name.startswith("."))


def _subfolders(directory):
    return [name for name in _visible(os.listdir(directory))
            if os.path.isdir(os.path.join(directory, name))]


def _image_files(directory, recursive):
    paths = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = _visible(dirs)
        paths.extend(os.path.join(root, name) for name in _visible(files)
                     if name.lower().endswith(IMAGE_EXTENSIONS))
        if not recursive:
            break
    return paths


def split_root(directory, split="train"):
    """The folder of `split` ("train" or "eval"): DIR/<split> when DIR's subfolders are just
    train (and eval); else DIR for "train" and None for "eval" (no held-out images)."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    if not directory or not os.path.isdir(directory):
        raise ValueError(f"image folder {directory!r} does not exist or is not a directory: "
                         "pass --image_folder=DIR with DIR/<class name>/<images>")
    subfolders = set(_subfolders(directory))
    if "train" in subfolders and subfolders <= set(SPLITS):
        root = os.path.join(directory, split)
        return root if os.path.isdir(root) else None
    return directory if split == "train" else None


def class_folders(root):
    """[(class name, sorted image paths)] of a split folder, checked: a class folder without
    images, or no image at all, is a one-line ValueError."""
    subfolders = _subfolders(root)
    loose = _image_files(root, recursive=False)
    if not subfolders:
        if not loose:
            raise ValueError(f"no image files in {root!r} (extensions "
                             f"{', '.join(IMAGE_EXTENSIONS)}): put the images in DIR/<class name>/")
        return [(os.path.basename(os.path.normpath(root)), loose)]
    if loose:
        logging.warning("%d image(s) directly in %s are outside any class folder: ignored",
                        len(loose), root)
    classes = [(name, _image_files(os.path.join(root, name), True)) for name in subfolders]
    empty = [name for name, paths in classes if not paths]
    if empty:
        raise ValueError(f"class folder(s) {', '.join(empty[:5])} in {root!r} hold no image files:"
                         " add images or remove the folder(s)")
    return classes


def folder_class_names(directory):
    """The training split's class names (sorted folder names; cheap: no file is opened)."""
    return [name for name, _ in class_folders(split_root(directory, "train"))]


def folder_identity(directory, split="train"):
    """16 hex digits that change when the split's files change (relative paths, sizes, mtimes)."""
    root = split_root(directory, split)
    if root is None:
        raise ValueError(f"image folder {directory!r} has no eval split: use DIR/train/<class>/ "
                         "and DIR/eval/<class>/")
    digest = hashlib.sha256()
    for name, paths in class_folders(root):
        for path in paths:
            stat = os.stat(path)
            digest.update(f"{os.path.relpath(path, root)}|{stat.st_size}|{stat.st_mtime_ns}\n"
                          .encode())
    return digest.hexdigest()[:16]


def _rgb_png(image):
    """Any Pillow image -> PNG bytes of its RGB version (16-bit scaled, alpha over white)."""
    image = ImageOps.exif_transpose(image)
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        values = np.asarray(image, dtype=np.float64)
        scale = 257.0 if values.max(initial=0) > 255 else 1.0
        image = Image.fromarray(np.clip(np.round(values / scale), 0, 255).astype(np.uint8))
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def inspect_image(path):
    """(None, None) if TensorFlow decodes the file as is, (png bytes, None) if Pillow converted
    it, (None, reason) if it is empty or unreadable."""
    try:
        if os.path.getsize(path) == 0:
            return None, "empty file"
        with Image.open(path) as image:
            image.verify()  # structure, without decoding
        with Image.open(path) as image:
            image.load()  # a truncated file fails here
            rotated = image.getexif().get(_ORIENTATION_TAG, 1) not in (0, 1)
            if image.format in _NATIVE and image.mode in ("RGB", "L") and not rotated:
                return None, None
            return _rgb_png(image), None
    except Exception as error:  # noqa: BLE001 (any decoder failure means "skip this file")
        return None, f"{type(error).__name__}: {str(error)[:100]}"


@dataclasses.dataclass(frozen=True)
class LabelledImages:
    """A scanned split: example i is `sources[i]` (a path, or PNG bytes if `converted[i]`)."""

    class_names: tuple
    sources: tuple
    converted: tuple
    labels: tuple

    def __len__(self):
        return len(self.labels)


_SCANS = {}  # (root, identity, class names) -> LabelledImages: scanning decodes every file


def scan_labelled_folder(directory, split="train", class_names=None):
    """The checked examples of a split (see the module docstring), cached per folder identity.

    Args:
        directory: DIR.
        split: "train" or "eval".
        class_names: label order (default: the split's own classes); the eval split's classes
            must be among the training classes.
    Raises:
        ValueError (one line): missing folder or split, no images, a class folder without
            images, fewer than 2 readable images, an eval class unknown to training.
    """
    root = split_root(directory, split)
    if root is None:
        raise ValueError(f"image folder {directory!r} has no eval split: use DIR/train/<class>/ "
                         "and DIR/eval/<class>/")
    classes = class_folders(root)
    names = tuple(class_names or [name for name, _ in classes])
    unknown = [name for name, _ in classes if name not in names]
    if unknown:
        raise ValueError(f"class folder(s) {', '.join(unknown[:5])} of {root!r} are not among the "
                         f"training classes {', '.join(names[:10])}")
    key = (os.path.abspath(root), folder_identity(directory, split), names)
    if key not in _SCANS:
        _SCANS[key] = _scan(root, classes, names)
    return _SCANS[key]


def _scan(root, classes, names):
    files = [(path, names.index(name)) for name, paths in classes for path in paths]
    with concurrent.futures.ThreadPoolExecutor(max(os.cpu_count() or 1, 2)) as pool:
        results = list(pool.map(inspect_image, [path for path, _ in files]))
    sources, converted, labels = [], [], []
    for (path, label), (png, problem) in zip(files, results):
        if problem:
            logging.warning("skipped image %s (%s)", path, problem)
            continue
        sources.append(png if png is not None else path)
        converted.append(png is not None)
        labels.append(label)
    empty = sorted({names[label] for _, label in files} - {names[label] for label in labels})
    if empty:
        raise ValueError(f"class folder(s) {', '.join(empty[:5])} in {root!r} hold no readable "
                         "image: fix or remove the files")
    if len(labels) < 2:
        raise ValueError(f"{root!r} holds {len(labels)} readable image(s): a GAN needs a dataset "
                         "(at least 2 images; thousands to learn anything)")
    return LabelledImages(names, tuple(sources), tuple(converted), tuple(labels))


def _decoder(images):
    """fn(index) -> uint8 (H, W, 3) image of example `index`, and its int32 label."""
    sources = tf.constant([s if isinstance(s, bytes) else s.encode() for s in images.sources])
    converted = tf.constant(images.converted)
    labels = tf.constant(images.labels, tf.int32)

    def decode(index):
        data = tf.cond(converted[index], lambda: sources[index],
                       lambda: tf.io.read_file(sources[index]))
        image = tf.io.decode_image(data, channels=3, expand_animations=False)
        return tf.ensure_shape(image, [None, None, 3]), labels[index]

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
