"""Training behaviour of an_tf.cgan.ConditionalGAN: steps, losses, EMA, distribution, precision."""

import keras
import numpy as np
import pytest
import tensorflow as tf
import tensorflow_datasets as tfds

from an_tf.cgan import losses
from an_tf.layers import orthogonality_losses
from an_tf.cgan.pipeline import (CGANConfig, build_gan, make_data_source,
                                 make_dataset_fn)
from tests.cgan.helpers import (synthetic_batch, tiny_discriminator, tiny_gan, two_cpu_strategy,
                                weights_of)


def test_hinge_losses_hand_computed():
    real, fake = tf.constant([2.0, 0.5, -1.0]), tf.constant([-2.0, 0.0, 1.5])
    # relu(1 - real) = [0, .5, 2] -> mean 5/6; relu(1 + fake) = [0, 1, 2.5] -> mean 7/6
    assert float(losses.discriminator_hinge_loss(real, fake)) == pytest.approx(2.0)
    assert float(losses.generator_hinge_loss(fake)) == pytest.approx(0.5 / 3)  # -mean(fake)


def test_one_step_on_synthetic_data_updates_both_networks():
    gan = tiny_gan(ema_decay=0.9)
    batch = synthetic_batch()
    g_before, d_before = weights_of(gan.generator), weights_of(gan.discriminator)
    ema_before = weights_of(gan.ema_generator)
    logs = gan.train_step(batch)  # eager: no tracing cost for a single step
    assert set(logs) == {"d_loss", "g_loss", "d_real", "d_fake", "d_an_loss", "g_an_loss",
                         "nonfinite_updates"}
    assert float(logs["nonfinite_updates"]) == 0.0
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert float(logs["d_an_loss"]) > 0 and float(logs["g_an_loss"]) > 0  # AN in both nets
    for before, model in ((g_before, gan.generator), (d_before, gan.discriminator)):
        assert any(not np.array_equal(b, a) for b, a in zip(before, weights_of(model)))
    assert int(gan.g_optimizer.iterations) == 1 and int(gan.d_optimizer.iterations) == 1
    # EMA: trainable weights move 10% of the way to G's new weights.
    for weight, old, ema in zip(gan.generator.weights, ema_before, gan.ema_generator.weights):
        if weight.trainable:
            np.testing.assert_allclose(ema, 0.9 * old + 0.1 * np.asarray(weight), atol=1e-6)


def test_orthogonality_losses_equal_the_added_losses_on_one_device():
    gan = tiny_gan()
    gan.generator(tf.random.normal([2, 8]), tf.constant([0, 1]), training=True)
    added = float(tf.add_n(gan.generator.losses))
    assert float(orthogonality_losses(gan.generator)) == pytest.approx(added, rel=1e-6)
    assert added > 0 and float(orthogonality_losses(tiny_gan(attention="none").generator)) == 0.0


def test_d_steps_per_g_step():
    gan = tiny_gan(d_steps=2)
    gan.train_step((synthetic_batch()["image"], synthetic_batch()["label"]))  # tuple input too
    assert int(gan.d_optimizer.iterations) == 2 and int(gan.g_optimizer.iterations) == 1


def test_one_step_on_mock_imagenet():
    config = CGANConfig(dataset="imagenet2012", resolution=32, channels=4, z_dim=8,
                        num_entities=4, embedding_dim=4, d_an_resolutions=(16,),
                        shuffle_buffer=4)
    with tfds.testing.mock_data(num_examples=8):
        dataset = make_dataset_fn(make_data_source(config), global_batch_size=4)(
            tf.distribute.InputContext())
        batch = next(iter(dataset))
    assert batch["image"].shape == (4, 32, 32, 3)
    gan = build_gan(config)
    logs = gan.train_step(batch)
    assert np.isfinite(float(logs["d_loss"])) and np.isfinite(float(logs["g_loss"]))


def test_discriminator_separates_fixed_real_from_fixed_fake():
    keras.utils.set_random_seed(0)
    discriminator = tiny_discriminator()
    real = synthetic_batch(size=8)
    fake_images = tf.random.uniform([8, 32, 32, 3], -1, 1)  # a fixed "generator output"
    optimizer = keras.optimizers.Adam(4e-4, beta_1=0.0, beta_2=0.9)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            real_logits = discriminator(real["image"], real["label"], training=True)
            fake_logits = discriminator(fake_images, real["label"], training=True)
            loss = losses.discriminator_hinge_loss(real_logits, fake_logits)
        variables = discriminator.trainable_variables
        optimizer.apply(tape.gradient(loss, variables), variables)
        return loss, real_logits, fake_logits

    first_loss = float(step()[0])
    for _ in range(60):
        loss, real_logits, fake_logits = step()
    assert float(loss) < 0.5 * first_loss
    assert float(tf.reduce_min(real_logits)) > float(tf.reduce_max(fake_logits))


@pytest.mark.slow  # --runslow; kept out of the default suite for its time budget
def test_two_replicas_match_one_device_on_the_same_global_batch():
    """Synchronized BN, global-batch noise and gradient scaling make the update identical.

    SGD, not Adam: Adam turns the float noise of near-zero gradients (e.g. conv biases followed by
    batch norm, whose true gradient is 0) into full-size steps of random sign."""
    batch = synthetic_batch(size=4)
    single = tiny_gan(seed=3, optimizer=keras.optimizers.SGD)
    initial = weights_of(single)
    single_logs = tf.function(single.train_step)(batch)
    strategy = two_cpu_strategy()
    with strategy.scope():
        mirrored = tiny_gan(seed=3, optimizer=keras.optimizers.SGD)
    assert all(np.array_equal(a, b) for a, b in zip(initial, weights_of(mirrored)))
    dataset = strategy.experimental_distribute_dataset(tf.data.Dataset.from_tensors(batch))
    per_replica = tf.function(lambda b: strategy.run(mirrored.train_step, args=(b,)))(
        next(iter(dataset)))
    for name in ("d_loss", "g_loss", "d_an_loss", "g_an_loss", "d_real", "d_fake"):
        values = [float(v) for v in strategy.experimental_local_results(per_replica[name])]
        assert np.mean(values) == pytest.approx(float(single_logs[name]), abs=1e-5), name
    for model in ("generator", "discriminator"):
        for one, two in zip(getattr(single, model).weights, getattr(mirrored, model).weights):
            np.testing.assert_allclose(np.asarray(one), np.asarray(two), atol=1e-5,
                                       err_msg=one.path)
    moved = [np.abs(np.asarray(w) - b).max() for w, b in zip(single.weights, initial)]
    assert max(moved) > 1e-3  # the step did change weights


def test_mixed_float16_step_uses_loss_scaling():
    keras.config.set_dtype_policy("mixed_float16")
    gan = tiny_gan()
    assert isinstance(gan.d_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(gan.g_optimizer, keras.optimizers.LossScaleOptimizer)
    logs = gan.train_step(synthetic_batch())
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert all(w.dtype == "float32" for w in gan.generator.trainable_weights)


def test_fit_runs_the_gan():
    gan = tiny_gan(run_eagerly=True)  # fit's loop, callbacks and logs; eager to skip tracing
    batch = synthetic_batch(size=4)
    dataset = tf.data.Dataset.from_tensors((batch["image"], batch["label"])).repeat()
    history = gan.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0)
    assert np.isfinite(history.history["d_loss"][-1])
    assert int(gan.optimizer.iterations) == 2  # `optimizer` is G's: it counts training steps


def test_bad_arguments():
    with pytest.raises(ValueError, match="d_steps"):
        tiny_gan(d_steps=0)
    with pytest.raises(ValueError, match="ema_decay"):
        tiny_gan(ema_decay=1.0)
