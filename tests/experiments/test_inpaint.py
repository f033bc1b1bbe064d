"""experiments.inpaint main() with the smoke flagfile, resume, and flag validation."""

import json
import os

from absl import flags
import pytest

from experiments import inpaint

from tests.experiments.helpers import CONFIGS
from tests.experiments.helpers import parse_flags

SMOKE = os.path.join(CONFIGS, "inpaint_smoke.cfg")


def parse(*args):
    return parse_flags(inpaint, f"--flagfile={SMOKE}", *args)


def test_smoke_flagfile_trains_resumes_and_writes_pictures(tmp_path, capsys):
    workdir = str(tmp_path / "run")
    inpaint.main(["inpaint"], flag_values=parse(f"--workdir={workdir}"))
    assert "trained to step 2" in capsys.readouterr().out
    for name in ("input", "coarse", "refined", "completed", "comparison", "layout_argmax",
                 "layout_entities"):
        assert os.path.exists(os.path.join(workdir, "images", name, "2.png")), name
    with open(os.path.join(workdir, "config.json")) as stream:
        assert json.load(stream)["hparams"]["attention"] == "an"
    result = inpaint.run(parse(f"--workdir={workdir}", "--train_steps=3"))
    assert result.step == 3  # resumed from the step-2 checkpoint, trained one more step
    assert os.path.exists(os.path.join(workdir, "checkpoints", "ckpt-3.index"))


@pytest.mark.parametrize("args, message", [
    (["--box_size=64"], "box_size"),
    (["--attention=contextual", "--image_size=36", "--box_size=16"], "multiple of 4"),
    (["--dataset=paris_streetview"], "manual_dir"),
    (["--dataset=image_folder"], "image_folder"),
    (["--stage2_input=add"], "stage2_input"),
    (["--max_crop_scale=0.5"], "max_crop_scale"),
    (["--max_dilation=-1"], "max_dilation"),
])
def test_invalid_flags_fail_in_one_line(tmp_path, args, message):
    with pytest.raises(flags.IllegalFlagValueError, match=message):
        parse(f"--workdir={tmp_path}", *args)
