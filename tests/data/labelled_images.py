"""Shared by the own-data tests: small labelled folders written with Pillow, in odd modes."""

import os

import numpy as np
from PIL import Image


def _pattern(seed, size=(40, 30)):
    """An RGB uint8 image (H, W, 3) distinct per seed: a colour gradient and a bright square."""
    rng = np.random.default_rng(seed)
    width, height = size
    image = np.zeros((height, width, 3), np.uint8)
    image[...] = rng.integers(0, 256, 3, dtype=np.uint8)
    image[:, :, 0] = np.linspace(0, 255, width).astype(np.uint8)[None]
    top, left = rng.integers(0, height // 2), rng.integers(0, width // 2)
    image[top:top + height // 3, left:left + width // 3] = 255
    return image


def save(path, array, mode=None, **options):
    """Writes `array` as an image at `path` (folders created), converted to `mode` if given."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    image = Image.fromarray(array)
    if mode:
        image = image.convert(mode)
    image.save(path, **options)
    return path


def write_folder(root, classes=("cat", "dog"), per_class=3, size=(40, 30), seed=0):
    """root/<class>/img<i>.png, RGB; returns {class: [paths]}."""
    paths = {}
    for c, name in enumerate(classes):
        paths[name] = [save(os.path.join(root, name, f"img{i}.png"),
                            _pattern(seed + 100 * c + i, size)) for i in range(per_class)]
    return paths


def write_odd_modes(directory, seed=0):
    """One file per odd mode in `directory`; returns {kind: path}."""
    rgb = _pattern(seed, (48, 36))
    gray16 = (rgb[..., 0].astype(np.uint16) * 257)
    files = {
        "cmyk_jpeg": save(os.path.join(directory, "cmyk.jpg"), rgb, "CMYK", quality=95),
        "gray16_png": save(os.path.join(directory, "gray16.png"), gray16),
        "gray_png": save(os.path.join(directory, "gray.png"), rgb, "L"),
        "rgba_png": save(os.path.join(directory, "rgba.png"), rgb, "RGBA"),
        "la_png": save(os.path.join(directory, "la.png"), rgb, "LA"),
        "palette_gif": save(os.path.join(directory, "palette.gif"), rgb, "P"),
        "webp": save(os.path.join(directory, "photo.webp"), rgb, quality=95),
        "rgb_jpeg": save(os.path.join(directory, "rgb.jpg"), rgb, quality=95),
    }
    return files
