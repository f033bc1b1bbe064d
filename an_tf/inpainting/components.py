"""Components of the two-stage inpainting generator of Wang et al., "Attentive Normalization
for Conditional Image Generation", CVPR 2020, supplement section 1 (built on Yu et al.,
"Generative Image Inpainting with Contextual Attention", CVPR 2018, "CA").

Conv(k, c, s, d): kernel k, c filters, stride s, dilation d, "same" padding, ELU unless stated;
"x2" is nearest-neighbour upsampling by 2. Widths are written for `channels=32` (the paper's) and
scale linearly with `channels`.

Shape letters: B batch, H height, W width, C channels, n semantic entities.
"""

import keras
import tensorflow as tf

from an_tf.layers import AttentiveNormalization

UPSAMPLE = "x2"

# (kernel, filters at channels=32, stride, dilation, activation) or "x2": the supplement's component
# list verbatim; `scaled_filters` rescales the widths for other `channels`.
ENCODER_SPEC = ((5, 32, 1, 1, "elu"), (3, 64, 2, 1, "elu"), (3, 64, 1, 1, "elu"),
                (3, 128, 2, 1, "elu"), (3, 128, 1, 1, "elu"))
BOTTLENECK_SPEC = ((3, 128, 1, 2, "elu"), (3, 128, 1, 4, "elu"), (3, 128, 1, 8, "elu"),
                   (3, 128, 1, 16, "elu"))
DECODER1_SPEC = (UPSAMPLE, (3, 64, 1, 1, "elu"), (3, 64, 1, 1, "elu"), UPSAMPLE,
                 (3, 32, 1, 1, "elu"), (3, 16, 1, 1, "elu"), (3, 3, 1, 1, None))
DECODER2_SPEC = ((3, 128, 1, 1, "elu"), (3, 128, 1, 1, "elu")) + DECODER1_SPEC
# CA's contextual-attention branch before the attention layer (its last conv uses ReLU).
CONTEXTUAL_ENCODER_SPEC = ((5, 32, 1, 1, "elu"), (3, 32, 2, 1, "elu"), (3, 64, 1, 1, "elu"),
                           (3, 128, 2, 1, "elu"), (3, 128, 1, 1, "elu"), (3, 128, 1, 1, "relu"))
BRANCH_OUTPUT_SPEC = ((3, 128, 1, 1, "elu"), (3, 128, 1, 1, "elu"))
IMAGE_CHANNELS = 3
# The AN arguments that saved configs of older models carry one by one (now in "an_options").
_SEPARATE_AN_ARGUMENTS = {"temperature": "temperature", "orthogonal_weight": "orthogonal_weight",
                          "ssr_weight_init": "ssr_weight_init", "an_variant": "variant"}


def with_an_options(config):
    """A copy of a layer config in which the separate AN arguments of older saved models
    (temperature, orthogonal_weight, ssr_weight_init, an_variant) are moved into "an_options"."""
    config = dict(config)
    separate = {name: config.pop(old) for old, name in _SEPARATE_AN_ARGUMENTS.items()
                if old in config}
    if separate:
        config["an_options"] = {**separate, **(config.get("an_options") or {})}
    return config


def scaled_filters(filters, channels):
    """Width of a conv for generator width `channels` (the supplement's widths are for 32).

    The RGB output keeps 3 filters; every other width scales by channels / 32 (at least 1).
    """
    if filters == IMAGE_CHANNELS:
        return IMAGE_CHANNELS
    return max(filters * channels // 32, 1)


@keras.saving.register_keras_serializable(package="an_tf")
class ConvStack(keras.layers.Layer):
    """A sequence of Conv(k, c, s, d) + activation and x2 upsamplings given by a spec list.

    Args:
        spec: sequence of `(kernel, filters_at_32, stride, dilation, activation)` tuples or "x2".
        channels: generator width; filters are scaled by `channels / 32` (RGB outputs stay 3).
        clip_output: clip the output to [-1, 1] in float32 (Decoder1's last step).
        **kwargs: standard layer arguments.

    Call arguments:
        x: (B, H, W, C) -> (B, H * 2^u / prod(strides), W * ..., C_out).
    """

    def __init__(self, spec, channels=32, clip_output=False, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(channels, int) or channels < 1:
            raise ValueError(f"channels must be a positive integer, got {channels!r}")
        self.spec = [item if item == UPSAMPLE else tuple(item) for item in spec]
        self.channels = channels
        self.clip_output = bool(clip_output)
        self.steps = []
        for index, item in enumerate(self.spec):
            if item == UPSAMPLE:
                self.steps.append(keras.layers.UpSampling2D(
                    2, interpolation="nearest", dtype=self.dtype_policy, name=f"up_{index}"))
                continue
            kernel, filters, stride, dilation, activation = item
            self.steps.append(keras.layers.Conv2D(
                scaled_filters(filters, channels), kernel, strides=stride, dilation_rate=dilation,
                padding="same", activation=activation, dtype=self.dtype_policy,
                name=f"conv_{index}"))

    def build(self, input_shape):
        shape = tuple(input_shape)
        for step in self.steps:
            step.build(shape)
            shape = tuple(step.compute_output_shape(shape))
        self.built = True

    def call(self, x):
        for step in self.steps:
            x = step(x)
        if self.clip_output:
            # Clipping (not tanh) as the supplement and CA; in float32 under mixed precision.
            x = tf.clip_by_value(tf.cast(x, tf.float32), -1.0, 1.0)
        return x

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for step in self.steps:
            shape = tuple(step.compute_output_shape(shape))
        return shape

    def compute_output_spec(self, x):
        dtype = "float32" if self.clip_output else self.compute_dtype
        return keras.KerasTensor(self.compute_output_shape(x.shape), dtype=dtype)

    def get_config(self):
        config = super().get_config()
        config.update(spec=[list(s) if s != UPSAMPLE else s for s in self.spec],
                      channels=self.channels, clip_output=self.clip_output)
        return config


def Encoder(channels=32, **kwargs):  # noqa: N802 (a layer factory named like the paper's block)
    """Encoder: Conv(5,32,1,1) -> Conv(3,64,2,1) -> Conv(3,64,1,1) -> Conv(3,128,2,1) ->
    Conv(3,128,1,1), ELU after each. (B,H,W,C) -> (B,H/4,W/4,4*channels)."""
    return ConvStack(ENCODER_SPEC, channels, **kwargs)


def Bottleneck(channels=32, max_dilation=0, **kwargs):  # noqa: N802
    """Bottleneck: Conv(3,128,1,d) for d = 2, 4, 8, 16, ELU after each.

    `max_dilation` > 0 caps d (d -> min(d, max_dilation)): on small crops a dilation as large as
    the feature map reads only zero padding (at 64x64 input the maps are 16x16 and the d=16 conv
    sees nothing but its centre tap), which leaves seams at the feature-map edges. 0 (no cap) is
    the supplement's network.
    """
    return ConvStack(bottleneck_spec(max_dilation), channels, **kwargs)


def bottleneck_spec(max_dilation=0):
    """BOTTLENECK_SPEC with every dilation capped at `max_dilation` (0: unchanged)."""
    if not isinstance(max_dilation, int) or max_dilation < 0:
        raise ValueError(f"max_dilation must be an integer >= 0, got {max_dilation!r}")
    if not max_dilation:
        return BOTTLENECK_SPEC
    return tuple((k, c, s, min(d, max_dilation), a) for k, c, s, d, a in BOTTLENECK_SPEC)


def Decoder1(channels=32, **kwargs):  # noqa: N802
    """Decoder1: x2 -> Conv(3,64) -> Conv(3,64) -> x2 -> Conv(3,32) -> Conv(3,16) -> Conv(3,3) with
    no activation -> clip to [-1, 1]. (B,H/4,W/4,C) -> (B,H,W,3) float32."""
    return ConvStack(DECODER1_SPEC, channels, clip_output=True, **kwargs)


def Decoder2(channels=32, **kwargs):  # noqa: N802
    """Decoder2: Conv(3,128) -> Conv(3,128) -> Decoder1 (its own weights)."""
    return ConvStack(DECODER2_SPEC, channels, clip_output=True, **kwargs)


@keras.saving.register_keras_serializable(package="an_tf")
class AttentiveBranch(keras.layers.Layer):
    """Attentive branch: Conv(3,128,1,1) with no activation -> AN -> [ELU] -> Conv(3,128,1,1) ->
    Conv(3,128,1,1), ELU after the last two.

    Args:
        channels: generator width (128 filters at channels=32).
        elu_after_an: apply an ELU right after AN, as the authors' released code does; the
            supplement writes none, hence the default False.
        num_entities, seed: AN's number of entities and seed of its self-sampling.
        an_options: dict of further `AttentiveNormalization` arguments (None: its defaults).
        **kwargs: standard layer arguments.

    Call arguments:
        x: (B, H, W, C); training; return_layout -> also the (B, H, W, n) float32 layout.
    """

    def __init__(self, channels=32, elu_after_an=False, num_entities=16, an_options=None, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        if not isinstance(channels, int) or channels < 1:
            raise ValueError(f"channels must be a positive integer, got {channels!r}")
        self.channels = channels
        self.elu_after_an = bool(elu_after_an)
        self.num_entities = num_entities
        self.an_options = dict(an_options or {})
        self.seed = seed
        width = scaled_filters(128, channels)
        self.input_conv = keras.layers.Conv2D(
            width, 3, padding="same", dtype=self.dtype_policy, name="input_conv")
        self.attentive_normalization = AttentiveNormalization(
            num_entities=num_entities, **self.an_options, seed=seed, dtype=self.dtype_policy,
            name="attentive_normalization")
        self.output_convs = ConvStack(BRANCH_OUTPUT_SPEC, channels, dtype=self.dtype_policy,
                                      name="output_convs")

    def build(self, input_shape):
        self.input_conv.build(input_shape)
        shape = tuple(self.input_conv.compute_output_shape(input_shape))
        self.attentive_normalization.build(shape)
        self.output_convs.build(shape)
        self.built = True

    def call(self, x, training=None, return_layout=False):
        x = self.input_conv(x)  # (B,H,W,C) no activation
        x, layout = self.attentive_normalization(x, training=training, return_layout=True)
        if self.elu_after_an:
            x = keras.activations.elu(x)
        x = self.output_convs(x)
        return (x, layout) if return_layout else x

    def get_config(self):
        config = super().get_config()
        config.update(channels=self.channels, elu_after_an=self.elu_after_an,
                      num_entities=self.num_entities, an_options=dict(self.an_options),
                      seed=self.seed)
        return config

    @classmethod
    def from_config(cls, config):
        return super().from_config(with_an_options(config))
