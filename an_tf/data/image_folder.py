"""The image-folder reader of an_tf: any folder of photos (Paris StreetView, CelebA-HQ, Places2,
...) as a tf.data source, plus the crops the pipelines take from it.

Files are checked with Pillow when the folder is scanned: corrupt or unreadable files are skipped
and counted, with one warning, never a crash. Decoding happens in tf.data (checkpointable
iterators); formats TensorFlow cannot decode (e.g. TIFF) are re-encoded as PNG at scan time.

Shape letters: H height, W width.
"""

import io
import os

from absl import logging
import numpy as np
from PIL import Image
import tensorflow as tf

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".ppm")
_TF_DECODABLE = (".jpg", ".jpeg", ".png", ".bmp", ".gif")


def list_image_files(directory, recursive=True):
    """Sorted paths of the files with an image extension under `directory`."""
    if not os.path.isdir(directory):
        raise ValueError(f"image folder {directory!r} does not exist or is not a directory")
    paths = []
    for root, dirs, files in os.walk(directory):
        dirs.sort()
        paths.extend(os.path.join(root, name) for name in sorted(files)
                     if name.lower().endswith(IMAGE_EXTENSIONS))
        if not recursive:
            break
    return paths


def _is_readable(path):
    try:
        with Image.open(path) as image:
            image.verify()  # checks the header and the structure without decoding
        with Image.open(path) as image:
            image.load()  # a truncated file fails here
        return True
    except Exception:  # noqa: BLE001 (any failure of any decoder means "skip this file")
        return False


def scan_image_folder(directory, recursive=True):
    """Returns (readable paths, skipped paths); logs one warning with the count of skipped files."""
    readable, skipped = [], []
    for path in list_image_files(directory, recursive):
        (readable if _is_readable(path) else skipped).append(path)
    if skipped:
        logging.warning("Skipped %d unreadable or corrupt image file(s) in %s (first: %s)",
                        len(skipped), directory, ", ".join(skipped[:3]))
    if not readable:
        raise ValueError(f"no readable image in {directory!r} ({len(skipped)} skipped)")
    return readable, skipped


def _encoded_image(path):
    """The file's bytes if TensorFlow decodes its format, else the image re-encoded as PNG."""
    if path.lower().endswith(_TF_DECODABLE):
        with open(path, "rb") as handle:
            return handle.read()
    with Image.open(path) as image:
        buffer = io.BytesIO()
        image.convert("RGB").save(buffer, format="PNG")
        return buffer.getvalue()


def decode_rgb(encoded):
    """Encoded image bytes -> (H, W, 3) uint8 (grayscale and RGBA converted, first GIF frame)."""
    image = tf.io.decode_image(encoded, channels=3, expand_animations=False)
    image.set_shape([None, None, 3])
    return image


def image_folder_dataset(directory, recursive=True, shuffle_files=False, seed=0):
    """A finite tf.data.Dataset of (H, W, 3) uint8 images from a folder (skipping bad files).

    Files TensorFlow decodes natively are read lazily by path; the others are converted at scan
    time. A file that passes the scan but still fails to decode is dropped with a logged warning.
    """
    paths, _ = scan_image_folder(directory, recursive)
    native = [p for p in paths if p.lower().endswith(_TF_DECODABLE)]
    converted = [_encoded_image(p) for p in paths if not p.lower().endswith(_TF_DECODABLE)]
    files = tf.data.Dataset.from_tensor_slices(tf.constant(native or [""], tf.string))
    if not native:
        files = files.take(0)
    if shuffle_files:
        files = files.shuffle(len(native) or 1, seed=seed, reshuffle_each_iteration=True)
    dataset = files.map(tf.io.read_file, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if converted:
        dataset = dataset.concatenate(tf.data.Dataset.from_tensor_slices(converted))
    dataset = dataset.map(decode_rgb, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.ignore_errors(log_warning=True)


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
