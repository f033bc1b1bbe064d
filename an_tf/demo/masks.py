"""Hole masks of the demo: from the image editor's painted layers, or a centred box / random
free-form strokes (an_tf.data.masks, the training masks). Masks are (H, W) bool, True = missing.
"""

import numpy as np

from an_tf.data import masks as masks_lib
from an_tf.demo.limits import DemoInputError, check_image

MASK_RGBA = (255, 0, 0, 255)  # how a mask layer is shown in the editor (opaque red strokes)
FREE_FORM_SIZE = 256  # free-form strokes are drawn at most at this size, then scaled


def editor_image_and_mask(value):
    """The image editor's value {"background": (H,W,3|4), "layers": [(H,W,4)], ...} ->
    ((H, W, 3) uint8 image, (H, W) bool mask: any painted pixel of any layer)."""
    if not value or value.get("background") is None:
        raise DemoInputError("upload an image or pick an example first")
    image = check_image(value["background"])
    mask = np.zeros(image.shape[:2], bool)
    for layer in value.get("layers") or []:
        layer = np.asarray(layer)
        if layer.shape[:2] != mask.shape:
            raise DemoInputError("the painted layer does not match the image size")
        mask |= layer[..., -1] > 0 if layer.ndim == 3 and layer.shape[-1] == 4 else layer.any(-1)
    return image, mask


def check_mask(mask):
    """DemoInputError unless the (H, W) mask leaves some pixels known and some missing."""
    if not mask.any():
        raise DemoInputError("the mask covers nothing: paint the hole (or choose a mask) first")
    if mask.all():
        raise DemoInputError("the mask covers the whole image: leave some pixels known")
    return mask


def centred_box(height, width):
    """(H, W) bool: a centred box of half the shorter side (the evaluation protocol's hole)."""
    box = max(min(height, width) // 2, 1)
    masks, _ = masks_lib.centered_box_masks(1, height, width, box)
    return np.asarray(masks)[0, ..., 0] > 0


def free_form(height, width, seed):
    """(H, W) bool: random brush strokes (DeepFill v2 style, the training masks), drawn at most
    at FREE_FORM_SIZE and scaled (nearest) to the image, so big images stay fast."""
    scale = min(1.0, FREE_FORM_SIZE / max(height, width))
    small_h, small_w = max(8, round(height * scale)), max(8, round(width * scale))
    masks = masks_lib.free_form_masks(np.array([seed, 0], np.int64), 1, small_h, small_w)
    small = np.asarray(masks)[0, ..., 0] > 0
    rows = np.minimum(np.arange(height) * small_h // height, small_h - 1)
    cols = np.minimum(np.arange(width) * small_w // width, small_w - 1)
    return small[rows][:, cols]


def editor_value(image, mask):
    """An editor value showing `image` with `mask` as one painted layer (to edit further)."""
    layer = np.zeros(mask.shape + (4,), np.uint8)
    layer[mask] = MASK_RGBA
    composite = image.copy()
    composite[mask] = MASK_RGBA[:3]
    return {"background": image, "layers": [layer], "composite": composite}


def image_with_hole(image, mask):
    """The input as the network sees it: the hole painted white."""
    shown = image.copy()
    shown[mask] = 255
    return shown
