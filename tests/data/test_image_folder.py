"""The one image-folder scanner: one walk, the split rule, good files read (odd modes
converted), corrupt ones skipped and counted; crops."""

import os

import numpy as np
from PIL import Image
import pytest
import tensorflow as tf

from an_tf.data import image_folder
from tests.data.labelled_images import _pattern, save, write_odd_modes


def make_folder(root, sizes=((20, 30), (40, 24)), corrupt=True):
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for index, (height, width) in enumerate(sizes):
        pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
        Image.fromarray(pixels).save(root / f"good_{index}.png")
    Image.fromarray(rng.integers(0, 256, (16, 16), dtype=np.uint8)).save(root / "gray.jpg")
    Image.fromarray(rng.integers(0, 256, (12, 18, 3), dtype=np.uint8)).save(root / "photo.tiff")
    (root / "notes.txt").write_text("not an image")
    if corrupt:
        (root / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
        data = (root / "good_0.png").read_bytes()
        (root / "truncated.png").write_bytes(data[: len(data) // 2])
    return root


def test_skips_and_counts_unreadable_files(tmp_path, caplog):
    folder = make_folder(tmp_path / "images")
    checked = image_folder.scan_image_folder(str(folder))
    assert sorted(p.rsplit("/", 1)[1] for p in checked.skipped) == ["broken.png",
                                                                    "truncated.png"]
    assert [p.rsplit("/", 1)[1] for p in checked.paths] == ["good_0.png", "good_1.png",
                                                            "gray.jpg", "photo.tiff"]
    assert checked.converted == (False, False, False, True)  # TIFF: PNG bytes in memory
    images = list(image_folder.image_folder_dataset(str(folder)).as_numpy_iterator())
    assert sorted(i.shape for i in images) == sorted([(20, 30, 3), (40, 24, 3), (16, 16, 3),
                                                       (12, 18, 3)])
    assert all(i.dtype == np.uint8 for i in images)


def test_empty_or_missing_folder(tmp_path):
    with pytest.raises(ValueError, match="does not exist"):
        image_folder.FolderListing.of(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ValueError, match="no readable image"):
        image_folder.scan_image_folder(str(tmp_path / "empty"))


def test_odd_modes_decode_to_the_right_rgb(tmp_path):
    files = write_odd_modes(str(tmp_path))
    reference = _pattern(0, (48, 36)).astype(int)  # what every file was written from
    for kind, path in files.items():
        png, problem = image_folder.inspect_image(path)
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


def test_one_walk_lists_visible_images_in_walk_order(tmp_path):
    for name in ("b/2.png", "b/1.png", "a/z/deep.png", "a/top.jpg", "c.png", ".hidden/x.png",
                 "a/.x.png"):
        save(str(tmp_path / name), _pattern(0))
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.txt").write_text("not an image")
    listing = image_folder.FolderListing.of(str(tmp_path))
    relative = [os.path.relpath(p, tmp_path) for p in listing.image_paths()]
    assert relative == ["c.png", "a/top.jpg", "a/z/deep.png", "b/1.png", "b/2.png"]
    assert listing.subfolders() == ["a", "b", "notes"] and listing.subfolders("a") == ["z"]
    assert [os.path.relpath(p, tmp_path) for p in listing.image_paths("a", recursive=False)] == [
        "a/top.jpg"]
    # The same order as walking the subfolder itself (what the readers did before).
    assert listing.image_paths("a") == image_folder.FolderListing.of(
        str(tmp_path / "a")).image_paths()


@pytest.mark.parametrize("layout, train, held_out", [
    (("cat/1.png", "dog/1.png"), "", None),  # no train/ or eval/: all is training data
    (("train/cat/1.png", "eval/cat/1.png"), "train", "eval"),
    (("train/1.png", "README.txt"), "train", None),  # eval/ is optional; other files are fine
    (("train/1.png", ".cache/1.png"), "train", None),  # hidden folders are ignored
])
def test_the_split_rule(layout, train, held_out, tmp_path):
    for name in layout:
        save(str(tmp_path / name), _pattern(1)) if name.endswith(".png") else (
            (tmp_path / name).write_text("text"))
    listing = image_folder.FolderListing.of(str(tmp_path))
    assert listing.split_folder("train") == train and listing.split_folder("eval") == held_out


@pytest.mark.parametrize("layout, named", [
    (("train/1.png", "cat/1.png"), "cat/"),  # a class named train, or training data beside it?
    (("eval/1.png", "cat/1.png"), "cat/"),  # held-out images would be trained on
    (("eval/1.png",), "eval/"),  # no train/
    (("train/1.png", "stray.png"), "stray.png"),
])
def test_ambiguous_split_layouts_are_one_line_errors(layout, named, tmp_path):
    for name in layout:
        save(str(tmp_path / name), _pattern(1))
    listing = image_folder.FolderListing.of(str(tmp_path))
    for split in ("train", "eval"):
        with pytest.raises(ValueError, match="mixes a split layout|but no train/") as error:
            listing.split_folder(split)
        assert "\n" not in str(error.value) and named in str(error.value)


def test_crops():
    image = tf.constant(np.arange(50 * 60 * 3).reshape(50, 60, 3) % 256, tf.uint8)
    crop = image_folder.random_crop(image, 32, tf.constant([1, 2]))
    assert crop.shape == (32, 32, 3) and float(tf.reduce_min(crop)) >= -1.0
    np.testing.assert_array_equal(crop, image_folder.random_crop(image, 32, tf.constant([1, 2])))
    center = image_folder.center_crop(image, 32)
    expected = image.numpy()[9:41, 14:46].astype(np.float32) / 127.5 - 1
    np.testing.assert_allclose(center, expected, atol=1e-6)
    small = image_folder.center_crop(image[:10, :20], 32)  # upscaled first
    assert small.shape == (32, 32, 3)
    resized = image_folder.random_crop(image, 16, tf.constant([0, 0]), load_size=20)
    assert resized.shape == (16, 16, 3)
    np.testing.assert_array_equal(image_folder.to_uint8(expected), image.numpy()[9:41, 14:46])
