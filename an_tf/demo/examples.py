"""Built-in example images of the inpainting tab, from data the project ships or generates: the
held-out procedural scenes (an_tf.data.procedural_scenes, the demo model's training domain) and the
held-out package photos (an_tf.data.package_photos: scikit-image's samples, no download)."""

import os

import numpy as np
from PIL import Image

from an_tf.data import package_photos, procedural_scenes

SCENES = (0, 1, 2)  # held-out ("eval") scenes
SCENE_SIZE = 128
PHOTO_SIDE = 256  # photos are scaled to this longer side


def write_examples(directory):
    """Writes the examples as PNG files into `directory`; returns their paths."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for index in SCENES:
        scene = procedural_scenes.make_scene(index, SCENE_SIZE, split="eval")["image"]
        picture = np.round((np.asarray(scene) + 1.0) * 127.5).astype(np.uint8)
        paths.append(_save(picture, os.path.join(directory, f"scene_{index}.png")))
    for name in package_photos.EVAL_PHOTOS:
        photo = Image.fromarray(package_photos.load_photo(name))
        scale = PHOTO_SIDE / max(photo.size)
        photo = photo.resize((round(photo.width * scale), round(photo.height * scale)),
                             Image.BICUBIC)
        paths.append(_save(np.asarray(photo), os.path.join(directory, f"{name}.png")))
    return paths


def _save(picture, path):
    Image.fromarray(picture).save(path)
    return path
