"""experiments.figures: Figures 4/5 and 9 from the smoke run's workdir; the table functions."""

import numpy as np
import pytest
from absl import flags
from PIL import Image

from an_tf.cgan import visualize
from tests.cgan.helpers import smoke_workdir, tiny_generator


def _figures(*args):
    from experiments import figures

    flag_values = flags.FlagValues()
    figures.define_flags(flag_values)
    flag_values(["figures", *args])
    figures.main(["figures"], flag_values=flag_values)


@pytest.mark.parametrize("figure, rows, cols", [("layout", 2 * 3, 2), ("entities", 2 * 3, 5),
                                                ("interpolation", 3, 4)])
def test_figures_from_a_workdir(tmp_path_factory, tmp_path, figure, rows, cols):
    workdir = smoke_workdir(tmp_path_factory)
    output = tmp_path / f"{figure}.png"
    _figures(f"--workdir={workdir}", f"--figure={figure}", "--classes=0,3", "--seeds=0,1,2",
             "--first_class=1", "--second_class=2", "--num_steps=4", f"--output={output}")
    picture = np.asarray(Image.open(output))
    assert picture.shape == (rows * 34 - 2, cols * 34 - 2, 3)  # 32x32 tiles, 2-pixel padding


def test_layout_table_shows_the_argmax_layout():
    generator = tiny_generator()
    z = np.random.default_rng(0).standard_normal((2, 8)).astype(np.float32)
    labels = np.array([0, 1], np.int32)
    table = visualize.layout_table(generator, z, labels)
    images, layouts = generator(z, labels, training=False, return_layouts=True)
    np.testing.assert_allclose(table[:, 0], images.numpy(), atol=1e-6)
    layout = layouts["up_block_32_an"].numpy()
    expected = visualize.layout_pictures(layout)["argmax"]  # layout already at 32x32
    np.testing.assert_array_equal(table[:, 1], expected)
    entities = visualize.entity_table(generator, z, labels)
    assert entities.shape == (2, 1 + 4, 32, 32, 3)


def test_generator_without_an_fails_with_one_line():
    with pytest.raises(ValueError, match="no AN layer"):
        visualize.layout_table(tiny_generator(attention="none"), np.zeros((1, 8), np.float32),
                               np.zeros(1, np.int32))


def test_class_out_of_range_is_one_line(tmp_path_factory):
    with pytest.raises(SystemExit, match="classes of this 4-class run"):
        _figures(f"--workdir={smoke_workdir(tmp_path_factory)}", "--classes=9")


def test_checkpoint_by_step_and_a_missing_one(tmp_path_factory, tmp_path, capsys):
    workdir = smoke_workdir(tmp_path_factory)
    _figures(f"--workdir={workdir}", "--checkpoint=2", "--classes=0", f"--output={tmp_path}/a.png")
    assert "figure of step 2" in capsys.readouterr().out
    with pytest.raises(SystemExit, match=r"no '5' checkpoint .*steps 2$"):
        _figures(f"--workdir={workdir}", "--checkpoint=5")
