"""Inpainting through the exported SavedModel (an_tf.inpainting.export): one loaded model, one call
per request, images of any size (the export pads to the network's stride and crops back).

Shape letters: H height, W width, h, w layout size, n entities.
"""

import numpy as np
import tensorflow as tf
from PIL import Image

from an_tf.demo import layouts
from an_tf.demo.limits import DemoInputError, fit_size
from an_tf.demo.masks import check_mask, image_with_hole


class InpaintingSession:
    """The exported inpainting generator, loaded once.

    Args:
        export_dir: a SavedModel written by `an_tf.inpainting.export.export_generator` (its
            `with_layout` signature is used when present: coarse, refined and AN's layout).
        max_side: larger images are downscaled to this longer side first (with a note).
    """

    def __init__(self, export_dir, max_side=1024):
        self.model = tf.saved_model.load(export_dir)
        self.has_layout = "with_layout" in self.model.signatures
        name = "with_layout" if self.has_layout else "serving_default"
        self._serve = self.model.signatures[name]
        self.max_side = int(max_side)

    def complete(self, image, mask):
        """Fills the hole of one image.

        Args:
            image: (H, W, 3) uint8; mask: (H, W) bool, True = missing.

        Returns:
            dict of (H', W', 3) uint8 pictures "input" (the hole in white), "coarse", "refined",
            "completed" (the known pixels are the input's), "layout" (argmax colours over the
            completed image), a list "entities" of per-entity maps, and "note" ("" or one line on
            downscaling). H', W' = H, W unless the longer side exceeded `max_side`.
        """
        if image.shape[:2] != mask.shape:
            raise DemoInputError(f"the mask is {mask.shape[1]}x{mask.shape[0]}, the image "
                                 f"{image.shape[1]}x{image.shape[0]}: they must match")
        check_mask(mask)
        image, note = fit_size(image, self.max_side)
        if image.shape[:2] != mask.shape:  # downscaled: the mask follows (nearest)
            mask = np.asarray(Image.fromarray(mask).resize(image.shape[1::-1], Image.NEAREST))
            check_mask(mask)
        masks = mask.astype(np.float32)[None, ..., None]  # (1,H,W,1)
        outputs = self._serve(images=tf.constant(image[None].astype(np.float32)),
                              masks=tf.constant(masks))
        pictures = {key: to_uint8(value.numpy()[0]) for key, value in outputs.items()
                    if key != "layout"}
        # The known pixels are the input's exactly (the export copies them; rounding keeps them).
        completed = np.where(mask[..., None], pictures["completed"], image)
        result = {"input": image_with_hole(image, mask), "completed": completed, "note": note,
                  "coarse": pictures.get("coarse"), "refined": pictures.get("refined"),
                  "layout": None, "entities": []}
        if self.has_layout:
            layout = outputs["layout"].numpy()[0]  # (h,w,n) of the padded image
            result["layout"] = layouts.overlay(completed, layout)
            result["entities"] = layouts.entity_maps(layout, *completed.shape[:2])
        return result


def to_uint8(picture):
    """(H, W, 3) float in [0, 255] -> uint8 (rounded, clipped)."""
    return np.clip(np.round(picture), 0, 255).astype(np.uint8)
