"""experiments.evaluate_inpaint on a workdir holding a checkpoint of the smoke configuration."""

import json
import os

from absl import flags
import keras
import numpy as np
import pytest

from an_tf import training
from an_tf.inpainting import evaluation
from an_tf.inpainting import pipeline
from an_tf.training import checkpointing, run_dir
from an_tf.training.run_settings import record_run_settings
from experiments import evaluate_inpaint
from experiments import export_inpaint

HPARAMS = {"image_size": 32, "photo_shorter_side": 48, "box_size": 16, "channels": 4,
           "num_entities": 4, "critic_channels": 4, "eval_crops_per_image": 2, "seed": 0}


def make_workdir(path, mixed_precision=None):
    """A workdir as run_training leaves it (config.json + a checkpoint), without training."""
    workdir = str(path / "run")
    keras.config.set_dtype_policy(mixed_precision or "float32")
    model = pipeline.build_model(pipeline.InpaintingConfig.from_dict(HPARAMS))
    keras.config.set_dtype_policy("float32")
    config = training.TrainingConfig(workdir=workdir, train_steps=1, batch_size=2,
                                     mixed_precision=mixed_precision)
    record_run_settings(workdir, config, HPARAMS)
    training.Checkpointer(run_dir.checkpoint_directory(workdir),
                        **checkpointing.run_objects(model)).save(7)
    return workdir, model


def make_two_step_workdir(path, change):
    """make_workdir (step 7), then `change(variable)` applied to every trainable variable of the
    generator and saved as step 9; returns (workdir, model, the generator's weights at step 7)."""
    workdir, model = make_workdir(path)
    saved_at_7 = model.generator.get_weights()
    for variable in model.generator.trainable_variables:
        variable.assign(change(variable))
    training.Checkpointer(run_dir.checkpoint_directory(workdir),
                          **checkpointing.run_objects(model)).save(9)
    return workdir, model, saved_at_7


@pytest.fixture
def workdir(tmp_path):
    return make_workdir(tmp_path)[0]


def test_restores_a_mixed_precision_run_as_a_float32_generator(tmp_path):
    workdir, model = make_workdir(tmp_path, "mixed_float16")
    generator, config, step = pipeline.restore_generator(workdir)
    assert step == 7 and config.channels == 4 and generator.compute_dtype == "float32"
    for restored, saved in zip(generator.get_weights(), model.generator.get_weights()):
        np.testing.assert_array_equal(restored, saved)


def test_evaluation_writes_json_and_prints_a_table(workdir, capsys):
    flag_values = flags.FlagValues()
    evaluate_inpaint.define_flags(flag_values)
    flag_values(["evaluate_inpaint", f"--workdir={workdir}", "--batch_size=3"])
    evaluate_inpaint.main(["evaluate_inpaint"], flag_values=flag_values)
    printed = capsys.readouterr().out
    assert "step 7, package_photos (eval), 4 images" in printed
    assert "center     refined" in printed and "free_form  coarse" in printed
    with open(os.path.join(workdir, "eval_package_photos.json")) as stream:
        results = json.load(stream)
    for mask_type in ("center", "free_form"):
        for stage in ("coarse", "refined"):
            values = results["metrics"][mask_type][stage]
            assert set(values) == set(evaluation.NAMES)  # whole image and hole_*
            assert values["psnr"] > 0 and 0 < values["l2"] < values["l1"] < 1
            assert values["hole_psnr"] < values["psnr"] and values["hole_l1"] > values["l1"]
        refinement = results["metrics"][mask_type]["refinement"]["hole_psnr"]
        difference = (results["metrics"][mask_type]["refined"]["hole_psnr"]
                      - results["metrics"][mask_type]["coarse"]["hole_psnr"])
        assert refinement["images"] == 4 and 0 <= refinement["refined_better"] <= 4
        assert refinement["mean"] == pytest.approx(difference, abs=1e-9)  # mean of differences
        assert refinement["ci95"][0] <= refinement["mean"] <= refinement["ci95"][1]
    assert "refined − coarse per image" in printed


def test_refinement_statistics_are_paired_per_image():
    # Refined is 1 dB better on three images and 3 dB worse on one: mean 0, wins 3 of 4.
    values = {stage: {name: [] for name in evaluation.REFINEMENT_METRICS}
              for stage in evaluation.STAGES}
    for coarse, refined in [(20.0, 21.0), (15.0, 16.0), (30.0, 31.0), (25.0, 22.0)]:
        for name in evaluation.REFINEMENT_METRICS:
            values["coarse"][name].append(coarse)
            values["refined"][name].append(refined)
    statistics = evaluation.refinement_statistics(values)
    psnr = statistics["hole_psnr"]
    assert psnr["mean"] == 0.0 and psnr["refined_better"] == 3 and psnr["images"] == 4
    low, high = psnr["ci95"]  # bootstrap of the differences (1, 1, 1, -3): within [-3, 1]
    assert -3.0 <= low < 0.0 < high <= 1.0
    assert statistics["hole_l1"]["refined_better"] == 1  # lower is better for L1


def test_evaluation_on_the_training_images(workdir, capsys):
    flag_values = flags.FlagValues()
    evaluate_inpaint.define_flags(flag_values)
    flag_values(["evaluate_inpaint", f"--workdir={workdir}", "--split=train",
                 "--mask_types=center"])
    evaluate_inpaint.main(["evaluate_inpaint"], flag_values=flag_values)
    assert "package_photos (train), 22 images" in capsys.readouterr().out  # 11 photos x 2 crops
    assert os.path.exists(os.path.join(workdir, "eval_package_photos_train.json"))


def test_missing_workdir_is_explained(tmp_path):
    with pytest.raises(FileNotFoundError, match="config.json not found: --workdir must be a "
                       "training run directory"):
        pipeline.restore_generator(str(tmp_path))


def test_evaluation_on_procedural_scenes_scores_the_layout(workdir, capsys):
    flag_values = flags.FlagValues()
    evaluate_inpaint.define_flags(flag_values)
    flag_values(["evaluate_inpaint", f"--workdir={workdir}", "--dataset=procedural_scenes",
                 "--eval_scenes=3", "--mask_types=center"])
    evaluate_inpaint.main(["evaluate_inpaint"], flag_values=flag_values)
    printed = capsys.readouterr().out
    assert "procedural_scenes (eval), 3 images" in printed
    assert "AN layout, best entity IoU with the objects" in printed
    with open(os.path.join(workdir, "eval_procedural_scenes.json")) as stream:
        layout = json.load(stream)["metrics"]["center"]["layout"]
    assert 0.0 <= layout["layout_object_iou"] <= 1.0 and 0.0 < layout["object_fraction"] < 1.0


def test_checkpoint_flag_chooses_the_step_to_evaluate_and_export(tmp_path, capsys):
    workdir, model, saved_at_7 = make_two_step_workdir(tmp_path, lambda v: v + 1.0)
    for which, step, expected in (("latest", 9, model.generator.get_weights()),
                                  ("7", 7, saved_at_7)):
        generator, _, restored_step = pipeline.restore_generator(workdir, checkpoint=which)
        assert restored_step == step
        for restored, saved in zip(generator.get_weights(), expected):
            np.testing.assert_array_equal(restored, saved)

    flag_values = flags.FlagValues()
    evaluate_inpaint.define_flags(flag_values)
    flag_values(["evaluate_inpaint", f"--workdir={workdir}", "--checkpoint=7",
                 "--mask_types=center", f"--output={tmp_path / 'eval.json'}"])
    evaluate_inpaint.main(["evaluate_inpaint"], flag_values=flag_values)
    assert capsys.readouterr().out.startswith("step 7,")

    flag_values = flags.FlagValues()
    export_inpaint.define_flags(flag_values)
    flag_values(["export", f"--workdir={workdir}", f"--export_dir={tmp_path / 'export'}",
                 "--checkpoint=8"])
    with pytest.raises(FileNotFoundError, match=r"available: latest \(step 9\), steps 7, 9"):
        export_inpaint.main(["export"], flag_values=flag_values)
