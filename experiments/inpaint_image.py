r"""Completes your own image with an exported inpainting SavedModel (any image size: the model pads
to its stride and crops back).

    python -m experiments.inpaint_image --export_dir=/tmp/inpaint_demo/export \
        --image=photo.png --mask=mask.png --output=completed.png

The mask is a grayscale (or RGB) image of the same size, white (255 or 1) = missing, black = known;
any other value is an error. Errors are reported in one line.
"""

import sys

from absl import flags
import numpy as np
from PIL import Image

from experiments import common_flags


def define_flags(flag_values=flags.FLAGS):
    if "export_dir" in flag_values:
        return
    fv = {"flag_values": flag_values}
    flags.DEFINE_string("export_dir", None, "SavedModel directory (experiments.inpaint "
                        "--export_dir or experiments.export_inpaint).", required=True, **fv)
    flags.DEFINE_string("image", None, "Input image (any format Pillow reads).", required=True,
                        **fv)
    flags.DEFINE_string("mask", None, "Mask image: white = missing, black = known.",
                        required=True, **fv)
    flags.DEFINE_string("output", None, "Where to write the completed PNG.", required=True, **fv)


def read_image(path):
    """(H, W, 3) float32 in [0, 255]; ValueError (one line) if unreadable."""
    try:
        with Image.open(path) as image:
            return np.asarray(image.convert("RGB"), dtype=np.float32)
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read image {path!r}: {error}") from None


def read_mask(path, size):
    """(H, W, 1) float32 in {0, 1}; ValueError if unreadable, of the wrong size or not binary."""
    try:
        with Image.open(path) as image:
            mask = np.asarray(image.convert("L"), dtype=np.float32)
    except (OSError, ValueError) as error:
        raise ValueError(f"cannot read mask {path!r}: {error}") from None
    if mask.shape != tuple(size):
        raise ValueError(f"mask {path!r} is {mask.shape[1]}x{mask.shape[0]} but the image is "
                         f"{size[1]}x{size[0]} (width x height)")
    values = np.unique(mask)
    if set(values.tolist()) <= {0.0, 1.0}:
        return mask[..., np.newaxis]
    if set(values.tolist()) <= {0.0, 255.0}:
        return (mask / 255.0)[..., np.newaxis]
    raise ValueError(f"mask {path!r} is not binary: it has {len(values)} distinct values "
                     f"(e.g. {values[len(values) // 2]:g}); use only 0 (known) and 255 (missing)")


def complete_image(export_dir, image_path, mask_path, output_path):
    """Runs the SavedModel on one image; returns the completed (H, W, 3) uint8 array."""
    import tensorflow as tf  # noqa: PLC0415 (slow import, after the cheap checks)

    image = read_image(image_path)
    mask = read_mask(mask_path, image.shape[:2])
    try:
        serving = tf.saved_model.load(export_dir).signatures["serving_default"]
    except (OSError, ValueError, KeyError) as error:
        raise ValueError(f"cannot load a SavedModel from {export_dir!r}: "
                         f"{str(error).splitlines()[0]}") from None
    outputs = serving(images=tf.constant(image[np.newaxis]), masks=tf.constant(mask[np.newaxis]))
    completed = np.clip(np.round(outputs["completed"].numpy()[0]), 0, 255).astype(np.uint8)
    Image.fromarray(completed).save(output_path)
    return completed


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    f = flag_values
    try:
        completed = complete_image(f.export_dir, f.image, f.mask, f.output)
    except ValueError as error:
        sys.exit(f"inpaint_image: error: {error}")
    print(f"wrote {f.output} ({completed.shape[1]}x{completed.shape[0]})")


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
