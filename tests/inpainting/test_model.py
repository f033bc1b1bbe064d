"""One training step of the inpainting GAN per mask type, critic steps, loss scaling, policies."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from an_tf.inpainting import critics
from an_tf.inpainting.generator import InpaintingGenerator
from an_tf.inpainting.model import InpaintingGAN
from an_tf.training import create_strategy
from tests.inpainting.helpers import tiny_batch
from tests.inpainting.helpers import tiny_gan


@pytest.mark.parametrize("mask_type", ["rect", "center", "free_form"])
def test_one_training_step(mask_type):
    model = tiny_gan(mask_type, critic_steps=2)
    before_g = [w.numpy().copy() for w in model.generator.trainable_weights]
    # Critic biases get no gradient: mean(D(fake)) - mean(D(real)) cancels them exactly.
    critic_kernels = [w for w in model.critic_variables if "kernel" in w.path]
    before_d = [w.numpy().copy() for w in critic_kernels]
    logs = model.train_step(tiny_batch(mask_type))  # eager: tracing costs ~10x more here
    assert {"d_loss", "gradient_penalty", "g_loss", "hole_l1", "known_l1",
            "an_orthogonality"} <= set(logs)
    assert all(np.isfinite(float(v)) for v in logs.values())
    assert float(logs["an_orthogonality"]) > 0  # AN's loss is collected from generator.losses
    assert int(model.d_optimizer.iterations) == 2 and int(model.g_optimizer.iterations) == 1
    assert any(not np.allclose(b, w) for b, w in zip(before_g, model.generator.trainable_weights))
    assert all(not np.allclose(b, w) for b, w in zip(before_d, critic_kernels))


def sgd_gan():
    model = InpaintingGAN(InpaintingGenerator(channels=4, attention="none"),
                          critics.GlobalCritic(4), critics.LocalCritic(4), box_size=16,
                          critic_steps=1, gp_weight=0.0)
    model.compile(g_optimizer=keras.optimizers.SGD(0.1), d_optimizer=keras.optimizers.SGD(0.1))
    model.build_networks(32, 32)
    return model


def test_mirrored_step_equals_single_device_step():
    """Per-replica losses are divided by the number of replicas (Keras sums their gradients)."""
    batch = tiny_batch("rect", batch_size=4)
    single = sgd_gan()
    strategy = create_strategy("mirrored")  # the two logical CPUs of conftest
    with strategy.scope():
        mirrored = sgd_gan()
    mirrored.set_weights(single.get_weights())
    single.train_step(batch)
    dataset = strategy.experimental_distribute_dataset(
        tf.data.Dataset.from_tensors(batch).unbatch().batch(4))
    strategy.run(mirrored.train_step, args=(next(iter(dataset)),))
    for a, b in zip(single.get_weights(), mirrored.get_weights()):
        np.testing.assert_allclose(a, b, atol=1e-5)


def test_mixed_float16_uses_loss_scaling():
    keras.config.set_dtype_policy("mixed_float16")
    model = tiny_gan("rect", critic_steps=1)
    assert isinstance(model.g_optimizer, keras.optimizers.LossScaleOptimizer)
    assert isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    logs = model.train_step(tiny_batch("rect"))
    assert all(np.isfinite(float(v)) for v in logs.values())


def test_pretrain_steps_switch_the_adversarial_term_on_later():
    model = tiny_gan("rect", critic_steps=1)
    model.pretrain_steps = 2
    assert float(model._adversarial_weight()) == 0.0
    model.g_optimizer.iterations.assign(2)
    np.testing.assert_allclose(float(model._adversarial_weight()), model.adversarial_weight)


def test_per_stage_hole_losses_are_logged():
    model = tiny_gan("rect", critic_steps=0)
    batch = tiny_batch("rect")
    coarse, refined = model.generator((batch["images"], batch["masks"]))
    logs = model.generator_losses(batch["images"], coarse, refined, batch["masks"],
                                  batch["boxes"])
    np.testing.assert_allclose(
        logs["hole_l1"], model.coarse_weight * logs["coarse_hole_l1"] + logs["refined_hole_l1"],
        rtol=1e-6)


def test_rejects_negative_critic_steps():
    with pytest.raises(ValueError, match="critic_steps"):
        InpaintingGAN(None, None, None, critic_steps=-1)
