"""an_tf.cgan.study_arms: the study's arms as CGANConfig options applied where the GAN is built."""

import dataclasses

import keras
import numpy as np
import pytest
import tensorflow as tf

from an_tf.cgan import pipeline, study_arms
from an_tf.layers.attentive_normalization import orthogonality_losses

TINY = {"dataset": "synthetic", "resolution": 32, "num_classes": 4, "z_dim": 8, "channels": 4,
        "num_entities": 4, "embedding_dim": 4, "d_an_resolutions": [16], "ema_decay": 0.9}


def _build(**options):
    keras.utils.set_random_seed(0)  # as run_training does before building
    config = pipeline.cgan_config_from_hparams({**TINY, **options})
    return pipeline.build_gan(config, seed=0)


def _weights(gan):
    return [w.numpy() for w in (*gan.generator.weights, *gan.discriminator.weights,
                                *gan.ema_generator.weights)]


def _assert_ema_equals_generator(gan):
    for ema, weight in zip(gan.ema_generator.weights, gan.generator.weights):
        np.testing.assert_array_equal(ema.numpy(), weight.numpy())


def test_default_options_leave_the_built_gan_unchanged(monkeypatch):
    default = _build()
    monkeypatch.setattr(study_arms, "apply_arm_options", lambda gan, config, seed: None)
    untouched = _build()
    for a, b in zip(_weights(default), _weights(untouched)):
        np.testing.assert_array_equal(a, b)


def test_orthogonal_entity_init_zeroes_the_orthogonality_loss():
    normal, orthogonal = _build(), _build(entity_init="orthogonal")
    assert float(orthogonality_losses(orthogonal.generator)) < 1e-9
    assert float(orthogonality_losses(orthogonal.discriminator)) < 1e-9
    # N(0,1) entities: lambda * ||W W^T - I||^2 is far from 0.
    assert float(orthogonality_losses(normal.generator)) > 1e-3
    _assert_ema_equals_generator(orthogonal)


def test_perturb_init_ulps_moves_every_weight_one_ulp():
    plain, perturbed = _build(), _build(perturb_init_ulps=1, perturb_seed=3)
    weights = lambda gan: [*gan.generator.weights, *gan.discriminator.weights]  # noqa: E731
    moved = 0
    for a, c in zip(weights(plain), weights(perturbed)):
        if np.issubdtype(np.dtype(a.dtype), np.floating):
            values = a.numpy()
            step = np.maximum(*(np.abs(np.nextafter(values, end) - values)  # one ulp, larger side
                                for end in (np.inf, -np.inf)))
            assert np.all((np.abs(c.numpy() - values) <= step) & (c.numpy() != values))
            moved += values.size
    assert moved > 1000
    _assert_ema_equals_generator(perturbed)
    other_seed = _build(perturb_init_ulps=1, perturb_seed=4)
    assert any(np.any(a.numpy() != b.numpy()) for a, b in zip(weights(perturbed),
                                                              weights(other_seed)))


def test_without_ssr_the_layout_ignores_ssr_and_gets_no_gradient():
    with_ssr, without_ssr = _build(), _build(ssr=False)
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


def test_every_arm_is_a_valid_config():
    base = pipeline.cgan_config_from_hparams({**TINY, "channels": 16})  # SA needs >= 8
    for arm, options in study_arms.ARMS.items():
        config = dataclasses.replace(base, **options)
        assert all(getattr(config, name) == value for name, value in options.items()), arm
    assert set(study_arms.STUDIES["all"]) == set(study_arms.ARMS)


@pytest.mark.parametrize("options, message", [
    ({"entity_init": "uniform"}, "entity_init must be one of"),
    ({"perturb_init_ulps": -1}, "perturb_init_ulps must be an integer >= 0"),
    ({"ssr": "no"}, "ssr must be True or False"),
])
def test_impossible_options_are_one_line_errors(options, message):
    config = pipeline.cgan_config_from_hparams(TINY)
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(config, **options)
