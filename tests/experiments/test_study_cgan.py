"""experiments.study_cgan: the arms' AN changes, and a tiny study end to end (in-process)."""

import json
import os

import numpy as np
import pytest
from absl import flags

from an_tf.cgan import pipeline
from an_tf.layers.attentive_normalization import orthogonality_losses
from tests.cgan.helpers import REPO

TINY_FLAGFILE = os.path.join(REPO, "experiments", "configs", "study_tiny.cfg")


def _flag_values(*args):
    from experiments import study_cgan

    flag_values = flags.FlagValues()
    study_cgan.define_flags(flag_values)
    flag_values(["study_cgan", f"--flagfile={TINY_FLAGFILE}", *args])
    return flag_values


def _tiny_config():
    return pipeline.cgan_config_from_hparams(
        {"dataset": "synthetic", "resolution": 32, "num_classes": 4, "z_dim": 8, "channels": 4,
         "num_entities": 4, "embedding_dim": 4, "d_an_resolutions": [16], "ema_decay": 0.9})


def test_orthogonal_init_zeroes_the_orthogonality_loss():
    from experiments.study_cgan import build_arm_gan

    normal, orthogonal = {}, {}
    build_arm_gan(_tiny_config(), 0, record=normal)
    gan = build_arm_gan(_tiny_config(), 0, entity_init="orthogonal", record=orthogonal)
    assert orthogonal["initial_g_orthogonality_loss"] < 1e-9
    # N(0,1) entities: lambda * ||W W^T - I||^2 ~ lambda * n * C^2 (here 1e-3 * 4 * 16 * ...).
    assert normal["initial_g_orthogonality_loss"] > 1e-3
    assert float(orthogonality_losses(gan.discriminator)) < 1e-9
    for ema, weight in zip(gan.ema_generator.weights, gan.generator.weights):
        np.testing.assert_array_equal(ema.numpy(), weight.numpy())


def _seeded_build(**options):
    import keras

    from experiments.study_cgan import build_arm_gan

    keras.utils.set_random_seed(0)  # as run_training does before building
    return build_arm_gan(_tiny_config(), 0, **options)


def test_perturb_init_ulps_moves_every_weight_one_ulp_and_zero_changes_nothing():
    plain = _seeded_build()
    unchanged, perturbed = (_seeded_build(perturb_init_ulps=ulps, perturb_seed=3)
                            for ulps in (0, 1))
    weights = lambda gan: [*gan.generator.weights, *gan.discriminator.weights]  # noqa: E731
    moved = 0
    for a, b, c in zip(weights(plain), weights(unchanged), weights(perturbed)):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
        if np.issubdtype(np.dtype(a.dtype), np.floating):
            values = a.numpy()
            step = np.maximum(*(np.abs(np.nextafter(values, end) - values)  # one ulp, larger side
                                for end in (np.inf, -np.inf)))
            assert np.all((np.abs(c.numpy() - a.numpy()) <= step) & (c.numpy() != a.numpy()))
            moved += a.numpy().size
    assert moved > 1000
    for ema, weight in zip(perturbed.ema_generator.weights, perturbed.generator.weights):
        np.testing.assert_array_equal(ema.numpy(), weight.numpy())


def test_without_ssr_the_layout_ignores_ssr_and_gets_no_gradient():
    import tensorflow as tf

    from experiments.study_cgan import build_arm_gan

    with_ssr, without_ssr = (build_arm_gan(_tiny_config(), 0, ssr=ssr) for ssr in (True, False))
    x = tf.random.stateless_normal([2, 32, 32, 4], seed=[0, 1])
    for gan, expect_effect in ((with_ssr, True), (without_ssr, False)):
        layer = gan.generator.an_layers()["up_block_32_an"]
        with tf.GradientTape() as tape:
            training_layout = layer.soft_layout(x, training=True)
            loss = tf.reduce_sum(training_layout ** 2)
        gradient = tape.gradient(loss, layer.ssr_weight)
        changed = np.abs(training_layout - layer.soft_layout(x, training=False)).max() > 1e-6
        assert changed == expect_effect
        assert (np.abs(gradient.numpy()).max() > 0) == expect_effect


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
