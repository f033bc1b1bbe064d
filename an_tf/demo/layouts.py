"""Pictures of AN's layout for the page: the argmax entity as a colour map over the image, and one
map per entity (supplement Figure 4's binarized layout and per-entity attention maps).

Shape letters: H, W image size; h, w layout size; n entities.
"""

import numpy as np

from an_tf.ops.layout_palette import entity_colours


def upsample_to(maps, height, width):
    """Nearest-neighbour upsampling of (h, w, ...) maps to at least (height, width), then a crop
    to exactly (height, width): layouts of a padded image cover it from the top-left."""
    factor_h = -(-height // maps.shape[0])
    factor_w = -(-width // maps.shape[1])
    big = np.repeat(np.repeat(maps, factor_h, axis=0), factor_w, axis=1)
    return big[:height, :width]


def argmax_colours(layout, height, width):
    """(h, w, n) layout -> (H, W, 3) uint8 colour of the winning entity at each position."""
    winners = np.asarray(layout).argmax(-1)  # (h,w)
    return upsample_to(entity_colours(winners), height, width)


def overlay(image, layout, opacity=0.5):
    """The argmax colour map of an (h, w, n) layout blended over an (H, W, 3) uint8 image."""
    colours = argmax_colours(layout, *image.shape[:2]).astype(np.float32)
    blended = (1.0 - opacity) * image.astype(np.float32) + opacity * colours
    return np.clip(np.round(blended), 0, 255).astype(np.uint8)


def entity_maps(layout, height, width):
    """One (H, W, 3) uint8 picture per entity: its attention map min-max normalised, tinted in
    the entity's palette colour. Returns a list of n pictures."""
    layout = np.asarray(layout, np.float32)
    pictures = []
    for entity in range(layout.shape[-1]):
        values = layout[..., entity]
        low, high = values.min(), values.max()
        scaled = (values - low) / (high - low) if high > low else np.zeros_like(values)
        tint = entity_colours(entity).astype(np.float32)
        picture = scaled[..., None] * tint  # (h,w,3)
        pictures.append(upsample_to(np.round(picture).astype(np.uint8), height, width))
    return pictures


def enlarge(image, min_side=128):
    """Nearest-neighbour enlargement of a small (H, W, 3) picture by an integer factor so that
    its shorter side reaches `min_side` (32x32 samples are unreadable at their own size)."""
    factor = max(1, -(-min_side // min(image.shape[:2])))
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)
