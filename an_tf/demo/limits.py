"""Limits of the browser demo and the checks of uploaded images, done before any decoding.

Shape letters: H height, W width.
"""

import dataclasses
import os

import numpy as np
from PIL import Image, UnidentifiedImageError


class DemoInputError(ValueError):
    """A bad request (upload, mask, parameter): its message is one line for the page."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """What one request may ask for.

    max_upload_mb: largest uploaded file; max_pixels: largest image (H*W) that is decoded at all
    (larger ones are refused from their header: decompression bombs); max_side: larger images are
    downscaled to this longer side before inpainting (with a note); max_samples: samples per
    generation request; max_concurrency: requests computed at once (the others wait in a queue).
    """
    max_upload_mb: float = 10.0
    max_pixels: int = 16_000_000
    max_side: int = 1024
    max_samples: int = 16
    max_concurrency: int = 1

    def __post_init__(self):
        for field in dataclasses.fields(self):
            if not getattr(self, field.name) > 0:
                raise ValueError(f"{field.name} must be > 0, got {getattr(self, field.name)!r}")


def protect_pillow(limits):
    """Makes Pillow refuse (DecompressionBombError, from the header) images above max_pixels in
    this process, also where gradio decodes an upload before the demo sees it."""
    Image.MAX_IMAGE_PIXELS = max(limits.max_pixels // 2, 1)  # Pillow raises above twice this


def load_image(path, limits):
    """Reads an uploaded image file as (H, W, 3) uint8 (alpha dropped, grayscale expanded).

    Raises DemoInputError for an empty, too large, non-image or truncated file, and for an image
    whose header declares more than `limits.max_pixels` pixels (checked before decoding).
    """
    size = os.path.getsize(path)
    if size == 0:
        raise DemoInputError("the uploaded file is empty")
    if size > limits.max_upload_mb * 1e6:
        raise DemoInputError(f"the upload is {size / 1e6:.1f} MB, the limit is "
                             f"{limits.max_upload_mb:g} MB")
    try:
        with Image.open(path) as image:  # reads the header only
            width, height = image.size
            if width * height > limits.max_pixels:
                raise DemoInputError(f"the image is {width}x{height} pixels, more than the limit "
                                     f"of {limits.max_pixels} pixels")
            return to_rgb(image)
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise DemoInputError("the upload is not an image Pillow can read (or is too large)") \
            from None
    except (OSError, SyntaxError, ValueError) as error:
        if isinstance(error, DemoInputError):
            raise
        raise DemoInputError("the image file is damaged or truncated") from None


def to_rgb(image):
    """PIL image (any mode) -> (H, W, 3) uint8, transparency composited on white."""
    image.load()
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(white, rgba)
    return np.asarray(image.convert("RGB"), np.uint8)


def fit_size(image, max_side):
    """Downscales an (H, W, 3) uint8 image whose longer side exceeds `max_side` (aspect kept).
    Returns (image, note): note is "" when the image was kept, else one line for the page."""
    height, width = image.shape[:2]
    if max(height, width) <= max_side:
        return image, ""
    scale = max_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = np.asarray(Image.fromarray(image).resize(size, Image.BICUBIC), np.uint8)
    return small, (f"note: the {width}x{height} image was downscaled to {size[0]}x{size[1]} "
                   f"(limit: {max_side} pixels on the longer side)")


def check_image(image, min_side=8):
    """Checks an (H, W, C) image array from the editor; returns it as (H, W, 3) uint8."""
    if image is None:
        raise DemoInputError("upload an image or pick an example first")
    image = np.asarray(image)
    if image.ndim == 2:
        image = np.repeat(image[..., None], 3, axis=-1)
    if image.ndim != 3 or image.shape[-1] not in (3, 4) or min(image.shape[:2]) < min_side:
        raise DemoInputError(f"the image must be at least {min_side}x{min_side} RGB pixels, got "
                             f"shape {image.shape}")
    return image[..., :3].astype(np.uint8)
