"""The Paris StreetView tfds builder on a manual directory of generated fake photos."""

import numpy as np
from PIL import Image
import pytest
import tensorflow_datasets as tfds

from an_tf.data.paris_streetview import ParisStreetView


def fake_manual_dir(root):
    rng = np.random.default_rng(0)
    for folder, count in (("paris_train_original", 3), ("paris_eval_gt", 2)):
        (root / folder).mkdir(parents=True)
        for index in range(count):
            pixels = rng.integers(0, 256, (27, 47, 3), dtype=np.uint8)  # 936x537 scaled down
            Image.fromarray(pixels).save(root / folder / f"{index:03d}.png")
    (root / "paris_train_original" / "corrupt.png").write_bytes(b"not a png")
    return root


def test_builder_reads_the_manual_directory(tmp_path):
    manual_dir = fake_manual_dir(tmp_path / "manual")
    builder = ParisStreetView(data_dir=str(tmp_path / "data"))
    builder.download_and_prepare(
        download_config=tfds.download.DownloadConfig(manual_dir=str(manual_dir)))
    assert builder.info.splits["train"].num_examples == 3  # the corrupt file is skipped
    assert builder.info.splits["test"].num_examples == 2
    example = next(iter(builder.as_dataset(split="test").as_numpy_iterator()))
    assert example["image"].shape == (27, 47, 3) and example["image"].dtype == np.uint8
    assert example["file_name"].decode() in ("000.png", "001.png")


def test_missing_manual_directory_is_explained(tmp_path):
    builder = ParisStreetView(data_dir=str(tmp_path / "data"))
    with pytest.raises(Exception, match="paris_train_original"):
        builder.download_and_prepare(
            download_config=tfds.download.DownloadConfig(manual_dir=str(tmp_path / "nothing")))
