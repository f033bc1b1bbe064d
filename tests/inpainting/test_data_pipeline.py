"""an_tf.inpainting.data_pipeline's folder reader: the shared scanner's split rule (the same as
the cGAN's labelled folders), walk order, odd formats converted, and one-line refusals."""

import os

import pytest

from an_tf.inpainting import data_pipeline
from tests.data.labelled_images import _pattern, save


def _write(root, names, size=(40, 30)):
    for index, name in enumerate(names):
        save(os.path.join(root, name), _pattern(index, size))


def _names(records, root):
    return [os.path.relpath(value, root) if is_path else "<png>"
            for value, is_path in zip(records.values, records.is_path)]


def _records(root, split):
    return data_pipeline.source_records("image_folder", split, folder=str(root))


def test_split_layout_reads_train_and_eval(tmp_path):
    _write(tmp_path, ["train/b.png", "train/a/x.jpg", "eval/e.png", ".hidden/h.png"])
    assert _names(_records(tmp_path, "train"), tmp_path) == ["train/b.png", "train/a/x.jpg"]
    assert _names(_records(tmp_path, "eval"), tmp_path) == ["eval/e.png"]


def test_without_a_split_layout_every_image_trains_and_evaluates(tmp_path):
    _write(tmp_path, ["street/1.png", "park/2.png", "3.tiff", ".git/4.png"])
    expected = ["<png>", "park/2.png", "street/1.png"]  # walk order; TIFF converted to PNG
    assert _names(_records(tmp_path, "train"), tmp_path) == expected
    assert _names(_records(tmp_path, "eval"), tmp_path) == expected  # no held-out images


def test_train_only_evaluates_on_the_training_images(tmp_path):
    _write(tmp_path, ["train/1.png", "train/2.png"])
    assert _names(_records(tmp_path, "eval"), tmp_path) == ["train/1.png", "train/2.png"]


@pytest.mark.parametrize("names, match", [
    (["train/1.png", "photos/2.png"], "mixes a split layout"),  # before: photos/ never read
    (["eval/1.png", "photos/2.png"], "mixes a split layout"),  # before: eval/ trained on
    (["train/1.png", "3.png"], "mixes a split layout"),
    (["eval/1.png"], "no train/"),
])
def test_ambiguous_folders_are_one_line_errors(names, match, tmp_path):
    _write(tmp_path, names)
    for split in ("train", "eval"):
        with pytest.raises(ValueError, match=match) as error:
            _records(tmp_path, split)
        assert "\n" not in str(error.value)


def test_decoded_records(tmp_path):
    _write(tmp_path, ["a.png", "b.webp"], size=(20, 12))
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")  # skipped, warned
    records = _records(tmp_path, "train")
    assert records.is_path == (True, False)
    images = list(data_pipeline.source_images(records).as_numpy_iterator())
    assert [image.shape for image in images] == [(12, 20, 3)] * 2
