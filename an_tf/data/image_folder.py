"""The one image-folder scanner of an_tf, shared by the cGAN's labelled folders
(`an_tf.data.labelled_folder`) and the inpainting pipeline (`an_tf.inpainting.data_pipeline`), plus
the crops the pipelines take from the images.

A folder is listed by ONE walk (`FolderListing`): hidden files and folders (".*") are ignored,
names are sorted, a folder's files come before its subfolders'. Its split layout follows ONE rule
(`FolderListing.split_folder`):

    DIR/train/..., DIR/eval/...   a split layout: DIR has a subfolder named train or eval. Then
                                  train/ is required, eval/ optional, and any other subfolder
                                  or image directly in DIR is a one-line ValueError (is eval/ a
                                  class? are photos/ training images?): nothing is guessed.
    DIR/...                       otherwise: all of DIR is the training split; no eval split.

Files are checked with Pillow when they are scanned (in parallel threads): empty, corrupt or
unreadable files are skipped with one warning each, never a crash, so the examples' indices never
change during training (exact resume). JPEG/PNG/BMP files in RGB or 8-bit gray without an EXIF
rotation are decoded lazily by TensorFlow (by path); every other file (CMYK/YCCK JPEG, 16-bit,
palette or alpha images, GIF, WebP, TIFF, photos with an EXIF rotation) is converted by Pillow to
an RGB PNG held in memory (alpha composited over white, 16-bit scaled to 8-bit, EXIF rotation
applied).

Shape letters: H height, W width.
"""

import concurrent.futures
import dataclasses
import io
import os

from absl import logging
import numpy as np
from PIL import Image, ImageOps
import tensorflow as tf

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm")
SPLITS = ("train", "eval")
_NATIVE = {"JPEG", "PNG", "BMP"}
_ORIENTATION_TAG = 0x0112


def _visible(names):
    return sorted(name for name in names if not name.startswith("."))


@dataclasses.dataclass(frozen=True)
class FolderListing:
    """One walk of a folder (`FolderListing.of(directory)`): every visible folder below it and its
    image files, in walk order. Folders are named by their path relative to `directory` ("" is
    `directory` itself)."""

    directory: str
    folders: tuple  # relative folder paths, walk order: a folder, then its subfolders' trees
    files: dict  # relative folder path -> its image file names, sorted

    @classmethod
    def of(cls, directory):
        """Walks `directory` once (symbolic links followed, each real folder listed once)."""
        if not directory or not os.path.isdir(directory):
            raise ValueError(f"image folder {directory!r} does not exist or is not a directory")
        folders, files, seen = [], {}, set()
        for root, dirs, names in os.walk(directory, followlinks=True):
            real = os.path.realpath(root)
            if real in seen:  # reached again through a link (a cycle): listed already
                dirs[:] = []
                continue
            seen.add(real)
            dirs[:] = _visible(dirs)
            relative = os.path.relpath(root, directory)
            relative = "" if relative == "." else relative
            folders.append(relative)
            files[relative] = tuple(name for name in _visible(names)
                                    if name.lower().endswith(IMAGE_EXTENSIONS))
        return cls(directory, tuple(folders), files)

    def path(self, relative):
        return os.path.join(self.directory, relative) if relative else self.directory

    def subfolders(self, relative=""):
        """Names of the visible subfolders of folder `relative`, sorted."""
        return [os.path.basename(folder) for folder in self.folders
                if folder and os.path.dirname(folder) == relative]

    def image_paths(self, relative="", recursive=True):
        """Paths of the image files in folder `relative` (and, if `recursive`, below it), in walk
        order (the order of `os.walk` started there, names sorted)."""
        if not recursive:
            return [os.path.join(self.path(relative), name) for name in self.files[relative]]
        prefix = relative + os.sep if relative else ""
        return [os.path.join(self.path(folder), name) for folder in self.folders
                if folder == relative or folder.startswith(prefix)
                for name in self.files[folder]]

    def split_folder(self, split="train"):
        """The relative folder of `split` ("train" or "eval") under the module's split rule: "train"
        or "eval" in a split layout (None when eval/ is absent); "" for "train" and None for
        "eval" otherwise. A one-line ValueError for an ambiguous folder."""
        if split not in SPLITS:
            raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
        subfolders = set(self.subfolders())
        if not subfolders & set(SPLITS):
            return "" if split == "train" else None
        others = [f"{name}/" for name in sorted(subfolders - set(SPLITS))] + list(self.files[""])
        if others:
            raise ValueError(
                f"image folder {self.directory!r} mixes a split layout (train/, eval/) with "
                f"{', '.join(others[:3])}: put every image under train/ (and eval/), or rename "
                "train/ or eval/ if it is a class")
        if "train" not in subfolders:
            raise ValueError(f"image folder {self.directory!r} has eval/ but no train/: put the "
                             "training images in train/")
        return split if split in subfolders else None


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


@dataclasses.dataclass(frozen=True)
class CheckedImages:
    """The readable files among scanned paths, in order: `paths[i]` is read from `sources[i]`,
    the path itself, or its image converted to PNG bytes when `converted[i]`."""

    paths: tuple
    sources: tuple
    converted: tuple
    skipped: tuple

    def __len__(self):
        return len(self.paths)


def check_images(paths):
    """`CheckedImages` of `paths` (every file opened once, in parallel threads); one warning per
    skipped file."""
    with concurrent.futures.ThreadPoolExecutor(max(os.cpu_count() or 1, 2)) as pool:
        results = list(pool.map(inspect_image, paths))
    kept, sources, converted, skipped = [], [], [], []
    for path, (png, problem) in zip(paths, results):
        if problem:
            logging.warning("skipped image %s (%s)", path, problem)
            skipped.append(path)
            continue
        kept.append(path)
        sources.append(png if png is not None else path)
        converted.append(png is not None)
    return CheckedImages(tuple(kept), tuple(sources), tuple(converted), tuple(skipped))


def scan_listed_images(listing, relative="", recursive=True):
    """`CheckedImages` of the image files of a listed folder `relative` (below it too if
    `recursive`); a one-line ValueError when none is readable."""
    checked = check_images(listing.image_paths(relative, recursive))
    if not checked.paths:
        raise ValueError(f"no readable image in {listing.path(relative)!r} "
                         f"({len(checked.skipped)} skipped)")
    return checked


def scan_image_folder(directory, recursive=True):
    """`scan_listed_images` of `directory` (walked once)."""
    return scan_listed_images(FolderListing.of(directory), "", recursive)


def decode_rgb(encoded):
    """Encoded image bytes -> (H, W, 3) uint8 (grayscale and RGBA converted, first GIF frame)."""
    image = tf.io.decode_image(encoded, channels=3, expand_animations=False)
    image.set_shape([None, None, 3])
    return image


def decode_source(source, converted):
    """A `CheckedImages` source (a path, or PNG bytes if `converted`) -> (H, W, 3) uint8."""
    return decode_rgb(tf.cond(converted, lambda: source, lambda: tf.io.read_file(source)))


def image_folder_dataset(directory, recursive=True):
    """A finite tf.data.Dataset of the folder's readable images, (H, W, 3) uint8, in walk order."""
    checked = scan_image_folder(directory, recursive)
    sources = tf.constant([s if isinstance(s, bytes) else s.encode() for s in checked.sources])
    return tf.data.Dataset.from_tensor_slices((sources, tf.constant(checked.converted))).map(
        decode_source, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)


def resize_shorter_side(image, size):
    """Resizes so that the shorter side is `size` (aspect kept). (H,W,3) -> (H',W',3) float32."""
    shape = tf.cast(tf.shape(image)[:2], tf.float32)
    scale = tf.cast(size, tf.float32) / tf.reduce_min(shape)
    new_shape = tf.cast(tf.math.ceil(shape * scale), tf.int32)
    return tf.image.resize(tf.cast(image, tf.float32), new_shape, antialias=True)


def _resized_for_crop(image, size, load_size):
    """Resizes the shorter side to `load_size` if given, else up to `size` if it is smaller."""
    image = tf.cast(image, tf.float32)
    if load_size:
        return resize_shorter_side(image, load_size)
    return tf.cond(tf.reduce_min(tf.shape(image)[:2]) < size,
                   lambda: resize_shorter_side(image, size), lambda: image)


def random_crop(image, size, seed, load_size=None):
    """A random size x size crop (stateless, `seed` of shape [2]) of (H, W, 3) [0, 255] pixels,
    after resizing the shorter side to `load_size` (if given) or up to `size` when the image is
    smaller. Returns (size, size, 3) float32 in [-1, 1]."""
    image = _resized_for_crop(image, size, load_size)
    crop = tf.image.stateless_random_crop(image, [size, size, 3], seed)
    return to_signed_unit(crop)


def center_crop(image, size, load_size=None):
    """The central size x size crop (after the same resizing as `random_crop`), in [-1, 1]."""
    image = _resized_for_crop(image, size, load_size)
    shape = tf.shape(image)
    top, left = (shape[0] - size) // 2, (shape[1] - size) // 2
    crop = tf.ensure_shape(image[top:top + size, left:left + size, :], [size, size, 3])
    return to_signed_unit(crop)


def to_signed_unit(image):
    """[0, 255] -> [-1, 1] float32."""
    return tf.clip_by_value(tf.cast(image, tf.float32) / 127.5 - 1.0, -1.0, 1.0)


def to_uint8(image):
    """[-1, 1] -> uint8 numpy array (rounded)."""
    values = (np.asarray(image, dtype=np.float32) + 1.0) * 127.5
    return np.clip(np.round(values), 0, 255).astype(np.uint8)
