"""an_tf: Attentive Normalization for Conditional Image Generation (Wang et al., CVPR 2020) in
TensorFlow 2 / Keras 3."""

__version__ = "0.1.0"
