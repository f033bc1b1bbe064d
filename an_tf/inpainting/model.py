"""The inpainting GAN of Wang et al., "Attentive Normalization for Conditional Image Generation",
CVPR 2020, trained as Yu et al., "Generative Image Inpainting with Contextual Attention", CVPR 2018:
WGAN-GP with a global and a local critic, 5 critic steps per generator step, spatially discounted L1
on the hole, L1 on the known pixels, plus AN's orthogonality loss (computed inside the tape by
`an_tf.layers.orthogonality_losses`, not read from `generator.losses`, which replicas share).

Batches are dicts: images (B,H,W,3) float32 in [-1, 1], masks (B,H,W,1) float32 {0,1} (1 = missing),
boxes (B,4) int32 (top, left, height, width) of the local critic's region.

Distributed training: Keras' optimizer sums gradients over replicas, so the losses that are
differentiated are per-replica means / num_replicas_in_sync; the returned logs are unscaled means.
"""

import keras
import tensorflow as tf

from an_tf.inpainting import critics as critics_lib
from an_tf.inpainting import losses
from an_tf.layers.attentive_normalization import orthogonality_losses
from an_tf.training.divergence import apply_gradients


class InpaintingGAN(keras.Model):
    """Owns the generator and the two critics, and trains them (see module docstring).

    Args:
        generator: an `InpaintingGenerator`.
        global_critic: critic of the whole (B,H,W,3) completed image.
        local_critic: critic of the (B,box_size,box_size,3) box crops, or a patch critic
            (`critic.patch` True) called on the whole image with the masks (free-form holes).
        box_size: side of the local critic's box.
        critic_steps: critic updates per generator update (on the same batch; fresh interpolates).
        gp_weight: weight of the gradient penalties (10).
        adversarial_weight: weight of the generator's adversarial term (0.001).
        l1_weight: weight of the spatially discounted L1 on the hole (1.2).
        ae_weight: weight of the L1 on known pixels (1.2).
        coarse_weight: weight of the coarse stage inside both L1 terms (1.2; refined 1.0).
        discount_gamma: gamma of the spatial discount (0.99 in the CA paper, 0.9 in its code).
        seed: seed of the interpolation weights of the gradient penalty.
        pretrain_steps: generator steps with the adversarial term off (reconstruction losses
            only, CA's pre-training mode; the critics train meanwhile). 0 = none, the paper's.
        **kwargs: standard `keras.Model` arguments.
    """

    def __init__(self, generator, global_critic, local_critic, box_size=128, critic_steps=5,
                 gp_weight=10.0, adversarial_weight=1e-3, l1_weight=1.2, ae_weight=1.2,
                 coarse_weight=1.2, discount_gamma=0.99, seed=0, pretrain_steps=0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(critic_steps, int) or critic_steps < 0:
            raise ValueError(f"critic_steps must be an integer >= 0, got {critic_steps!r}")
        self.generator = generator
        self.global_critic = global_critic
        self.local_critic = local_critic
        self.box_size = int(box_size)
        self.critic_steps = critic_steps
        self.gp_weight = float(gp_weight)
        self.adversarial_weight = float(adversarial_weight)
        self.l1_weight = float(l1_weight)
        self.ae_weight = float(ae_weight)
        self.coarse_weight = float(coarse_weight)
        self.discount_gamma = float(discount_gamma)
        self.seed = int(seed)
        self.pretrain_steps = int(pretrain_steps)
        self.g_optimizer = self.d_optimizer = None
        self.on_nan = "stop"  # or "skip"; set by run_training from --on_nan (see training.divergence)

    @property
    def patch_local_critic(self):
        return bool(getattr(self.local_critic, "patch", False))

    def compile(self, g_optimizer, d_optimizer, **kwargs):
        """Keeps both optimizers as attributes (so checkpoints hold them); under `mixed_float16`
        wraps them in `LossScaleOptimizer` (Keras only wraps `self.optimizer` itself)."""
        if keras.config.dtype_policy().name == "mixed_float16":
            g_optimizer = _loss_scaled(g_optimizer)
            d_optimizer = _loss_scaled(d_optimizer)
        # `self.optimizer` is the generator's (Keras' default would be an unused RMSprop).
        super().compile(optimizer=g_optimizer, **kwargs)
        self.g_optimizer = g_optimizer
        self.d_optimizer = d_optimizer

    def build_networks(self, height, width):
        """Creates every weight and optimizer slot for (height, width) images, so that checkpoints
        restore into existing variables and nothing is created inside a distributed step."""
        images = keras.ops.zeros((1, height, width, 3))
        masks = keras.ops.zeros((1, height, width, 1))
        self.generator((images, masks))
        self.global_critic(images)
        if self.patch_local_critic:
            self.local_critic(images, masks)
        else:
            self.local_critic(keras.ops.zeros((1, self.box_size, self.box_size, 3)))
        if self.g_optimizer is not None:
            self.g_optimizer.build(self.generator.trainable_variables)
            self.d_optimizer.build(self.critic_variables)
        self.built = True

    @property
    def critic_variables(self):
        return self.global_critic.trainable_variables + self.local_critic.trainable_variables

    def call(self, inputs, training=False):
        return self.generator(inputs, training=training)

    def train_step(self, batch):
        images = tf.cast(batch["images"], tf.float32)
        masks = tf.cast(batch["masks"], tf.float32)
        boxes = batch["boxes"]
        _, refined = self.generator((images, masks), training=True)
        completed = tf.stop_gradient(refined * masks + images * (1.0 - masks))
        logs, nonfinite = {}, tf.constant(0.0)
        for _ in range(self.critic_steps):  # unrolled: a handful of small critic graphs
            logs = self._critic_step(images, completed, masks, boxes)
            nonfinite += logs.pop("nonfinite")
        logs.update(self._generator_step(images, masks, boxes))
        logs["nonfinite_updates"] = nonfinite + logs.pop("nonfinite")
        return logs

    def _critic_step(self, images, completed, masks, boxes):
        with tf.GradientTape() as tape:
            logs = self.critic_losses(images, completed, masks, boxes, self._alpha(images))
            loss = self._scaled(logs["d_loss"], self.d_optimizer)
        variables = self.critic_variables
        logs["nonfinite"] = apply_gradients(self.d_optimizer, tape.gradient(loss, variables),
                                            variables, [logs["d_loss"]], self.on_nan)
        return logs

    def _generator_step(self, images, masks, boxes):
        with tf.GradientTape() as tape:
            coarse, refined = self.generator((images, masks), training=True)
            orthogonality = orthogonality_losses(self.generator)  # not .losses: see its doc
            logs = self.generator_losses(images, coarse, refined, masks, boxes)
            logs["an_orthogonality"] = orthogonality
            logs["g_loss"] += orthogonality
            loss = self._scaled(logs["g_loss"], self.g_optimizer)
        variables = self.generator.trainable_variables
        logs["nonfinite"] = apply_gradients(self.g_optimizer, tape.gradient(loss, variables),
                                            variables, [logs["g_loss"]], self.on_nan)
        return logs

    def critic_losses(self, images, completed, masks, boxes, alpha):
        """WGAN-GP losses of both critics; `alpha` (B,1,1,1) are the interpolation weights."""
        both = tf.concat([images, completed], axis=0)  # real and completed go through together
        real, fake = tf.split(self.global_critic(both), 2)
        global_loss = losses.critic_loss(real, fake)
        global_gp = losses.gradient_penalty(self.global_critic, images, completed, alpha, masks)
        if self.patch_local_critic:
            real, fake = tf.split(self.local_critic(both, tf.concat([masks, masks], 0)), 2)
            local_gp = losses.gradient_penalty(lambda x: self.local_critic(x, masks), images,
                                               completed, alpha, masks)
        else:
            real_box, fake_box, mask_box = self._crop(boxes, images, completed, masks)
            real, fake = tf.split(self.local_critic(tf.concat([real_box, fake_box], 0)), 2)
            local_gp = losses.gradient_penalty(self.local_critic, real_box, fake_box, alpha,
                                               mask_box)
        local_loss = losses.critic_loss(real, fake)
        gp = global_gp + local_gp
        return {"d_loss": global_loss + local_loss + self.gp_weight * gp,
                "d_wasserstein_global": -global_loss, "d_wasserstein_local": -local_loss,
                "gradient_penalty": gp}

    def generator_losses(self, images, coarse, refined, masks, boxes):
        """Adversarial (global + local), discounted L1 and known-region L1 of both stages."""
        completed = refined * masks + images * (1.0 - masks)
        adversarial = losses.generator_adversarial_loss(self.global_critic(completed))
        if self.patch_local_critic:
            adversarial += losses.generator_adversarial_loss(self.local_critic(completed, masks))
        else:
            (completed_box,) = self._crop(boxes, completed)
            adversarial += losses.generator_adversarial_loss(self.local_critic(completed_box))
        discount = losses.spatial_discount(masks, self.discount_gamma)
        stage_l1 = {f"{name}_hole_l1": losses.discounted_l1(images, output, masks, weights=discount)
                    for name, output in (("coarse", coarse), ("refined", refined))}
        hole_l1 = self.coarse_weight * stage_l1["coarse_hole_l1"] + stage_l1["refined_hole_l1"]
        known_l1 = (self.coarse_weight * losses.known_region_l1(images, coarse, masks)
                    + losses.known_region_l1(images, refined, masks))
        g_loss = (self._adversarial_weight() * adversarial + self.l1_weight * hole_l1
                  + self.ae_weight * known_l1)
        return {"g_loss": g_loss, "g_adversarial": adversarial, "hole_l1": hole_l1,
                "known_l1": known_l1, **stage_l1}

    def _adversarial_weight(self):
        """0 during the `pretrain_steps` reconstruction-only steps, then `adversarial_weight`."""
        if not self.pretrain_steps or self.g_optimizer is None:
            return self.adversarial_weight
        pretraining = self.g_optimizer.iterations < self.pretrain_steps
        return tf.where(pretraining, 0.0, self.adversarial_weight)

    def _crop(self, boxes, *tensors):
        return [critics_lib.crop_boxes(t, boxes, self.box_size) for t in tensors]

    def _alpha(self, images):
        """U(0,1) per example, stateless: seeded by (seed + replica id, critic iterations)."""
        replica = tf.distribute.get_replica_context()
        replica_id = 0 if replica is None else replica.replica_id_in_sync_group
        seed = tf.stack([tf.cast(self.seed + replica_id * 1000003, tf.int64),
                         tf.cast(self.d_optimizer.iterations, tf.int64)])
        return tf.random.stateless_uniform([tf.shape(images)[0], 1, 1, 1], seed)

    def _scaled(self, loss, optimizer):
        loss = loss / tf.distribute.get_strategy().num_replicas_in_sync
        if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
            loss = optimizer.scale_loss(loss)
        return loss


def _loss_scaled(optimizer):
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return optimizer
    return keras.optimizers.LossScaleOptimizer(optimizer)
