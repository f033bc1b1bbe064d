"""Attentive Normalization (AN), Wang et al., "Attentive Normalization for Conditional Image
Generation", CVPR 2020 (arXiv 2004.03828), section 3 and Algorithm 1 of its supplement.

Shape letters: B batch, H height, W width, C channels, K = max(C // 8, 1) key channels,
n semantic entities, P = H*W positions.
"""

import keras
import tensorflow as tf

from an_tf.ops import regional_normalization

VARIANTS = ("paper", "official")
_DEFAULT_EPSILON = {"paper": 1e-5, "official": 1e-7}


@keras.saving.register_keras_serializable(package="an_tf")
class AttentiveNormalization(keras.layers.Layer):
    """Predicts a soft semantic layout of a feature map and normalizes each soft region separately.

    out = x + gamma * RN(x, S), with S = softmax_n((f(x) + t * F(x)) / temperature), where f is a 1x1
    convolution whose n filters are the learned semantic entities, F is the self-sampling
    regularization (the correlation of q(x) at every position with k(x) at n random positions; only
    with `training=True`), t = clip(ssr_weight, 0, 1), and RN is the regional normalization of
    Algorithm 1 with per-channel beta and alpha. gamma starts at 0, so the layer starts as identity.

    Args:
        num_entities: n, the number of semantic entities (16 in the authors' code).
        temperature: tau, dividing the layout logits before the softmax (10 in the authors' code).
        epsilon: the epsilon of Algorithm 1. None means the variant's default: 1e-5 for "paper" (the
            paper does not give it) and 1e-7 for "official" (the released code's).
        ssr_weight_init: initial value of the per-entity SSR weight t (0.1 in the authors' code).
        ssr_pool_size: if set, k(x) is max-pooled with this pool size (and stride) before positions
            are sampled, as the paper describes; the pool size is not given in the paper and the
            released code does not pool, so the default is None (no pooling).
        per_example_sampling: draw the n sampled positions separately for every example instead of
            once per forward pass shared by the batch (the released code's behaviour).
        orthogonal_weight: lambda of the entity orthogonality loss, added with `add_loss`:
            lambda * ||W W^T - I||_F^2 for "paper", lambda * sum(W W^T - I) (a signed sum, as in the
            released code) for "official"; W is the (n, C) matrix of entity filters. 0 disables it.
        variant: "paper" (the paper and Algorithm 1) or "official", a reproduction of the authors'
            released TF1 inpainting code rather than the paper: normalizes v(x) (an extra 1x1 conv),
            mean = sum(X*S) / (P*c), no beta/alpha, SSR also at inference, signed-sum loss, eps 1e-7.
        implementation: "fused" (default, no (B,H,W,C,n) tensor) or "literal" (Algorithm 1 verbatim).
        seed: seed of the position sampling (None: drawn from Keras' global seed).
        **kwargs: standard `keras.layers.Layer` arguments (name, dtype, ...).

    Call arguments:
        x: (B, H, W, C) feature maps; C must be known.
        training: SSR is applied only when True (and always for variant="official").
        return_layout: also return the soft layout S, (B, H, W, n) float32.

    Example:
        >>> layer = AttentiveNormalization(num_entities=8)
        >>> y, layout = layer(tf.random.normal([2, 32, 32, 64]), training=True, return_layout=True)

    Reference: https://arxiv.org/abs/2004.03828
    """

    def __init__(
        self,
        num_entities=16,
        temperature=10.0,
        epsilon=None,
        ssr_weight_init=0.1,
        ssr_pool_size=None,
        per_example_sampling=False,
        orthogonal_weight=1e-3,
        variant="paper",
        implementation="fused",
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        _validate_arguments(
            num_entities, temperature, epsilon, ssr_pool_size, orthogonal_weight, variant,
            implementation,
        )
        self.num_entities = int(num_entities)
        self.temperature = float(temperature)
        self.epsilon = float(_DEFAULT_EPSILON[variant] if epsilon is None else epsilon)
        self.ssr_weight_init = float(ssr_weight_init)
        self.ssr_pool_size = None if ssr_pool_size is None else int(ssr_pool_size)
        self.per_example_sampling = bool(per_example_sampling)
        self.orthogonal_weight = float(orthogonal_weight)
        self.variant = variant
        self.implementation = implementation
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed, name="ssr_seed_generator")
        self.entity_conv = keras.layers.Conv2D(
            self.num_entities, 1, use_bias=False,
            kernel_initializer=keras.initializers.RandomNormal(0.0, 1.0, seed=seed),
            dtype=self.dtype_policy, name="entity_conv",
        )
        self.key_pool = None
        if self.ssr_pool_size:
            self.key_pool = keras.layers.MaxPooling2D(
                self.ssr_pool_size, padding="same", dtype=self.dtype_policy, name="key_pool"
            )
        self.key_conv = self.query_conv = self.value_conv = None

    def build(self, input_shape):
        if len(input_shape) != 4 or input_shape[-1] is None:
            raise ValueError(
                "AttentiveNormalization needs inputs (B, H, W, C) with C known at build time, "
                f"got shape {tuple(input_shape)}"
            )
        channels = int(input_shape[-1])
        key_channels = max(channels // 8, 1)
        # These sublayers are sized by C, so they are created here rather than in __init__.
        self.key_conv = keras.layers.Conv2D(
            key_channels, 1, dtype=self.dtype_policy, name="key_conv"
        )
        self.query_conv = keras.layers.Conv2D(
            key_channels, 1, dtype=self.dtype_policy, name="query_conv"
        )
        for sublayer in (self.entity_conv, self.key_conv, self.query_conv):
            sublayer.build(input_shape)
        if self.variant == "official":
            self.value_conv = keras.layers.Conv2D(
                channels, 1, dtype=self.dtype_policy, name="value_conv"
            )
            self.value_conv.build(input_shape)
        # autocast=False: these are read in float32 (statistics and the layout stay float32).
        self.ssr_weight = self.add_weight(
            name="ssr_weight", shape=(self.num_entities,), autocast=False,
            initializer=keras.initializers.Constant(self.ssr_weight_init),
        )
        self.gamma = self.add_weight(
            name="gamma", shape=(), initializer="zeros", autocast=False
        )
        self.beta = self.alpha = None
        if self.variant == "paper":
            self.beta = self.add_weight(
                name="beta", shape=(channels,), initializer="ones", autocast=False
            )
            self.alpha = self.add_weight(
                name="alpha", shape=(channels,), initializer="zeros", autocast=False
            )
        self.built = True

    def call(self, x, training=None, return_layout=False):
        layout = self.soft_layout(x, training=training)  # (B,H,W,n) float32
        source = self.value_conv(x) if self.variant == "official" else x  # (B,H,W,C)
        normalized = regional_normalization(
            source, layout,
            beta=None if self.beta is None else tf.convert_to_tensor(self.beta),
            alpha=None if self.alpha is None else tf.convert_to_tensor(self.alpha),
            epsilon=self.epsilon, implementation=self.implementation,
            mean_over_positions=self.variant == "official",
        )  # (B,H,W,C)
        gamma = tf.cast(tf.convert_to_tensor(self.gamma), self.compute_dtype)
        outputs = x + gamma * tf.cast(normalized, self.compute_dtype)
        if self.orthogonal_weight:
            self.add_loss(self.orthogonality_loss())
        if return_layout:
            return outputs, layout
        return outputs

    def soft_layout(self, x, training=None):
        """S = softmax_n((f(x) + t * F(x)) / temperature): (B, H, W, n), float32."""
        logits = tf.cast(self.entity_conv(x), tf.float32)  # (B,H,W,n)
        if training or self.variant == "official":
            ssr_weight = tf.clip_by_value(tf.convert_to_tensor(self.ssr_weight), 0.0, 1.0)
            logits += ssr_weight * self.self_sampling(x)  # (n,) * (B,H,W,n)
        return tf.nn.softmax(logits / self.temperature, axis=-1)

    def self_sampling(self, x):
        """F(x): q(x) at every position dotted with k(x) at n random positions, (B,H,W,n) float32."""
        shape = tf.shape(x)
        batch, height, width = shape[0], shape[1], shape[2]
        keys = self.key_conv(x)  # (B,H,W,K)
        if self.key_pool is not None:
            keys = self.key_pool(keys)  # (B,H',W',K)
        key_channels = self.key_conv.filters
        keys = tf.reshape(tf.cast(keys, tf.float32), [batch, -1, key_channels])  # (B,P',K)
        queries = tf.cast(self.query_conv(x), tf.float32)
        queries = tf.reshape(queries, [batch, -1, key_channels])  # (B,P,K)
        num_keys = tf.shape(keys)[1]
        if self.per_example_sampling:
            positions = self._sample_positions(tf.stack([batch, self.num_entities]), num_keys)
            sampled = tf.gather(keys, positions, axis=1, batch_dims=1)  # (B,n,K)
        else:
            positions = self._sample_positions([self.num_entities], num_keys)
            sampled = tf.gather(keys, positions, axis=1)  # (B,n,K)
        correlation = tf.matmul(queries, sampled, transpose_b=True)  # (B,P,n)
        return tf.reshape(correlation, [batch, height, width, self.num_entities])

    def _sample_positions(self, shape, num_positions):
        # Uniform with replacement, as the released code's multinomial over uniform logits.
        seed = tf.cast(self.seed_generator.next(), tf.int32)
        return tf.random.stateless_uniform(
            shape, seed=seed, minval=0, maxval=num_positions, dtype=tf.int32
        )

    def orthogonality_loss(self):
        """lambda * ||W W^T - I||_F^2 ("paper") or lambda * sum(W W^T - I) ("official"), float32."""
        kernel = tf.convert_to_tensor(self.entity_conv.kernel)  # (1,1,C,n)
        entities = tf.transpose(tf.reshape(tf.cast(kernel, tf.float32), [-1, self.num_entities]))
        residual = tf.matmul(entities, entities, transpose_b=True) - tf.eye(self.num_entities)
        if self.variant == "official":
            return self.orthogonal_weight * tf.reduce_sum(residual)
        return self.orthogonal_weight * tf.reduce_sum(tf.square(residual))

    def compute_output_spec(self, x, training=None, return_layout=False):
        outputs = keras.KerasTensor(x.shape, dtype=self.compute_dtype)
        if return_layout:
            return outputs, keras.KerasTensor(x.shape[:3] + (self.num_entities,), dtype="float32")
        return outputs

    def get_config(self):
        config = super().get_config()
        config.update(
            num_entities=self.num_entities,
            temperature=self.temperature,
            epsilon=self.epsilon,
            ssr_weight_init=self.ssr_weight_init,
            ssr_pool_size=self.ssr_pool_size,
            per_example_sampling=self.per_example_sampling,
            orthogonal_weight=self.orthogonal_weight,
            variant=self.variant,
            implementation=self.implementation,
            seed=self.seed,
        )
        return config


def orthogonality_losses(network):
    """Sum of the orthogonality losses of the AN layers inside `network` (float32 scalar, 0 if none).

    Custom train steps should call this inside their GradientTape instead of reading
    `network.losses`: Keras keeps `add_loss` terms in a list on the layer object, which the replica
    threads of a MirroredStrategy share, so under synchronized batch norm a replica's `losses` was
    seen holding both replicas' terms (TF 2.21 / Keras 3.15). The loss depends only on the weights,
    so this gives the same value as `add_loss` on one device.
    """
    terms = [
        tf.cast(layer.orthogonality_loss(), tf.float32)
        for layer in network._flatten_layers()
        if isinstance(layer, AttentiveNormalization) and layer.orthogonal_weight
    ]
    return tf.add_n([tf.constant(0.0)] + terms)


def _validate_arguments(
    num_entities, temperature, epsilon, ssr_pool_size, orthogonal_weight, variant, implementation
):
    if not isinstance(num_entities, int) or num_entities < 1:
        raise ValueError(f"num_entities must be a positive integer, got {num_entities!r}")
    if not temperature > 0:
        raise ValueError(f"temperature must be > 0, got {temperature!r}")
    if epsilon is not None and not epsilon > 0:
        raise ValueError(f"epsilon must be > 0, got {epsilon!r}")
    if ssr_pool_size is not None and (not isinstance(ssr_pool_size, int) or ssr_pool_size < 1):
        raise ValueError(f"ssr_pool_size must be None or a positive integer, got {ssr_pool_size!r}")
    if not orthogonal_weight >= 0:
        raise ValueError(f"orthogonal_weight must be >= 0, got {orthogonal_weight!r}")
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    if implementation not in ("fused", "literal"):
        raise ValueError(f"implementation must be 'fused' or 'literal', got {implementation!r}")
