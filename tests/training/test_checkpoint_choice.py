"""resolve_checkpoint (--checkpoint=latest|best|<step>) and restore_model_for_export's
checkpoint= argument; one-line errors listing what exists."""

import json
import os

import numpy as np
import pytest

from an_tf import training
from an_tf.training import checkpointing, run_dir
from an_tf.training.checkpoint_choice import available_checkpoints, resolve_checkpoint
from an_tf.training.run_dir import best_directory
from tests.training import toy_model


def _workdir_with_checkpoints(tmp_path, steps=(2, 4), best_step=None):
    """Checkpoints of the toy model at `steps` (weights = step), and a best one if asked."""
    model = toy_model.build_toy_model()
    objects = checkpointing.run_objects(model)
    rotating = checkpointing.Checkpointer(run_dir.checkpoint_directory(str(tmp_path)),
                                          **objects)
    for step in steps:
        model.output_layer.bias.assign([float(step)])
        rotating.save(step)
        if step == best_step:
            checkpointing.Checkpointer(best_directory(str(tmp_path)), max_to_keep=1,
                                       **objects).save(step)
            with open(os.path.join(best_directory(str(tmp_path)), "best.json"), "w") as stream:
                json.dump({"step": step, "metric": "fd", "value": 1.5}, stream)
    return str(tmp_path)


def test_latest_best_and_step(tmp_path):
    workdir = _workdir_with_checkpoints(tmp_path, best_step=2)
    assert resolve_checkpoint(workdir).endswith(os.path.join("checkpoints", "ckpt-4"))
    assert resolve_checkpoint(workdir, "best").endswith(os.path.join("best", "ckpt-2"))
    assert resolve_checkpoint(workdir, 2).endswith(os.path.join("checkpoints", "ckpt-2"))
    assert available_checkpoints(workdir) == ("latest (step 4), best (step 2, fd 1.5), "
                                              "steps 2, 4")
    for which, expected_bias in (("latest", 4.0), ("best", 2.0), ("2", 2.0)):
        model = toy_model.build_toy_model()
        step = training.restore_model_for_export(workdir, model, checkpoint=which)
        assert step == expected_bias
        np.testing.assert_array_equal(model.output_layer.bias.numpy(), [expected_bias])


@pytest.mark.parametrize("which, message", [
    ("best", r"no 'best' checkpoint .*--eval_every\); available: latest \(step 4\), steps 2, 4"),
    ("3", r"no '3' checkpoint .*available: latest \(step 4\), steps 2, 4"),
])
def test_missing_checkpoint_is_one_line_listing_what_exists(tmp_path, which, message):
    workdir = _workdir_with_checkpoints(tmp_path)
    with pytest.raises(FileNotFoundError, match=message) as error:
        training.restore_model_for_export(workdir, toy_model.build_toy_model(), checkpoint=which)
    assert "\n" not in str(error.value)


def test_malformed_choice_is_one_line(tmp_path):
    workdir = _workdir_with_checkpoints(tmp_path)
    with pytest.raises(ValueError, match="latest, best or a step number"):
        resolve_checkpoint(workdir, "newest")
