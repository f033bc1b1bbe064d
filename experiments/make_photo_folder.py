r"""Writes a small labelled image folder from the photos scikit-image ships (offline, no download),
for the cGAN's own-data demo (experiments/configs/cgan_photos.cfg):

    python -m experiments.make_photo_folder --output=runs/photo_folder

One class per photo: class "coffee" holds random square crops (40-80% of the shorter side,
random position, random mirror) of scikit-image's coffee photo, and so on. It is a labelled
folder of real photographs in the layout of any user's folder (DIR/train/<class>/*.jpg and
DIR/eval/<class>/*.jpg), but every class is one scene seen through many windows: a cGAN trained
on it learns the colours and textures of six photos, not six object categories. The eval crops
are drawn with another seed from the same photos (they overlap the training crops).
"""

import os

import numpy as np
from absl import app, flags
from PIL import Image

from an_tf.data.package_photos import load_photo
from experiments import common_flags

# Class name -> scikit-image sample photo (colour photos of distinct scenes).
PHOTOS = {"astronaut": "astronaut", "cat": "chelsea", "coffee": "coffee", "rocket": "rocket",
          "motorcycle": "stereo_motorcycle", "tissue": "immunohistochemistry"}


def define_flags(flag_values=flags.FLAGS):
    fv = {"flag_values": flag_values}
    flags.DEFINE_string("output", None, "Folder to write (must not exist or be empty).", **fv)
    flags.DEFINE_integer("train_per_class", 300, "Training crops per class.", lower_bound=2, **fv)
    flags.DEFINE_integer("eval_per_class", 50, "Held-out crops per class (0: no eval split).",
                         lower_bound=0, **fv)
    flags.DEFINE_integer("size", 64, "Side of the saved crops in pixels.", lower_bound=8, **fv)
    flags.DEFINE_integer("seed", 0, "Random seed of the crops.", lower_bound=0, **fv)


def random_crops(photo, count, size, rng):
    """`count` (size, size, 3) uint8 crops of an (H, W, 3) photo: squares of 40-80% of the
    shorter side at random places, half of them mirrored."""
    height, width = photo.shape[:2]
    crops = []
    for _ in range(count):
        side = int(min(height, width) * rng.uniform(0.4, 0.8))
        top, left = rng.integers(0, height - side + 1), rng.integers(0, width - side + 1)
        crop = Image.fromarray(photo[top:top + side, left:left + side])
        crop = crop.resize((size, size), Image.Resampling.LANCZOS)
        if rng.random() < 0.5:
            crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        crops.append(np.asarray(crop))
    return crops


def write_photo_folder(output, train_per_class=300, eval_per_class=50, size=64, seed=0):
    """Writes output/{train,eval}/<class>/<i>.jpg; returns the number of files written."""
    if os.path.exists(output) and os.listdir(output):
        raise ValueError(f"--output={output} exists and is not empty: choose a new folder")
    written = 0
    for split, count, split_seed in (("train", train_per_class, seed),
                                     ("eval", eval_per_class, seed + 1)):
        rng = np.random.default_rng(split_seed)
        for name, photo_name in sorted(PHOTOS.items()):
            if not count:
                continue
            folder = os.path.join(output, split, name)
            os.makedirs(folder, exist_ok=True)
            for i, crop in enumerate(random_crops(load_photo(photo_name), count, size, rng)):
                Image.fromarray(crop).save(os.path.join(folder, f"{i:04d}.jpg"), quality=92)
                written += 1
    return written


def main(argv, flag_values=flags.FLAGS):
    del argv
    if not flag_values.output:
        raise app.UsageError("--output is required")
    count = write_photo_folder(flag_values.output, flag_values.train_per_class,
                               flag_values.eval_per_class, flag_values.size, flag_values.seed)
    print(f"wrote {count} images in {len(PHOTOS)} classes to {flag_values.output}", flush=True)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
