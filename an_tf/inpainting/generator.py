"""The two-stage inpainting generator of Wang et al., "Attentive Normalization for Conditional Image
Generation", CVPR 2020 (supplement section 1, Figure 3), on the framework of Yu et al., CVPR 2018:

    X -> Encoder -> Bottleneck -> Decoder1 -> X~                       (coarse)
    S(X~, X) -> Encoder -> Attentive branch -> X~af
    S(X~, X) -> Encoder -> Bottleneck -> X~bf
    concat(X~af, X~bf) -> Decoder2 -> X^                                (refined)

with separate weights for every Encoder/Bottleneck/Decoder instance. X is the image with its holes
zeroed plus the mask channel (and optionally a channel of ones, as CA's code). The stage-2 input S
is, with stage2_input="paste" (CA's and the authors' released code), the coarse result pasted into
the hole, X~*m + image*(1-m), with the mask (and ones) channels; with "concat" (the supplement's
literal concat(X~, X)) the raw coarse output beside X.

Shape letters: B batch, H height, W width (multiples of 4, or of 8 for "contextual"), n entities.
"""

import keras
import tensorflow as tf

from an_tf.inpainting import components
from an_tf.inpainting.contextual_attention import ContextualAttention

ATTENTIONS = ("an", "none", "contextual")
STAGE2_INPUTS = ("paste", "concat")


@keras.saving.register_keras_serializable(package="an_tf")
class InpaintingGenerator(keras.Model):
    """Coarse-to-fine inpainting generator with an attentive-normalization branch.

    Args:
        channels: width; 32 gives the supplement's widths (32 ... 128), others scale linearly.
        attention: "an" (the paper's attentive branch), "none" (no second branch: an ablation) or
            "contextual" (CA's contextual-attention branch in its place, the paper's baseline).
        elu_after_an: ELU right after AN (the released code's; the supplement writes none).
        num_entities: AN's number of semantic entities n.
        an_options: dict of further `AttentiveNormalization` arguments (None: its defaults), as
            the cGAN's `Generator`.
        ones_channel: add CA's constant channel of ones to the input.
        seed: seed of AN's self-sampling.
        stage2_input: "paste" (default, CA and the released code) or "concat" (see module doc).
        max_dilation: cap of the bottleneck dilations (0: none, the paper's; see
            `components.Bottleneck`), for crops too small for dilation 16.
        **kwargs: standard `keras.Model` arguments.

    Call arguments:
        inputs: tuple (images (B,H,W,3) in [-1, 1], masks (B,H,W,1) in {0, 1}, 1 = missing).
            Holes are zeroed here. H and W must be multiples of 4 (8 for "contextual"): pad with
            `an_tf.inpainting.inference.pad_to_multiple` otherwise.
        training: Python bool.
        return_layout: also return AN's layout (B, H/4, W/4, n) (only with attention="an").
    Returns:
        (coarse, refined), each (B, H, W, 3) float32 in [-1, 1] (plus the layout on request).

    Example:
        >>> generator = InpaintingGenerator(channels=8)
        >>> coarse, refined = generator((tf.zeros([2, 64, 64, 3]), tf.ones([2, 64, 64, 1])))

    Reference: https://arxiv.org/abs/2004.03828
    """

    def __init__(self, channels=32, attention="an", elu_after_an=False, num_entities=16,
                 an_options=None, ones_channel=False, seed=None, stage2_input="paste",
                 max_dilation=0, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(channels, int) or channels < 1:
            raise ValueError(f"channels must be a positive integer, got {channels!r}")
        if attention not in ATTENTIONS:
            raise ValueError(f"attention must be one of {ATTENTIONS}, got {attention!r}")
        if stage2_input not in STAGE2_INPUTS:
            raise ValueError(f"stage2_input must be one of {STAGE2_INPUTS}, got {stage2_input!r}")
        components.bottleneck_spec(max_dilation)  # validates it
        self.stage2_input = stage2_input
        self.max_dilation = max_dilation
        self.channels = channels
        self.attention = attention
        self.elu_after_an = bool(elu_after_an)
        self.num_entities = num_entities
        self.an_options = dict(an_options or {})
        self.ones_channel = bool(ones_channel)
        self.seed = seed
        self.size_multiple = 8 if attention == "contextual" else 4
        policy = self.dtype_policy
        self.coarse_encoder = components.Encoder(channels, dtype=policy, name="coarse_encoder")
        self.coarse_bottleneck = components.Bottleneck(channels, max_dilation, dtype=policy,
                                                       name="coarse_bottleneck")
        self.coarse_decoder = components.Decoder1(channels, dtype=policy, name="coarse_decoder")
        self.refine_encoder = components.Encoder(channels, dtype=policy, name="refine_encoder")
        self.refine_bottleneck = components.Bottleneck(channels, max_dilation, dtype=policy,
                                                       name="refine_bottleneck")
        self.refine_decoder = components.Decoder2(channels, dtype=policy, name="refine_decoder")
        self.branch_encoder = self.attentive_branch = self.contextual_attention = None
        self.branch_output = None
        if attention == "an":
            self.branch_encoder = components.Encoder(channels, dtype=policy, name="branch_encoder")
            self.attentive_branch = components.AttentiveBranch(
                channels, elu_after_an=elu_after_an, num_entities=num_entities,
                an_options=self.an_options, seed=seed, dtype=policy, name="attentive_branch")
        elif attention == "contextual":
            self.branch_encoder = components.ConvStack(
                components.CONTEXTUAL_ENCODER_SPEC, channels, dtype=policy, name="branch_encoder")
            self.contextual_attention = ContextualAttention(dtype=policy,
                                                            name="contextual_attention")
            self.branch_output = components.ConvStack(
                components.BRANCH_OUTPUT_SPEC, channels, dtype=policy, name="branch_output")

    def build(self, input_shape):
        image_shape, _ = input_shape
        batch, height, width = image_shape[0], image_shape[1], image_shape[2]
        in_channels = 3 + 1 + int(self.ones_channel)
        self.coarse_encoder.build((batch, height, width, in_channels))
        features = tuple(self.coarse_encoder.compute_output_shape((batch, height, width,
                                                                   in_channels)))
        self.coarse_bottleneck.build(features)
        self.coarse_decoder.build(features)
        coarse_channels = 3 if self.stage2_input == "concat" else 0  # paste: in the image's place
        refine_in = (batch, height, width, in_channels + coarse_channels)
        self.refine_encoder.build(refine_in)
        self.refine_bottleneck.build(features)
        width_128 = components.scaled_filters(128, self.channels)
        branches = 1 if self.attention == "none" else 2
        self.refine_decoder.build(features[:3] + (branches * width_128,))
        if self.branch_encoder is not None:
            self.branch_encoder.build(refine_in)
        if self.attentive_branch is not None:
            self.attentive_branch.build(features)
        if self.branch_output is not None:
            self.branch_output.build(features)
        self.built = True

    def __call__(self, inputs, *args, **kwargs):
        # Checked before Keras' __call__, which would wrap the error in a multi-line report.
        if isinstance(inputs, (tuple, list)) and inputs:
            self._check_size(inputs[0])
        return super().__call__(inputs, *args, **kwargs)

    def call(self, inputs, training=None, return_layout=False):
        images, masks = inputs
        if return_layout and self.attention != "an":
            raise ValueError(f"return_layout needs attention='an', got {self.attention!r}")
        self._check_size(images)
        masks = tf.cast(masks, self.compute_dtype)
        x = tf.concat(self._network_input(images, masks), axis=-1)  # (B,H,W,4 or 5)
        features = self.coarse_bottleneck(self.coarse_encoder(x))  # (B,H/4,W/4,4c)
        coarse = self.coarse_decoder(features)  # (B,H,W,3) float32 in [-1, 1]
        x = self._stage2_input(coarse, images, masks, x)  # (B,H,W,4|5) paste, (B,H,W,7|8) concat
        refined_features = [self.refine_bottleneck(self.refine_encoder(x))]  # (B,H/4,W/4,4c)
        layout = None
        if self.attention == "an":
            attended, layout = self.attentive_branch(
                self.branch_encoder(x), training=training, return_layout=True)
            refined_features.insert(0, attended)
        elif self.attention == "contextual":
            branch = self.branch_encoder(x)  # (B,H/4,W/4,4c)
            small_masks = masks[:, ::4, ::4, :]  # (B,H/4,W/4,1) nearest-neighbour downsampling
            attended = self.contextual_attention(branch, small_masks)
            refined_features.insert(0, self.branch_output(attended))
        refined = self.refine_decoder(tf.concat(refined_features, axis=-1))  # (B,H,W,3) float32
        if return_layout:
            return coarse, refined, layout
        return coarse, refined

    def _network_input(self, images, masks):
        images = tf.cast(images, self.compute_dtype) * (1.0 - masks)  # holes zeroed
        parts = [images, masks]
        if self.ones_channel:
            parts.insert(1, tf.ones_like(masks))
        return parts

    def _stage2_input(self, coarse, images, masks, x):
        coarse = tf.cast(coarse, self.compute_dtype)
        if self.stage2_input == "concat":
            return tf.concat([coarse, x], axis=-1)
        pasted = coarse * masks + tf.cast(images, self.compute_dtype) * (1.0 - masks)
        return tf.concat([pasted] + self._network_input(images, masks)[1:], axis=-1)

    def _check_size(self, images):
        multiple = self.size_multiple
        height, width = images.shape[1], images.shape[2]
        if height is not None and width is not None:
            if height % multiple or width % multiple:
                raise ValueError(
                    f"InpaintingGenerator(attention={self.attention!r}) needs image sides that are "
                    f"multiples of {multiple}, got {height}x{width}: pad them with "
                    "an_tf.inpainting.inference.pad_to_multiple")

    def get_config(self):
        config = super().get_config()
        config.update(channels=self.channels, attention=self.attention,
                      elu_after_an=self.elu_after_an, num_entities=self.num_entities,
                      an_options=dict(self.an_options), ones_channel=self.ones_channel,
                      seed=self.seed, stage2_input=self.stage2_input,
                      max_dilation=self.max_dilation)
        return config

    @classmethod
    def from_config(cls, config):
        """Also reads configs saved before `an_options` (separate AN arguments)."""
        return super().from_config(components.with_an_options(config))
