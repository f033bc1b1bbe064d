"""experiments.cgan --eval_every: an evaluation never changes the training (final checkpoint
bit-identical to the same run without it, straight or stopped and resumed), metrics.jsonl is the
history of the weights on disk after a resume, the best checkpoint is kept and can be read back
with --checkpoint=best; --eval_every without any metric is one line before any training."""

import json
import os

import numpy as np
import pytest
from PIL import Image

from experiments import cgan, export_cgan, figures
from tests.experiments.helpers import parse_flags
from tests.experiments.test_exact_resume import FIRST, _final_checkpoint, _straight, _train
from tests.training import state_checks

# Tiny evaluation: 16 samples, 32 real images, a 1-epoch shapes classifier on 64 images.
EVAL = ["--eval_every=2", "--eval_num_samples=16", "--eval_num_real_examples=32",
        "--eval_batch_size=16", "--classifier_train_examples=64", "--classifier_epochs=1"]


def _eval_flags(tmp_path_factory):
    return [*EVAL, f"--classifier_dir={tmp_path_factory.getbasetemp() / 'eval_classifier'}"]


def _records(workdir):
    """metrics.jsonl without its wall-clock fields."""
    with open(os.path.join(workdir, "metrics.jsonl"), encoding="utf-8") as stream:
        records = [json.loads(line) for line in stream]
    return [{k: v for k, v in record.items() if k not in ("time", "eval_seconds")}
            for record in records]


_WITH_EVAL = {}


def _straight_with_eval(tmp_path_factory):
    if "workdir" not in _WITH_EVAL:
        workdir = str(tmp_path_factory.mktemp("cgan_eval_straight"))
        _train("cgan", workdir, *_eval_flags(tmp_path_factory))
        _WITH_EVAL["workdir"] = workdir
    return _WITH_EVAL["workdir"]


def test_eval_does_not_change_the_training(tmp_path_factory):
    without = _straight("cgan", tmp_path_factory)
    with_eval = _straight_with_eval(tmp_path_factory)
    count = state_checks.assert_same_checkpoints(_final_checkpoint(without),
                                                 _final_checkpoint(with_eval))
    assert count > 50
    records = _records(with_eval)
    assert [record["step"] for record in records] == [2, 4]
    for record in records:
        assert record["fd"] >= 0 and 0 <= record["accuracy"] <= 1
        assert 0 <= record["classifier_accuracy"] <= 1 and record["num_samples"] == 16
    assert records[0]["fd"] != records[1]["fd"]  # the generator changed between them
    best = json.load(open(os.path.join(with_eval, "checkpoints", "best", "best.json")))
    assert best["metric"] == "fd"
    assert best["value"] == min(record["fd"] for record in records)
    assert best["step"] == min(records, key=lambda record: record["fd"])["step"]


@pytest.mark.slow  # --runslow; kept out of the default suite for its time budget
def test_eval_run_stopped_and_resumed_is_exact_and_its_metrics_consistent(tmp_path,
                                                                            tmp_path_factory):
    workdir = str(tmp_path)
    eval_flags = _eval_flags(tmp_path_factory)
    _train("cgan", workdir, *eval_flags, f"--train_steps={FIRST}")
    # As if the run had evaluated at step 3 and died before its next checkpoint: on resume
    # from step 2 that line describes weights that no longer exist and must go.
    with open(os.path.join(workdir, "metrics.jsonl"), "a", encoding="utf-8") as stream:
        stream.write(json.dumps({"step": 3, "fd": 0.0}) + "\n")
    _train("cgan", workdir, *eval_flags)
    straight = _straight_with_eval(tmp_path_factory)
    state_checks.assert_same_checkpoints(_final_checkpoint(straight), _final_checkpoint(workdir))
    assert _records(workdir) == _records(straight)


def test_best_checkpoint_is_read_back_by_the_tools(tmp_path, tmp_path_factory):
    workdir = _straight_with_eval(tmp_path_factory)
    best = json.load(open(os.path.join(workdir, "checkpoints", "best", "best.json")))
    flag_values = parse_flags(export_cgan, f"--workdir={workdir}",
                              f"--export_dir={tmp_path / 'export'}", "--checkpoint=best")
    export_cgan.main(["export_cgan"], flag_values=flag_values)
    assert os.path.exists(tmp_path / "export" / "saved_model.pb")
    output = tmp_path / "layout.png"
    figures.main(["figures"], flag_values=parse_flags(
        figures, f"--workdir={workdir}", "--checkpoint=best", f"--output={output}"))
    assert np.asarray(Image.open(output)).ndim == 3
    # The best checkpoint holds the weights of its step, as the rotating one of that step.
    state_checks.assert_same_checkpoints(
        os.path.join(workdir, "checkpoints", "best", f"ckpt-{best['step']}"),
        os.path.join(workdir, "checkpoints", f"ckpt-{best['step']}"))


def test_eval_every_without_any_metric_is_one_line_before_training(tmp_path):
    workdir = tmp_path / "run"
    flag_values = parse_flags(cgan, "--flagfile=" + os.path.join(
        os.path.dirname(__file__), "..", "..", "experiments", "configs", "cgan_smoke.cfg"),
        f"--workdir={workdir}", "--num_classes=1", "--eval_every=2")
    with pytest.raises(ValueError, match=r"^evaluation during training \(eval_every=2\): .*at "
                       "least 2 classes") as error:
        cgan.main(["cgan"], flag_values=flag_values)
    assert "\n" not in str(error.value) and "--inception_path" in str(error.value)
    assert not workdir.exists()  # refused before anything was written


def test_eval_every_with_a_missing_inception_file_is_one_line(tmp_path):
    flag_values = parse_flags(cgan, "--flagfile=" + os.path.join(
        os.path.dirname(__file__), "..", "..", "experiments", "configs", "cgan_smoke.cfg"),
        f"--workdir={tmp_path / 'run'}", "--eval_every=2",
        f"--inception_path={tmp_path / 'missing.pb'}")
    with pytest.raises(ValueError, match="file not found") as error:
        cgan.main(["cgan"], flag_values=flag_values)
    assert "\n" not in str(error.value)
    assert not (tmp_path / "run").exists()
