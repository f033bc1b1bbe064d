"""The demo's request handlers, without gradio: they take and return numpy pictures and plain
values, raise DemoInputError with a one-line message on bad requests, and are what the page and
the API call (an_tf.demo.app wraps them).

Shape letters: H height, W width, R resolution.
"""

import os
import tempfile

import numpy as np
from PIL import Image

from an_tf.demo import masks as demo_masks
from an_tf.demo.limits import DemoInputError, load_image


class Handlers:
    """Request handlers bound to the loaded sessions.

    Args:
        inpainting: an InpaintingSession or None; generation: a GenerationSession or None;
        limits: the demo's Limits; files_dir: where downloadable files are written (a temporary
            directory that the caller removes).
    """

    def __init__(self, inpainting, generation, limits, files_dir):
        self.inpainting, self.generation = inpainting, generation
        self.limits, self.files_dir = limits, files_dir

    def _need(self, session, what):
        if session is None:
            raise DemoInputError(f"this server has no {what} model (start it with its export)")
        return session

    def complete_editor(self, value):
        """Complete from the image editor's value (background + painted layers)."""
        image, mask = demo_masks.editor_image_and_mask(value)
        return self._complete(image, mask)

    def complete_files(self, image_path, mask_path):
        """Complete from two uploaded files: the image and a mask (white/non-zero = missing)."""
        if not image_path or not mask_path:
            raise DemoInputError("send both an image file and a mask file")
        image = load_image(image_path, self.limits)
        mask = load_image(mask_path, self.limits).max(axis=-1) > 127  # (H,W)
        return self._complete(image, mask)

    def _complete(self, image, mask):
        """(input, coarse, refined, completed, layout overlay, [(entity map, caption)],
        completed.png path, note)."""
        session = self._need(self.inpainting, "inpainting")
        result = session.complete(image, mask)
        path = os.path.join(tempfile.mkdtemp(dir=self.files_dir), "completed.png")
        Image.fromarray(result["completed"]).save(path)
        entities = [(picture, f"entity {index}")
                    for index, picture in enumerate(result["entities"])]
        return (result["input"], result["coarse"], result["refined"], result["completed"],
                result["layout"], entities, path, result["note"])

    def mask_value(self, value, kind, seed=0):
        """The editor value with a centred box ("box") or random strokes ("free_form") as mask."""
        if not value or value.get("background") is None:
            raise DemoInputError("upload an image or pick an example first")
        image = demo_masks.check_image(value["background"])
        height, width = image.shape[:2]
        if kind == "box":
            mask = demo_masks.centred_box(height, width)
        else:
            mask = demo_masks.free_form(height, width, int(seed or 0))
        return demo_masks.editor_value(image, mask)

    def generate(self, class_name, seed, num_samples, truncation):
        """([(sample (R,R,3), caption)], [(layout (R,R,3), caption)])."""
        session = self._need(self.generation, "generation")
        images, maps = session.generate(class_name, _integer(seed, "seed"),
                                        _integer(num_samples, "the number of samples"),
                                        float(truncation or 0.0))
        captions = [f"{class_name} #{index}" for index in range(len(images))]
        return list(zip(images, captions)), list(zip(maps, captions))

    def interpolate(self, first, second, seed, steps):
        """(strip of images, strip of layouts), enlarged for the page."""
        session = self._need(self.generation, "generation")
        strip, layout_strip = session.interpolate(first, second, _integer(seed, "seed"),
                                                  _integer(steps, "the number of steps"))
        factor = max(1, 96 // strip.shape[0])  # 32x32 steps are shown at 96x96 (nearest)

        def enlarged(picture):
            return None if picture is None else np.repeat(np.repeat(picture, factor, 0), factor, 1)
        return enlarged(strip), enlarged(layout_strip)


def _integer(value, what):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise DemoInputError(f"{what} must be a whole number, got {value!r}") from None
    if number != int(number):
        raise DemoInputError(f"{what} must be a whole number, got {value!r}")
    return int(number)
