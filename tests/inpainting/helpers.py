"""Tiny models and batches shared by the inpainting tests."""

import keras
import numpy as np
import tensorflow as tf

from an_tf.data import masks as masks_lib
from an_tf.inpainting import critics
from an_tf.inpainting.generator import InpaintingGenerator
from an_tf.inpainting.model import InpaintingGAN


def tiny_generator(attention="an", channels=4, **kwargs):
    return InpaintingGenerator(channels=channels, attention=attention, num_entities=4, seed=1,
                               **kwargs)


def tiny_batch(mask_type="rect", batch_size=2, size=32, box_size=16, seed=0):
    batch = masks_lib.make_masks(mask_type, tf.constant([seed, 1]), batch_size, size, size,
                                 box_size, max_shrink=2)
    rng = np.random.default_rng(seed)
    batch["images"] = tf.constant(rng.uniform(-1, 1, (batch_size, size, size, 3)), tf.float32)
    return batch


def tiny_gan(mask_type="rect", size=32, box_size=16, critic_steps=5, attention="an"):
    local = critics.PatchCritic(4) if mask_type == "free_form" else critics.LocalCritic(4)
    model = InpaintingGAN(tiny_generator(attention), critics.GlobalCritic(4), local,
                          box_size=box_size, critic_steps=critic_steps, seed=3)
    model.compile(g_optimizer=keras.optimizers.Adam(1e-3, 0.5, 0.9),
                  d_optimizer=keras.optimizers.Adam(1e-3, 0.5, 0.9))
    model.build_networks(size, size)
    return model
