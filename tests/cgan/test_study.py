"""an_tf.cgan.study: a study's runs planned as arm configs, and launched in their own processes."""

import dataclasses
import json

import pytest

from an_tf import training
from an_tf.cgan import pipeline, study

HPARAMS = {"dataset": "synthetic", "resolution": 32, "num_classes": 4, "z_dim": 8, "channels": 4,
           "num_entities": 4, "embedding_dim": 4, "d_an_resolutions": [16]}


def _runs(root, arms=("an", "an_orthogonal_init"), seeds=(0,), **training_options):
    config = training.TrainingConfig(workdir="unused", train_steps=2, batch_size=4,
                                     export_dir="/tmp/export", **training_options)
    return study.plan_runs(str(root), arms, seeds, config, HPARAMS, study.StudyEvaluation())


def test_runs_are_the_arms_configs_and_json_round_trips(tmp_path):
    run = _runs(tmp_path, seeds=(3,))[1]
    assert run.workdir == str(tmp_path / "an_orthogonal_init" / "seed3")
    assert run.training["seed"] == 3 and run.training["export_dir"] is None
    config = pipeline.cgan_config_from_hparams(run.hparams)
    assert (config.attention, config.entity_init, config.ssr) == ("an", "orthogonal", True)
    assert study.StudyRun(**json.loads(json.dumps(dataclasses.asdict(run)))) == run


def test_unknown_arm_is_refused(tmp_path):
    with pytest.raises(ValueError, match=r"unknown arms \['bogus'\]"):
        _runs(tmp_path, arms=("an", "bogus"))


def test_finished_runs_are_not_launched_again(tmp_path, monkeypatch):
    runs = _runs(tmp_path)
    (tmp_path / "an" / "seed0").mkdir(parents=True)
    (tmp_path / "an" / "seed0" / study.RESULT_FILE).write_text('{"arm": "an"}')
    launched = []
    monkeypatch.setattr(study, "_load_classifier", lambda run: None)
    monkeypatch.setattr(study, "_run_in_child",
                        lambda run, to_log, environment: launched.append(run.arm) or 0)
    study.run_all(runs, jobs=2)
    assert launched == ["an_orthogonal_init"]
    assert study.read_result(runs[0].workdir) == {"arm": "an"}


def test_an_environment_needs_isolated_runs(tmp_path):
    with pytest.raises(ValueError, match="needs isolated runs"):
        study.run_all(_runs(tmp_path), isolate=False, environment={"TF_ENABLE_ONEDNN_OPTS": "0"})


def test_a_failed_child_is_named_and_logged(tmp_path, monkeypatch):
    """The child process runs the run saved in its run file: here one that cannot start."""
    runs = _runs(tmp_path, arms=("an",))
    broken = dataclasses.replace(runs[0], training={**runs[0].training, "train_steps": 0})
    monkeypatch.setattr(study, "_load_classifier", lambda run: None)
    with pytest.raises(RuntimeError, match=r"runs failed \(see their logs\): an/seed0"):
        study.run_all([broken], jobs=2)  # jobs > 1: the child's output goes to its log
    assert json.loads((tmp_path / "an" / "seed0" / study.RUN_FILE).read_text())["arm"] == "an"
    assert "TrainingConfig.train_steps" in (tmp_path / "an" / "seed0.log").read_text()
