"""an_tf.data.labelled_folder: layouts (and the split rule), skipped files, one-line errors, and
an index-based stream that resumes exactly with deterministic augmentation."""

import os

import numpy as np
import pytest
from absl import logging

from an_tf.data import labelled_folder as lf
from tests.data.labelled_images import _pattern, save, write_folder


def _images(directory, split="train"):
    return lf.LabelledFolderSource(directory, 32).images(split)


def test_layouts_nested_classes_and_train_eval(tmp_path):
    write_folder(str(tmp_path / "flat"), classes=("b", "a"), per_class=2)
    save(str(tmp_path / "flat" / "a" / "deeper" / "x" / "n.png"), _pattern(9))
    save(str(tmp_path / "flat" / ".hidden" / "h.png"), _pattern(8))
    images = _images(str(tmp_path / "flat"))
    assert images.class_names == ("a", "b") and images.labels == (0, 0, 0, 1, 1)
    write_folder(str(tmp_path / "split" / "train"), classes=("x", "y"), per_class=2)
    write_folder(str(tmp_path / "split" / "eval"), classes=("y",), per_class=2)
    split = lf.LabelledFolderSource(str(tmp_path / "split"), 32)
    assert split.class_names() == ["x", "y"]
    held_out = split.images("eval")
    assert held_out.labels == (1, 1) and len(split.images()) == 4
    write_folder(str(tmp_path / "one"), classes=("only",), per_class=2)
    single = _images(str(tmp_path / "one" / "only"))  # no subfolders: one class
    assert single.class_names == ("only",) and len(single) == 2
    with pytest.raises(ValueError, match="no eval split"):
        _images(str(tmp_path / "flat"), "eval")
    write_folder(str(tmp_path / "split" / "eval"), classes=("z",), per_class=2)
    with pytest.raises(ValueError, match="not among the training classes"):
        lf.LabelledFolderSource(str(tmp_path / "split"), 32).images("eval")


@pytest.mark.parametrize("extra", ["cat", "eval_only", "loose"])
def test_ambiguous_split_layouts_are_one_line_errors(extra, tmp_path):
    """A class named train or eval beside other classes, eval/ without train/, or an image
    beside train/: nothing is guessed (the rule of an_tf.data.image_folder)."""
    root = str(tmp_path / "data")
    if extra == "eval_only":
        write_folder(root, classes=("eval", "cat"), per_class=2)
    else:
        write_folder(root, classes=("train", "eval"), per_class=2)
        if extra == "cat":
            write_folder(root, classes=("cat",), per_class=2)
        else:
            save(os.path.join(root, "stray.png"), _pattern(5))
    source = lf.LabelledFolderSource(root, 32)
    with pytest.raises(ValueError, match="mixes a split layout") as error:
        source.class_names()
    assert "\n" not in str(error.value)
    with pytest.raises(ValueError, match="mixes a split layout"):
        source.prepare()


def test_unreadable_and_empty_files_are_skipped_with_one_warning_each(tmp_path, monkeypatch):
    write_folder(str(tmp_path), per_class=2)
    open(tmp_path / "cat" / "empty.jpg", "wb").close()
    (tmp_path / "dog" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 40)
    warnings = []
    monkeypatch.setattr(logging, "warning", lambda *args: warnings.append(args[0] % args[1:]))
    images = _images(str(tmp_path))
    assert len(images) == 4 and images.labels == (0, 0, 1, 1)
    assert len(warnings) == 2 and all("skipped image" in w for w in warnings)


@pytest.mark.parametrize("make, match", [
    (lambda root: None, "does not exist"),
    (lambda root: os.makedirs(root), "no image files"),
    (lambda root: save(os.path.join(root, "a.png"), _pattern(0)), "1 readable image"),
    (lambda root: (write_folder(root), os.makedirs(os.path.join(root, "empty_class"))),
     "empty_class"),
    (lambda root: (write_folder(root), open(os.path.join(root, "dog", "x.jpg"), "w").close(),
                   [os.remove(p) for p in write_folder(root, ("dog",))["dog"]]), "dog"),
])
def test_bad_folders_are_one_line_errors(make, match, tmp_path):
    root = str(tmp_path / "data")
    make(root)
    with pytest.raises(ValueError, match=match) as error:
        lf.LabelledFolderSource(root, 32).prepare()
    assert "\n" not in str(error.value)


def _batches(images, start, count, **augment):
    stream = lf.labelled_stream(images, 32, seed=3, start=start, **augment)
    return [batch["image"].numpy() for batch in stream.batch(3).take(count)]


def test_stream_resumes_exactly_with_deterministic_augmentation(tmp_path):
    write_folder(str(tmp_path), classes=("a", "b", "c"), per_class=3, size=(50, 37))
    images = _images(str(tmp_path))
    augment = {"random_crop": True, "random_flip": True}
    straight = _batches(images, 0, 7, **augment)  # 21 examples: more than two epochs of 9
    resumed = _batches(images, 4 * 3, 3, **augment)  # step 4 of batch 3
    for expected, actual in zip(straight[4:], resumed):
        np.testing.assert_array_equal(expected, actual)
    np.testing.assert_array_equal(np.concatenate(straight), np.concatenate(
        _batches(images, 0, 7, **augment)))  # the same seed: the same crops
    plain = _batches(images, 0, 7)
    assert not np.array_equal(np.concatenate(straight), np.concatenate(plain))
    # An image seen in two epochs is cropped differently (position-keyed seeds), not the same.
    labels = [int(b["label"]) for b in lf.labelled_stream(images, 32, 3, **augment).take(18)]
    assert sorted(labels[:9]) == sorted(labels[9:]) == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_identity_changes_with_the_files(tmp_path):
    paths = write_folder(str(tmp_path), per_class=2)
    before = lf.LabelledFolderSource(str(tmp_path), 32).identity()
    assert lf.LabelledFolderSource(str(tmp_path), 32).identity() == before
    save(paths["cat"][0], _pattern(77))
    os.utime(paths["cat"][0], ns=(1, 1))
    assert lf.LabelledFolderSource(str(tmp_path), 32).identity() != before
