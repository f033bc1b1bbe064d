"""Generative image inpainting with attentive normalization (Wang et al., CVPR 2020, supplement
section 1): the two-stage generator, CA's critics, losses, the training model, metrics, export."""

from an_tf.inpainting.components import AttentiveBranch
from an_tf.inpainting.components import Bottleneck
from an_tf.inpainting.components import Decoder1
from an_tf.inpainting.components import Decoder2
from an_tf.inpainting.components import Encoder
from an_tf.inpainting.contextual_attention import ContextualAttention
from an_tf.inpainting.critics import GlobalCritic
from an_tf.inpainting.critics import LocalCritic
from an_tf.inpainting.critics import PatchCritic
from an_tf.inpainting.generator import InpaintingGenerator
from an_tf.inpainting.model import InpaintingGAN

__all__ = [
    "AttentiveBranch",
    "Bottleneck",
    "ContextualAttention",
    "Decoder1",
    "Decoder2",
    "Encoder",
    "GlobalCritic",
    "InpaintingGAN",
    "InpaintingGenerator",
    "LocalCritic",
    "PatchCritic",
]
