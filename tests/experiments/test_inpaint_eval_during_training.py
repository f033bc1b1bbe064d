"""experiments.inpaint --eval_every: PSNR/SSIM of the held-out images during training, as the
cGAN's (tests/experiments/test_eval_during_training.py): the training is unchanged (final
checkpoint bit-identical to the run without evaluation, straight or stopped and resumed),
metrics.jsonl and TensorBoard get every evaluation, the best checkpoint by --best_metric (in its
direction) is kept and read back by evaluate_inpaint and export_inpaint with --checkpoint=best."""

import json
import os

import pytest

from an_tf.inpainting import pipeline
from experiments import evaluate_inpaint, export_inpaint, inpaint
from tests.experiments.helpers import parse_flags
from tests.experiments.test_exact_resume import FIRST, _final_checkpoint, _flags, _straight, _train
from tests.training import state_checks
from tests.training.summary_reading import read_scalars

EVAL = ["--eval_every=1"]


def _records(workdir):
    """metrics.jsonl without its wall-clock fields."""
    with open(os.path.join(workdir, "metrics.jsonl"), encoding="utf-8") as stream:
        records = [json.loads(line) for line in stream]
    return [{k: v for k, v in record.items() if k not in ("time", "eval_seconds")}
            for record in records]


def _best(workdir):
    with open(os.path.join(workdir, "checkpoints", "best", "best.json"), encoding="utf-8") as file:
        return json.load(file)


_WITH_EVAL = {}


def _straight_with_eval(tmp_path_factory):
    if "workdir" not in _WITH_EVAL:
        workdir = str(tmp_path_factory.mktemp("inpaint_eval_straight"))
        _train("inpaint", workdir, *EVAL)
        _WITH_EVAL["workdir"] = workdir
    return _WITH_EVAL["workdir"]


def test_eval_does_not_change_the_training_and_keeps_the_best_psnr(tmp_path_factory):
    without = _straight("inpaint", tmp_path_factory)
    with_eval = _straight_with_eval(tmp_path_factory)
    count = state_checks.assert_same_checkpoints(_final_checkpoint(without),
                                                 _final_checkpoint(with_eval))
    assert count > 50
    records = _records(with_eval)
    assert [record["step"] for record in records] == [1, 2, 3, 4]
    for record in records:
        assert record["num_images"] == 2  # the two held-out package photos
        assert 0 < record["psnr"] < 100 and 0 < record["ssim"] <= 1 and record["l1"] > 0
        assert record["hole_psnr"] < record["psnr"]  # the known pixels are exact
        assert "coarse_psnr" in record and "coarse_hole_ssim" in record
        assert "layout_object_iou" not in record  # photos have no object masks
    assert len({record["psnr"] for record in records}) > 1  # the generator changed
    best = _best(with_eval)
    assert best["metric"] == "psnr" and best["value"] == max(r["psnr"] for r in records)
    assert best["step"] == max(records, key=lambda record: record["psnr"])["step"]
    tensorboard = os.path.join(with_eval, "tensorboard")
    assert [step for step, _ in read_scalars(tensorboard, "eval/psnr")] == [1, 2, 3, 4]


def test_eval_run_stopped_and_resumed_is_exact_and_its_metrics_consistent(tmp_path,
                                                                            tmp_path_factory):
    workdir = str(tmp_path)
    _train("inpaint", workdir, *EVAL, f"--train_steps={FIRST}")
    # As if the run had evaluated at step 3 and died before its next checkpoint.
    with open(os.path.join(workdir, "metrics.jsonl"), "a", encoding="utf-8") as stream:
        stream.write(json.dumps({"step": 3, "psnr": 99.0}) + "\n")
    _train("inpaint", workdir, *EVAL)
    straight = _straight_with_eval(tmp_path_factory)
    state_checks.assert_same_checkpoints(_final_checkpoint(straight), _final_checkpoint(workdir))
    assert _records(workdir) == _records(straight)
    assert _best(workdir) == _best(straight)


def test_best_checkpoint_is_read_back_by_evaluate_and_export(tmp_path, tmp_path_factory):
    workdir = _straight_with_eval(tmp_path_factory)
    best = _best(workdir)
    output = str(tmp_path / "best.json")
    results, _ = evaluate_inpaint.run(parse_flags(
        evaluate_inpaint, f"--workdir={workdir}", "--checkpoint=best", "--mask_types=center",
        f"--output={output}"))
    assert results["step"] == best["step"]
    # The training evaluation used the same images and masks (centre box: rect training masks).
    assert results["metrics"]["center"]["refined"]["psnr"] == pytest.approx(best["value"],
                                                                            rel=1e-5)
    export_dir = str(tmp_path / "export")
    export_inpaint.main(["export_inpaint"], flag_values=parse_flags(
        export_inpaint, f"--workdir={workdir}", "--checkpoint=best",
        f"--export_dir={export_dir}"))
    assert os.path.exists(os.path.join(export_dir, "saved_model.pb"))
    assert pipeline.restore_generator(workdir, checkpoint="best")[2] == best["step"]


def test_best_metric_direction_and_a_metric_that_is_no_result(tmp_path):
    workdir = str(tmp_path / "l1")
    _train("inpaint", workdir, "--eval_every=2", "--best_metric=hole_l1")
    records = _records(workdir)
    assert _best(workdir)["value"] == min(record["hole_l1"] for record in records)
    with pytest.raises(ValueError, match=r"^evaluation during training \(eval_every=2\): best "
                       r"metric 'fid' is not a result of the inpainting evaluation; choose "
                       r"among psnr, ssim"):
        inpaint.run(_flags("inpaint", str(tmp_path / "bad"), "--eval_every=2",
                           "--best_metric=fid"))
    assert not (tmp_path / "bad").exists()  # refused before anything was written
