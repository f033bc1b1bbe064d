"""The demo's handlers called directly (no server, no browser) on tiny exported models: the
results, the limits and the one-line messages for bad requests."""

import numpy as np
import pytest
from PIL import Image

from an_tf.demo import layouts, limits as limits_lib
from an_tf.demo.handlers import Handlers
from an_tf.demo.limits import DemoInputError, Limits
from an_tf.demo.masks import editor_value
from an_tf.ops.layout_palette import entity_colours
from tests.demo.conftest import CLASS_NAMES


@pytest.fixture(scope="module")
def handlers(exports, tmp_path_factory):
    from an_tf.demo.server import make_handlers
    limits = Limits(max_upload_mb=1, max_pixels=200_000, max_side=64, max_samples=6)
    return make_handlers(exports["inpaint"], exports["cgan"], limits,
                         str(tmp_path_factory.mktemp("demo_files")))


def write(path, picture):
    Image.fromarray(picture).save(path)
    return str(path)


@pytest.fixture()
def photo():
    return np.random.default_rng(0).integers(0, 256, (37, 45, 3), dtype=np.uint8)  # odd size


def test_complete_files_keeps_known_pixels_and_size(handlers, photo, tmp_path):
    mask = np.zeros(photo.shape[:2], np.uint8)
    mask[10:20, 5:30] = 255
    shown, coarse, refined, completed, layout, entities, path, note = handlers.complete_files(
        write(tmp_path / "a.png", photo), write(tmp_path / "m.png", mask))
    hole = mask > 0
    assert completed.shape == shown.shape == coarse.shape == refined.shape == photo.shape
    np.testing.assert_array_equal(completed[~hole], photo[~hole])
    assert (completed[hole] != photo[hole]).any(-1).mean() > 0.9
    assert (shown[hole] == 255).all() and note == ""
    np.testing.assert_array_equal(np.asarray(Image.open(path)), completed)
    assert layout.shape == photo.shape and len(entities) == 4  # tiny model: 4 entities


def test_editor_value_and_large_images_are_downscaled(handlers):
    image = np.full((100, 80, 3), 90, np.uint8)
    value = handlers.mask_value({"background": image, "layers": []}, "box")
    assert value["layers"][0][..., 3].astype(bool).sum() == 40 * 40  # centred box, half side
    outputs = handlers.complete_editor(value)
    assert outputs[3].shape == (64, 51, 3) and "downscaled to 51x64" in outputs[-1]
    strokes = handlers.mask_value({"background": image, "layers": []}, "free_form", 3)
    assert 0 < strokes["layers"][0][..., 3].astype(bool).mean() < 1


@pytest.mark.parametrize("content, message", [
    (b"", "empty"),
    (b"this is not an image", "not an image"),
    ("truncated", "damaged or truncated"),
    ("huge", "more than the limit of 200000 pixels"),
    ("big_file", "the limit is 1 MB"),
])
def test_bad_uploads_give_one_line_messages(handlers, photo, tmp_path, content, message):
    path = tmp_path / "upload.png"
    if content == "truncated":
        write(path, photo)
        path.write_bytes(path.read_bytes()[:200])
    elif content == "huge":  # 1000x1000: refused from the header, before decoding
        Image.new("L", (1000, 1000)).save(path)
    elif content == "big_file":
        path.write_bytes(b"\x89PNG" + bytes(1_100_000))
    else:
        path.write_bytes(content)
    mask = write(tmp_path / "m.png", np.full(photo.shape[:2], 255, np.uint8))
    with pytest.raises(DemoInputError, match=message) as error:
        handlers.complete_files(str(path), mask)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("fill, message", [(0, "covers nothing"), (255, "whole image")])
def test_masks_covering_nothing_or_everything_are_refused(handlers, photo, tmp_path, fill,
                                                          message):
    mask = write(tmp_path / "m.png", np.full(photo.shape[:2], fill, np.uint8))
    with pytest.raises(DemoInputError, match=message):
        handlers.complete_files(write(tmp_path / "a.png", photo), mask)


def test_generate_by_class_name_with_layouts(handlers):
    samples, maps = handlers.generate(CLASS_NAMES[2], 5, 3, 0.0)
    assert len(samples) == len(maps) == 3
    assert all(image.shape == (32, 32, 3) and image.dtype == np.uint8 for image, _ in samples)
    assert samples[0][1] == f"{CLASS_NAMES[2]} #0"
    again, _ = handlers.generate(CLASS_NAMES[2], 5, 3, 0.0)  # the seed decides
    np.testing.assert_array_equal(samples[1][0], again[1][0])
    other, _ = handlers.generate(CLASS_NAMES[0], 5, 3, 0.0)
    assert not np.array_equal(samples[0][0], other[0][0])
    truncated, _ = handlers.generate(CLASS_NAMES[2], 5, 3, 0.5)
    assert not np.array_equal(samples[0][0], truncated[0][0])


def test_interpolation_strip(handlers):
    strip, layout_strip = handlers.interpolate(CLASS_NAMES[0], CLASS_NAMES[3], 1, 5)
    assert strip.shape == layout_strip.shape == (96, 5 * 96, 3)  # 32x32 steps shown at 96x96


@pytest.mark.parametrize("call, message", [
    (lambda h: h.generate("dragon", 0, 2, 0.0), "unknown class 'dragon'"),
    (lambda h: h.generate(CLASS_NAMES[0], 0, 7, 0.0), "between 1 and 6"),
    (lambda h: h.generate(CLASS_NAMES[0], 0.5, 2, 0.0), "seed must be a whole number"),
    (lambda h: h.complete_editor(None), "upload an image"),
])
def test_bad_parameters(handlers, call, message):
    with pytest.raises(DemoInputError, match=message):
        call(handlers)


def test_layout_pictures():
    layout = np.zeros((2, 3, 4), np.float32)
    layout[0, :, 1] = 1.0  # entity 1 wins the first row, entity 0 the rest
    colours = layouts.argmax_colours(layout, 7, 11)  # crops a padded image's layout
    assert colours.shape == (7, 11, 3)
    assert (colours[:4] == entity_colours(1)).all() and (colours[4:] == entity_colours(0)).all()
    maps = layouts.entity_maps(layout, 7, 11)
    assert len(maps) == 4 and maps[1][0, 0].any() and not maps[1][-1, -1].any()


def test_limits_refuse_nonsense():
    with pytest.raises(ValueError, match="max_samples must be > 0"):
        limits_lib.Limits(max_samples=0)
