"""experiments.inpaint_image: an odd-sized user image, and one-line errors."""

from absl import flags
import numpy as np
from PIL import Image
import pytest

from an_tf.inpainting import export
from experiments import inpaint_image
from tests.inpainting.helpers import tiny_generator


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("inpaint_image")
    export.export_generator(tiny_generator(), str(root / "model"))
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (37, 51, 3), dtype=np.uint8)).save(root / "photo.png")
    mask = np.zeros((37, 51), np.uint8)
    mask[10:20, 15:30] = 255
    Image.fromarray(mask).save(root / "mask.png")
    mask[0, 0] = 128
    Image.fromarray(mask).save(root / "gray_mask.png")
    Image.fromarray(np.zeros((36, 51), np.uint8)).save(root / "small_mask.png")
    (root / "broken.png").write_bytes(b"not an image")
    return root


def run(root, image="photo.png", mask="mask.png"):
    flag_values = flags.FlagValues()
    inpaint_image.define_flags(flag_values)
    flag_values(["inpaint_image", f"--export_dir={root / 'model'}", f"--image={root / image}",
                 f"--mask={root / mask}", f"--output={root / 'out.png'}"])
    inpaint_image.main(["inpaint_image"], flag_values=flag_values)


def test_completes_an_odd_sized_image(files):
    run(files)
    completed = np.asarray(Image.open(files / "out.png"))
    original = np.asarray(Image.open(files / "photo.png"))
    assert completed.shape == (37, 51, 3)
    known = np.ones((37, 51), bool)
    known[10:20, 15:30] = False
    np.testing.assert_array_equal(completed[known], original[known])


@pytest.mark.parametrize("image, mask, message", [
    ("photo.png", "gray_mask.png", "not binary"),
    ("photo.png", "small_mask.png", "51x36 but the image is 51x37"),
    ("broken.png", "mask.png", "cannot read image"),
    ("photo.png", "broken.png", "cannot read mask"),
])
def test_errors_are_one_line(files, image, mask, message):
    with pytest.raises(SystemExit) as error:
        run(files, image, mask)
    text = str(error.value.code)
    assert message in text and "\n" not in text
