"""Paris StreetView (Pathak et al., "Context Encoders", CVPR 2016) as a tensorflow-datasets builder,
the inpainting data set of Wang et al., "Attentive Normalization for Conditional Image Generation",
CVPR 2020.

The photos (14,900 training, 936x537, and 100 evaluation) are distributed by their authors on
request only, so the builder reads them from the user's manual directory:

    <manual_dir>/paris_train_original/*.png|jpg
    <manual_dir>/paris_eval_gt/*.png|jpg

    builder = ParisStreetView(data_dir=...)
    builder.download_and_prepare(download_config=tfds.download.DownloadConfig(manual_dir=...))
    train = builder.as_dataset(split="train")

Unreadable files are skipped and counted with a warning (`an_tf.data.image_folder`).
"""

import os

import numpy as np
from PIL import Image
import tensorflow_datasets as tfds

from an_tf.data import image_folder

TRAIN_FOLDER = "paris_train_original"
EVAL_FOLDER = "paris_eval_gt"


class ParisStreetView(tfds.core.GeneratorBasedBuilder):
    """Paris StreetView photos from a manual directory; splits "train" and "test"."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {"1.0.0": "Initial release."}
    MANUAL_DOWNLOAD_INSTRUCTIONS = (
        "Ask the authors of Context Encoders (Pathak et al., CVPR 2016) for the Paris StreetView "
        f"data set and put its folders {TRAIN_FOLDER}/ and {EVAL_FOLDER}/ in the manual "
        "directory (default ~/tensorflow_datasets/downloads/manual/ or --manual_dir)."
    )

    def _info(self):
        return self.dataset_info_from_configs(
            description="Paris StreetView street-level photos (Pathak et al., CVPR 2016).",
            features=tfds.features.FeaturesDict({
                "image": tfds.features.Image(shape=(None, None, 3)),
                "file_name": tfds.features.Text(),
            }),
            supervised_keys=None,
            homepage="https://github.com/pathak22/context-encoder",
        )

    def _split_generators(self, dl_manager):
        manual_dir = str(dl_manager.manual_dir)
        for folder in (TRAIN_FOLDER, EVAL_FOLDER):
            path = os.path.join(manual_dir, folder)
            if not os.path.isdir(path):
                raise ValueError(f"Paris StreetView: {path} is missing. "
                                 + self.MANUAL_DOWNLOAD_INSTRUCTIONS)
        return {
            "train": self._generate_examples(os.path.join(manual_dir, TRAIN_FOLDER)),
            "test": self._generate_examples(os.path.join(manual_dir, EVAL_FOLDER)),
        }

    def _generate_examples(self, directory):
        for path in image_folder.scan_image_folder(directory).paths:  # skipped files: warned
            with Image.open(path) as image:
                pixels = np.asarray(image.convert("RGB"))
            key = os.path.relpath(path, directory)
            yield key, {"image": pixels, "file_name": key}
