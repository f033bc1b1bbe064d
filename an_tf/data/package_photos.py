"""Real photos that ship inside an installed package (scikit-image's sample images): the embedded
default data set of an_tf, so that training and inference run offline on a fresh machine.

Shape letters: H height, W width.
"""

import numpy as np
import skimage.data
import tensorflow as tf

# Held-out photos (eval) are never used for training; grayscale photos are expanded to RGB.
# hubble_deep_field and retina are left out: mostly black, they teach a small model to fill holes
# with black. "cat" is left out: it is "chelsea", a held-out photo.
TRAIN_PHOTOS = ("astronaut", "coffee", "immunohistochemistry", "colorwheel", "brick", "grass",
                "gravel", "stereo_motorcycle", "camera", "coins", "clock")
EVAL_PHOTOS = ("chelsea", "rocket")
SPLITS = {"train": TRAIN_PHOTOS, "eval": EVAL_PHOTOS}
# Scenes and objects only (no textures, microscopy or colour wheel), closer to the held-out photos.
SCENE_PHOTOS = ("astronaut", "coffee", "stereo_motorcycle", "camera", "coins", "clock")
SUBSETS = ("all", "scenes")


def load_photo(name):
    """One sample photo as (H, W, 3) uint8 (offline: the files are inside scikit-image)."""
    loader = getattr(skimage.data, name, None)
    if loader is None:
        raise ValueError(f"scikit-image has no sample image {name!r}")
    image = loader()
    if isinstance(image, tuple):  # stereo_motorcycle: (left, right, disparity)
        image = image[0]
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[..., np.newaxis], 3, axis=-1)
    return np.ascontiguousarray(image[..., :3]).astype(np.uint8)


def load_photos(split="train", subset="all"):
    """List of (H, W, 3) uint8 photos of a split ("train" or "eval"); subset="scenes" keeps only
    the scene photos of the training split."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {tuple(SPLITS)}, got {split!r}")
    if subset not in SUBSETS:
        raise ValueError(f"subset must be one of {SUBSETS}, got {subset!r}")
    names = SCENE_PHOTOS if subset == "scenes" and split == "train" else SPLITS[split]
    return [load_photo(name) for name in names]


def package_photos_dataset(split="train", shorter_side=None):
    """A finite tf.data.Dataset of the split's (H, W, 3) uint8 photos (of different sizes).

    Args:
        split: "train" or "eval".
        shorter_side: if given, every photo is first resized (antialiased) so that its shorter
            side has this length; small photos make small demos fast.

    The photos are held as PNG bytes in the graph, so the iterator is checkpointable.
    """
    encoded = encoded_photos(split, shorter_side)
    dataset = tf.data.Dataset.from_tensor_slices(tf.constant(encoded, tf.string))
    return dataset.map(lambda data: tf.ensure_shape(tf.io.decode_png(data, channels=3),
                                                    [None, None, 3]))


def encoded_photos(split="train", shorter_side=None, subset="all"):
    """List of the split's photos as PNG bytes (resized as in `package_photos_dataset`): random
    access by index for index-based pipelines."""
    photos = load_photos(split, subset)
    if shorter_side:
        photos = [_resize_shorter_side(photo, shorter_side) for photo in photos]
    return [tf.io.encode_png(photo).numpy() for photo in photos]


def _resize_shorter_side(photo, size):
    height, width = photo.shape[:2]
    scale = size / min(height, width)
    new_size = [max(round(height * scale), size), max(round(width * scale), size)]
    resized = tf.image.resize(photo, new_size, antialias=True)
    return tf.cast(tf.clip_by_value(tf.round(resized), 0, 255), tf.uint8).numpy()
