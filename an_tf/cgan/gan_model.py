"""The class-conditional GAN as one Keras model: hinge loss, two-timescale Adam, D steps per G
step, AN orthogonality losses, optional EMA of G (Wang et al., "Attentive Normalization for
Conditional Image Generation", CVPR 2020, built on SN-GAN / SA-GAN training).

Shape letters: B per-replica batch, N = B * replicas global batch, Z noise size, R resolution.

Distribution: Keras' optimizer SUMS gradients across replicas, so the loss differentiated on each
replica is its per-replica mean divided by the number of replicas; the values returned for logging
are the plain per-replica means. The noise and fake labels of a step are drawn for the GLOBAL batch
from one seed and each replica takes its slice, so a replicated step equals a one-device step on the
same global batch (with synchronized batch norm).
"""

import keras
import tensorflow as tf

from an_tf.cgan import losses
from an_tf.layers.attentive_normalization import orthogonality_losses
from an_tf.training.divergence import ON_NAN_CHOICES, apply_gradients


def _replica_position():
    """(replica id, number of replicas in sync); (0, 1) outside any strategy."""
    num_replicas = tf.distribute.get_strategy().num_replicas_in_sync
    context = tf.distribute.get_replica_context()
    if context is None or num_replicas == 1:
        return 0, num_replicas
    return context.replica_id_in_sync_group, num_replicas


def unpack_batch(data):
    """(images, labels) from a dict {"image", "label", ...} or an (images, labels) tuple."""
    if isinstance(data, dict):
        return data["image"], data["label"]
    return data[0], data[1]


@keras.saving.register_keras_serializable(package="an_tf")
class ConditionalGAN(keras.Model):
    """Owns a Generator and a Discriminator and trains them with the hinge loss.

    Args:
        generator: an `an_tf.cgan.Generator` (needs `z_dim` and `num_classes` attributes).
        discriminator: an `an_tf.cgan.Discriminator`.
        d_steps: discriminator steps per generator step (each reuses the real batch with new fakes).
        ema_decay: if set, keeps `ema_generator`, an exponential moving average of G's weights.
        seed: seed of the in-step noise (None: from Keras' global seed).
        on_nan: "stop" (apply every update; `run_training` stops at a non-finite loss or
            gradient) or "skip" (an update with a non-finite loss or gradient is not applied).
        **kwargs: standard `keras.Model` arguments.

    `compile(d_optimizer=..., g_optimizer=...)`; `train_step(batch)` takes a dict with "image"
    (B, R, R, 3) in [-1, 1] and "label" (B,), or a tuple (images, labels), and returns a dict of
    scalars: d_loss, g_loss, d_real, d_fake, d_an_loss, g_an_loss, and nonfinite_updates (how many
    of the step's updates had a non-finite loss or gradient).

    Example:
        >>> gan = ConditionalGAN(Generator(resolution=32, num_classes=10, channels=8),
        ...                      Discriminator(resolution=32, num_classes=10, channels=8,
        ...                                    an_resolutions=(16,)))
        >>> gan.compile(d_optimizer=keras.optimizers.Adam(4e-4, 0.0, 0.9),
        ...             g_optimizer=keras.optimizers.Adam(1e-4, 0.0, 0.9))
        >>> gan.fit(dataset_of_image_label_pairs, steps_per_epoch=100)
    """

    def __init__(self, generator, discriminator, d_steps=1, ema_decay=None, seed=None,
                 on_nan="stop", **kwargs):
        super().__init__(**kwargs)
        if on_nan not in ON_NAN_CHOICES:
            raise ValueError(f"on_nan must be one of {ON_NAN_CHOICES}, got {on_nan!r}")
        self.on_nan = on_nan
        if not isinstance(d_steps, int) or d_steps < 1:
            raise ValueError(f"d_steps must be a positive integer, got {d_steps!r}")
        if ema_decay is not None and not 0.0 < ema_decay < 1.0:
            raise ValueError(f"ema_decay must be None or in (0, 1), got {ema_decay!r}")
        self.generator = generator
        self.discriminator = discriminator
        self.d_steps = d_steps
        self.ema_decay = None if ema_decay is None else float(ema_decay)
        self.seed = seed
        self.z_dim = generator.z_dim
        self.num_classes = generator.num_classes
        self.seed_generator = keras.random.SeedGenerator(seed, name="noise_seed_generator")
        self.ema_generator = None
        if self.ema_decay is not None:
            config = dict(generator.get_config(), name="ema_generator")
            self.ema_generator = generator.__class__.from_config(config)
            for ema_weight, weight in zip(self.ema_generator.weights, generator.weights):
                ema_weight.assign(weight)
        self.built = True

    @property
    def sampling_generator(self):
        """The generator to sample and export with: the EMA one when enabled."""
        return self.ema_generator if self.ema_generator is not None else self.generator

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        """Stores both optimizers (wrapped in LossScaleOptimizer under mixed_float16) and builds
        their variables, so they exist before the first (distributed) step."""
        if keras.config.dtype_policy().name == "mixed_float16":
            wrap = keras.optimizers.LossScaleOptimizer
            d_optimizer = d_optimizer if isinstance(d_optimizer, wrap) else wrap(d_optimizer)
            g_optimizer = g_optimizer if isinstance(g_optimizer, wrap) else wrap(g_optimizer)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        kwargs.setdefault("jit_compile", False)
        # `optimizer` is G's, so `model.optimizer.iterations` counts training steps for callbacks.
        super().compile(optimizer=g_optimizer, **kwargs)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    def call(self, inputs, training=False):
        """inputs = (z, labels) -> images of the sampling generator."""
        z, labels = inputs
        return self.sampling_generator(z, labels, training=training)

    def sample_noise(self, batch_size):
        """This replica's slice of noise (B, Z) and uniform labels (B,), drawn for the global
        batch."""
        replica_id, num_replicas = _replica_position()
        seed = tf.cast(self.seed_generator.next(), tf.int32)  # (2,)
        global_size = batch_size * num_replicas
        z = tf.random.stateless_normal([global_size, self.z_dim], seed=seed)  # (N,Z)
        labels = tf.random.stateless_uniform(
            [global_size], seed=tf.random.experimental.stateless_fold_in(seed, 1),
            minval=0, maxval=self.num_classes, dtype=tf.int32)  # (N,)
        start = replica_id * batch_size
        return z[start:start + batch_size], labels[start:start + batch_size]

    def train_step(self, data):
        images, labels = unpack_batch(data)
        batch_size = tf.shape(images)[0]
        nonfinite = tf.constant(0.0)
        for _ in range(self.d_steps):
            d_logs = self._discriminator_step(images, labels, batch_size)
            nonfinite += d_logs.pop("nonfinite")
        g_logs = self._generator_step(batch_size)
        nonfinite += g_logs.pop("nonfinite")
        if self.ema_generator is not None:
            self._update_ema()
        return {**d_logs, **g_logs, "nonfinite_updates": nonfinite}

    def _discriminator_step(self, images, labels, batch_size):
        _, num_replicas = _replica_position()
        z, fake_labels = self.sample_noise(batch_size)
        fakes = self.generator(z, fake_labels, training=True)  # (B,R,R,3)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(images, labels, training=True)  # (B,)
            fake_logits = self.discriminator(fakes, fake_labels, training=True)  # (B,)
            d_loss = losses.discriminator_hinge_loss(real_logits, fake_logits)
            an_loss = orthogonality_losses(self.discriminator)
            scaled = self.d_optimizer.scale_loss((d_loss + an_loss) / num_replicas)
        variables = self.discriminator.trainable_variables
        nonfinite = apply_gradients(self.d_optimizer, tape.gradient(scaled, variables),
                                    variables, [d_loss, an_loss], self.on_nan)
        return {"d_loss": d_loss, "d_an_loss": an_loss, "nonfinite": nonfinite,
                "d_real": tf.reduce_mean(real_logits), "d_fake": tf.reduce_mean(fake_logits)}

    def _generator_step(self, batch_size):
        _, num_replicas = _replica_position()
        z, fake_labels = self.sample_noise(batch_size)
        with tf.GradientTape() as tape:
            fakes = self.generator(z, fake_labels, training=True)
            an_loss = orthogonality_losses(self.generator)
            fake_logits = self.discriminator(fakes, fake_labels, training=True)
            g_loss = losses.generator_hinge_loss(fake_logits)
            scaled = self.g_optimizer.scale_loss((g_loss + an_loss) / num_replicas)
        variables = self.generator.trainable_variables
        nonfinite = apply_gradients(self.g_optimizer, tape.gradient(scaled, variables),
                                    variables, [g_loss, an_loss], self.on_nan)
        return {"g_loss": g_loss, "g_an_loss": an_loss, "nonfinite": nonfinite}

    def _update_ema(self):
        decay = self.ema_decay
        for ema_weight, weight in zip(self.ema_generator.weights, self.generator.weights):
            if weight.trainable:
                ema_weight.assign(decay * ema_weight + (1.0 - decay) * weight)
            else:  # batch-norm statistics, power-iteration vectors, seed states: copied
                ema_weight.assign(weight)

    def get_config(self):
        config = super().get_config()
        config.update(
            generator=keras.saving.serialize_keras_object(self.generator),
            discriminator=keras.saving.serialize_keras_object(self.discriminator),
            d_steps=self.d_steps, ema_decay=self.ema_decay, seed=self.seed, on_nan=self.on_nan,
        )
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        config["generator"] = keras.saving.deserialize_keras_object(config["generator"])
        config["discriminator"] = keras.saving.deserialize_keras_object(config["discriminator"])
        return cls(**config)
