"""Keras layers of an_tf."""

from an_tf.layers.attentive_normalization import AttentiveNormalization, orthogonality_losses
from an_tf.layers.conditional_batch_norm import ConditionalBatchNormalization
from an_tf.layers.self_attention import SelfAttention

__all__ = ["AttentiveNormalization", "ConditionalBatchNormalization", "SelfAttention",
           "orthogonality_losses"]
