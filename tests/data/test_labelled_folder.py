"""an_tf.data.labelled_folder: layouts, odd image modes, skipped files, one-line errors, and an
index-based stream that resumes exactly with deterministic augmentation."""

import os

import numpy as np
import pytest
import tensorflow as tf
from absl import logging
from PIL import Image

from an_tf.data import labelled_folder as lf
from tests.data.labelled_images import _pattern, save, write_folder, write_odd_modes


def test_odd_modes_decode_to_the_right_rgb(tmp_path):
    files = write_odd_modes(str(tmp_path))
    reference = _pattern(0, (48, 36)).astype(int)  # what every file was written from
    for kind, path in files.items():
        png, problem = lf.inspect_image(path)
        assert problem is None, kind
        native = kind in ("gray_png", "rgb_jpeg")
        assert (png is None) == native, kind  # the odd ones go through Pillow
        data = png if png is not None else open(path, "rb").read()
        image = tf.io.decode_image(data, channels=3, expand_animations=False).numpy().astype(int)
        assert image.shape == (36, 48, 3), kind
        if kind in ("gray16_png",):
            expected = np.repeat(reference[..., :1], 3, axis=-1)  # written as red * 257
        elif kind in ("gray_png", "la_png"):
            expected = np.repeat(np.asarray(Image.fromarray(reference.astype(np.uint8))
                                            .convert("L"), int)[..., None], 3, axis=-1)
        else:
            expected = reference
        tolerance = 40 if kind == "palette_gif" else 8  # GIF: 256 colours; JPEG/WebP: lossy
        assert np.abs(image - expected).mean() < tolerance, kind


def test_layouts_nested_classes_and_train_eval(tmp_path):
    write_folder(str(tmp_path / "flat"), classes=("b", "a"), per_class=2)
    save(str(tmp_path / "flat" / "a" / "deeper" / "x" / "n.png"), _pattern(9))
    save(str(tmp_path / "flat" / ".hidden" / "h.png"), _pattern(8))
    images = lf.scan_labelled_folder(str(tmp_path / "flat"))
    assert images.class_names == ("a", "b") and images.labels == (0, 0, 0, 1, 1)
    write_folder(str(tmp_path / "split" / "train"), classes=("x", "y"), per_class=2)
    write_folder(str(tmp_path / "split" / "eval"), classes=("y",), per_class=2)
    root = str(tmp_path / "split")
    assert lf.folder_class_names(root) == ["x", "y"]
    held_out = lf.scan_labelled_folder(root, "eval", ["x", "y"])
    assert held_out.labels == (1, 1) and len(lf.scan_labelled_folder(root)) == 4
    write_folder(str(tmp_path / "one"), classes=("only",), per_class=2)
    single = lf.scan_labelled_folder(str(tmp_path / "one" / "only"))  # no subfolders: one class
    assert single.class_names == ("only",) and len(single) == 2
    with pytest.raises(ValueError, match="no eval split"):
        lf.scan_labelled_folder(str(tmp_path / "flat"), "eval")


def test_unreadable_and_empty_files_are_skipped_with_one_warning_each(tmp_path, monkeypatch):
    write_folder(str(tmp_path), per_class=2)
    open(tmp_path / "cat" / "empty.jpg", "wb").close()
    (tmp_path / "dog" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 40)
    warnings = []
    monkeypatch.setattr(logging, "warning", lambda *args: warnings.append(args[0] % args[1:]))
    images = lf.scan_labelled_folder(str(tmp_path))
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
        lf.scan_labelled_folder(root)
    assert "\n" not in str(error.value)


def _batches(images, start, count, **augment):
    stream = lf.labelled_stream(images, 32, seed=3, start=start, **augment)
    return [batch["image"].numpy() for batch in stream.batch(3).take(count)]


def test_stream_resumes_exactly_with_deterministic_augmentation(tmp_path):
    write_folder(str(tmp_path), classes=("a", "b", "c"), per_class=3, size=(50, 37))
    images = lf.scan_labelled_folder(str(tmp_path))
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
    before = lf.folder_identity(str(tmp_path))
    assert lf.folder_identity(str(tmp_path)) == before
    save(paths["cat"][0], _pattern(77))
    os.utime(paths["cat"][0], ns=(1, 1))
    assert lf.folder_identity(str(tmp_path)) != before
