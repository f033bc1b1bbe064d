"""experiments.make_photo_folder: a labelled folder of real photos (train/eval, one class per
photo) that the image-folder reader accepts, and a refused non-empty output."""

import numpy as np
import pytest
from absl import app

from an_tf.data import labelled_folder
from experiments import make_photo_folder
from tests.experiments.helpers import parse_flags


def test_writes_a_labelled_folder_with_train_and_eval(tmp_path):
    output = str(tmp_path / "photos")
    make_photo_folder.main(["make"], flag_values=parse_flags(
        make_photo_folder, f"--output={output}", "--train_per_class=2", "--eval_per_class=1",
        "--size=16"))
    names = labelled_folder.folder_class_names(output)
    assert names == sorted(make_photo_folder.PHOTOS)
    train = labelled_folder.scan_labelled_folder(output, "train")
    held_out = labelled_folder.scan_labelled_folder(output, "eval", names)
    assert len(train) == 2 * len(names) and len(held_out) == len(names)
    crops = [b["image"].numpy() for b in labelled_folder.labelled_dataset(train, 16)]
    assert np.std(crops[0]) > 0.05 and not np.array_equal(crops[0], crops[1])


def test_refuses_a_non_empty_output(tmp_path):
    (tmp_path / "x.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not empty"):
        make_photo_folder.main(["make"], flag_values=parse_flags(
            make_photo_folder, f"--output={tmp_path}"))
    with pytest.raises(app.UsageError, match="--output"):
        make_photo_folder.main(["make"], flag_values=parse_flags(make_photo_folder))
