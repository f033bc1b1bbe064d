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
    source = labelled_folder.LabelledFolderSource(output, 16)
    names = source.class_names()
    assert names == sorted(make_photo_folder.PHOTOS)
    train, held_out = source.images("train"), source.images("eval")
    assert len(train) == 2 * len(names) and len(held_out) == len(names)
    assert held_out.class_names == tuple(names)
    crops = [b["image"].numpy() for b in source.real_dataset("train")]
    assert np.std(crops[0]) > 0.05 and not np.array_equal(crops[0], crops[1])


def test_refuses_a_non_empty_output(tmp_path):
    (tmp_path / "x.txt").write_text("keep me")
    with pytest.raises(ValueError, match="not empty"):
        make_photo_folder.main(["make"], flag_values=parse_flags(
            make_photo_folder, f"--output={tmp_path}"))
    with pytest.raises(app.UsageError, match="--output"):
        make_photo_folder.main(["make"], flag_values=parse_flags(make_photo_folder))
