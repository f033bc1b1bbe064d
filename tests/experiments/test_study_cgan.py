"""experiments.study_cgan: the runs it plans from its flags, and a tiny study end to end
(in-process); the arms themselves are tested in tests/cgan/test_study_arms.py."""

import json
import os

import pytest
from absl import flags

from an_tf.cgan import pipeline
from tests.cgan.helpers import REPO

TINY_FLAGFILE = os.path.join(REPO, "experiments", "configs", "study_tiny.cfg")


def _flag_values(*args):
    from experiments import study_cgan

    flag_values = flags.FlagValues()
    study_cgan.define_flags(flag_values)
    flag_values(["study_cgan", f"--flagfile={TINY_FLAGFILE}", *args])
    return flag_values


def test_each_run_is_its_arm_config_in_its_own_directory(tmp_path):
    from experiments import cgan_flags

    flag_values = _flag_values(f"--workdir={tmp_path}", "--seeds=0,1", "--perturb_init_ulps=1")
    runs = cgan_flags.study_runs_from_flags(flag_values, str(tmp_path), ("an", "an_no_ssr"),
                                            [0, 1])
    assert [(run.arm, run.seed) for run in runs] == [("an", 0), ("an_no_ssr", 0), ("an", 1),
                                                     ("an_no_ssr", 1)]  # seed-major
    run = runs[3]
    assert run.workdir == str(tmp_path / "an_no_ssr" / "seed1") == run.hparams["workdir"]
    assert run.training["seed"] == 1 and run.training["export_dir"] is None
    config = pipeline.cgan_config_from_hparams(run.hparams)
    assert (config.ssr, config.entity_init, config.perturb_init_ulps) == (False, "normal", 1)
    assert run.hparams["study_arm"] == "an_no_ssr" and run.evaluation["num_real"] == 16
    assert pipeline.cgan_config_from_hparams(runs[0].hparams).ssr


def test_the_study_uses_the_cgan_evaluation_defaults():
    """Its flags are the cGAN tools' (no second definition with other defaults)."""
    flag_values = flags.FlagValues()
    from experiments import study_cgan

    study_cgan.define_flags(flag_values)
    flag_values(["study_cgan", "--workdir=unused"])
    assert (flag_values.eval_num_samples, flag_values.classifier_dir) == (
        1000, "runs/shapes_classifier")


@pytest.mark.slow  # --runslow; kept out of the default suite for its time budget
def test_tiny_study_end_to_end(tmp_path):
    from experiments import study_cgan

    study_dir = tmp_path / "study"
    # One arm (the tracing of a train step dominates); the multi-arm table is tested in
    # tests/reports/test_study_table.py.
    args = [f"--workdir={study_dir}", "--study=ssr", "--arms=an_no_ssr",
            f"--classifier_dir={tmp_path / 'clf'}"]
    study_cgan.main(["study_cgan"], flag_values=_flag_values(*args))
    results = json.loads((study_dir / "study_ssr.json").read_text())
    assert [record["arm"] for record in results["records"]] == ["an_no_ssr"]
    for record in results["records"]:
        assert record["step"] == 2 and record["seconds_per_step"] > 0
        assert 0 <= record["g_layout_object_iou/up_block_32_an"] <= 1
    table = (study_dir / "study_ssr.md").read_text()
    assert "\n| arm | accuracy |" in table and "| an_no_ssr |" in table
    assert "| an_no_ssr | 1 | " in table  # the intervals' table (one run: a point interval)
    statistics = results["statistics"]["fd"]["arms"]["an_no_ssr"]
    assert statistics["ci"] == [statistics["mean"]] * 2 and results["code_commit"]
    assert (study_dir / "study_ssr_samples.png").exists()
    assert (study_dir / "study_ssr_seeds.png").exists()
    # Finished arms are not trained again.
    mtime = os.path.getmtime(study_dir / "an_no_ssr" / "seed0" / "result.json")
    study_cgan.main(["study_cgan"], flag_values=_flag_values(*args))
    assert os.path.getmtime(study_dir / "an_no_ssr" / "seed0" / "result.json") == mtime


def test_unknown_arm_is_one_line(tmp_path):
    from absl import app

    from experiments import study_cgan

    with pytest.raises(app.UsageError, match="unknown arms") as error:
        study_cgan.main(["study_cgan"], flag_values=_flag_values(f"--workdir={tmp_path}",
                                                                 "--arms=bogus"))
    assert "\n" not in str(error.value)


def test_jobs_need_isolated_runs(tmp_path):
    from absl import app

    from experiments import study_cgan

    with pytest.raises(app.UsageError, match="--jobs > 1 needs --isolate"):
        study_cgan.main(["study_cgan"], flag_values=_flag_values(f"--workdir={tmp_path}",
                                                                 "--jobs=2"))


def test_unknown_study_is_rejected():
    with pytest.raises(flags.IllegalFlagValueError):
        _flag_values("--study=bogus")
