"""The arms of the small-scale cGAN study (experiments/study_cgan.py) as `CGANConfig` options,
applied by `pipeline.build_gan` to the freshly built networks:

- `ssr=False`: self-sampling regularization off for good (supplement's ablation): every AN
  layer's SSR weight is set to -1, so t = clip(w, 0, 1) = 0 and its gradient is zero.
- `entity_init="orthogonal"`: AN's entities drawn orthonormal (orthogonality loss 0 at the start)
  instead of N(0, 1) as the paper.
- `perturb_init_ulps=k`: every float weight of G and D moved k ulps, towards +inf or -inf at
  random per element (numpy generator of `perturb_seed`): the chaos floor's runs that differ from
  their twin only in rounding (experiments/chaos_floor.py).

The defaults change nothing, so that a default run is bit-identical to one built without them.
"""

import keras
import numpy as np
import tensorflow as tf

ENTITY_INITS = ("normal", "orthogonal")

# arm -> the CGANConfig fields it sets (the rest comes from the study's flags).
ARMS = {
    "an": {"attention": "an"},
    "self_attention": {"attention": "self_attention"},
    "none": {"attention": "none"},
    "none_projection": {"attention": "none", "conditioning": "projection"},
    "an_no_ssr": {"attention": "an", "ssr": False},
    "an_orthogonal_init": {"attention": "an", "entity_init": "orthogonal"},
}
STUDIES = {"attention": ("an", "self_attention", "none", "none_projection"),
           "ssr": ("an", "an_no_ssr"), "entity_init": ("an", "an_orthogonal_init"),
           "all": tuple(ARMS)}


def validate_arm_options(ssr, entity_init, perturb_init_ulps):
    """ValueError naming the option when one is impossible (CGANConfig's check)."""
    if not isinstance(ssr, bool):
        raise ValueError(f"ssr must be True or False, got {ssr!r}")
    if entity_init not in ENTITY_INITS:
        raise ValueError(f"entity_init must be one of {ENTITY_INITS}, got {entity_init!r}")
    if not isinstance(perturb_init_ulps, int) or perturb_init_ulps < 0:
        raise ValueError(f"perturb_init_ulps must be an integer >= 0, got {perturb_init_ulps!r}")


def apply_arm_options(gan, config, seed):
    """Applies `config`'s ssr, entity_init and perturb_init_ulps to a built `ConditionalGAN` (in
    that order, G's AN layers before D's), then restarts the EMA copy from G; the defaults leave
    the GAN untouched."""
    if config.ssr and config.entity_init == "normal" and not config.perturb_init_ulps:
        return
    layers = [*gan.generator.an_layers().values(), *gan.discriminator.an_layers().values()]
    for index, layer in enumerate(layers):
        if not config.ssr:
            layer.ssr_weight.assign(-tf.ones_like(layer.ssr_weight))
        if config.entity_init == "orthogonal":
            kernel = layer.entity_conv.kernel  # (1,1,C,n)
            values = keras.initializers.Orthogonal(seed=seed * 100 + index)(kernel.shape[2:])
            kernel.assign(tf.reshape(values, kernel.shape))
    if config.perturb_init_ulps:
        perturb_ulps([*gan.generator.weights, *gan.discriminator.weights],
                     config.perturb_init_ulps, config.perturb_seed)
    if gan.ema_generator is not None:  # the EMA copy starts equal to G
        for ema_weight, weight in zip(gan.ema_generator.weights, gan.generator.weights):
            ema_weight.assign(weight)


def perturb_ulps(weights, ulps, seed):
    """Moves every float variable of `weights` by `ulps` ulps (np.nextafter), towards +inf or
    -inf at random per element (numpy generator of `seed`): a change of rounding size only."""
    rng = np.random.default_rng(seed)
    for weight in weights:
        if not np.issubdtype(np.dtype(weight.dtype), np.floating):
            continue
        values = np.asarray(weight.numpy())
        target = np.where(rng.random(values.shape) < 0.5, -np.inf, np.inf).astype(values.dtype)
        for _ in range(ulps):
            values = np.nextafter(values, target)
        weight.assign(values)
