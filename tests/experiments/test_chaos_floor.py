"""experiments.chaos_floor: its variants are study runs that differ only in rounding, and its
tables (an_tf.reports.chaos_floor) read the finished runs."""

import json

from absl import flags

from an_tf.cgan import pipeline, study
from an_tf.reports import chaos_floor as tables
from tests.experiments.test_study_cgan import TINY_FLAGFILE


def _flag_values(*args):
    from experiments import chaos_floor

    flag_values = flags.FlagValues()
    chaos_floor.define_flags(flag_values)
    flag_values(["chaos_floor", f"--flagfile={TINY_FLAGFILE}", *args])
    return flag_values


def test_variants_change_only_the_rounding(tmp_path, monkeypatch):
    from experiments import chaos_floor

    launched = []
    monkeypatch.setattr(study, "run_all", lambda runs, jobs, isolate, environment:
                        launched.append((runs, isolate, environment)))
    fv = _flag_values(f"--workdir={tmp_path}", "--perturb_seeds=5", "--perturb_init_ulps=3",
                      "--noisolate")
    chaos_floor.run_variants(fv, ("an",), [0])
    (onednn, isolated, environment), (ulp, ulp_isolated, ulp_environment) = launched
    assert environment == {"TF_ENABLE_ONEDNN_OPTS": "0"} and isolated  # a fresh process
    assert not ulp_isolated and not ulp_environment
    onednn_config = pipeline.cgan_config_from_hparams(onednn[0].hparams)
    ulp_config = pipeline.cgan_config_from_hparams(ulp[0].hparams)
    assert (onednn_config.perturb_init_ulps, ulp_config.perturb_init_ulps,
            ulp_config.perturb_seed) == (0, 1, 5)
    assert ulp[0].workdir == str(tmp_path / "ulp5" / "an" / "seed0")
    assert dict(onednn_config.__dict__, perturb_init_ulps=1, perturb_seed=5) == ulp_config.__dict__


def _finish(root, arm, seed, **metrics):
    directory = root / arm / f"seed{seed}"
    directory.mkdir(parents=True)
    (directory / "result.json").write_text(json.dumps(metrics))


def test_spread_covers_the_finished_runs_only(tmp_path):
    _finish(tmp_path / "study", "an", 0, accuracy=0.5, fd=10.0, intra_fd=20.0)
    _finish(tmp_path / "ulp1", "an", 0, accuracy=0.7, fd=14.0, intra_fd=26.0)
    roots = {"baseline": str(tmp_path / "study"), "ulp1": str(tmp_path / "ulp1"),
             "ulp2": str(tmp_path / "ulp2")}  # ulp2 has not finished
    spread = tables.run_spread(roots, ("an",), [0])["an/seed0"]
    assert list(spread["runs"]) == ["baseline", "ulp1"]
    assert abs(spread["fd"]["range"] - 4.0) < 1e-9 and abs(spread["accuracy"]["range"] - 0.2) < 1e-9
    assert abs(spread["intra_fd"]["std"] - 6.0 / 2 ** 0.5) < 1e-9  # sample std of two values
    lines = tables.spread_markdown({"an/seed0": spread}).splitlines()
    assert lines[2:] == ["| an/seed0 | baseline | 0.5 | 10 | 20 |",
                         "| an/seed0 | ulp1 | 0.7 | 14 | 26 |",
                         "| an/seed0 | **range** | **0.2** | **4** | **6** |"]
