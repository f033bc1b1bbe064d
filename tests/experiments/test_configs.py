"""Every flagfile in experiments/configs parses with its entry point's flags (validators included):
a renamed or removed flag, or a value out of range, fails here rather than for a user."""

import pathlib

import pytest

from experiments import cgan
from experiments import inpaint
from experiments import study_cgan
from tests.experiments.helpers import CONFIGS as CONFIG_DIR
from tests.experiments.helpers import parse_flags

CONFIGS = pathlib.Path(CONFIG_DIR).resolve()
ENTRY_POINTS = {"cgan": cgan, "inpaint": inpaint, "study": study_cgan}
# What the user supplies on the command line, as each flagfile's comment says.
COMMAND_LINE = {"inpaint_paris256.cfg": ["--manual_dir=/data/paris"]}


def entry_point(path):
    return ENTRY_POINTS[path.stem.split("_")[0]]


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.cfg")), ids=lambda p: p.name)
def test_flagfile_parses(path, tmp_path):
    flag_values = parse_flags(entry_point(path), f"--flagfile={path}", f"--workdir={tmp_path}",
                              *COMMAND_LINE.get(path.name, []))
    names = [line[2:].split("=")[0] for line in path.read_text().splitlines()
             if line.startswith("--")]
    assert names and all(flag_values[name].present for name in names)


def test_demo_flagfiles_use_the_embedded_data():
    for name in ("cgan_demo.cfg", "inpaint_demo.cfg", "inpaint_compare.cfg"):
        flag_values = parse_flags(entry_point(CONFIGS / name), f"--flagfile={CONFIGS / name}",
                                  "--workdir=/tmp/unused")
        assert flag_values["dataset"].value in ("synthetic", "procedural_scenes")
