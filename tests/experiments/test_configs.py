"""Every flagfile in experiments/configs parses with its entry point's flags (validators included):
a renamed or removed flag, or a value out of range, fails here rather than for a user."""

import pathlib

from absl import flags
import pytest

from experiments import cgan
from experiments import inpaint
from experiments import study_cgan

CONFIGS = pathlib.Path(__file__).resolve().parents[2] / "experiments" / "configs"
ENTRY_POINTS = {"cgan": cgan, "inpaint": inpaint, "study": study_cgan}
# What the user supplies on the command line, as each flagfile's comment says.
COMMAND_LINE = {"inpaint_paris256.cfg": ["--manual_dir=/data/paris"]}


def entry_point(path):
    return ENTRY_POINTS[path.stem.split("_")[0]]


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.cfg")), ids=lambda p: p.name)
def test_flagfile_parses(path, tmp_path):
    flag_values = flags.FlagValues()
    entry_point(path).define_flags(flag_values)
    flag_values([path.stem, f"--flagfile={path}", f"--workdir={tmp_path}",
                 *COMMAND_LINE.get(path.name, [])])
    assert flag_values["workdir"].value == str(tmp_path)


def test_demo_flagfiles_use_the_embedded_data():
    for name in ("cgan_demo.cfg", "inpaint_demo.cfg", "inpaint_compare.cfg"):
        flag_values = flags.FlagValues()
        entry_point(CONFIGS / name).define_flags(flag_values)
        flag_values(["x", f"--flagfile={CONFIGS / name}", "--workdir=/tmp/unused"])
        assert flag_values["dataset"].value in ("synthetic", "procedural_scenes")
