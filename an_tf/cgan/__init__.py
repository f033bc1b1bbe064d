"""The class-conditional image generation pipeline of Attentive Normalization (Wang et al.,
CVPR 2020): generator, discriminator, residual blocks, hinge losses and the GAN Keras model."""

from an_tf.cgan.blocks import DiscriminatorBlock, GeneratorBlock
from an_tf.cgan.discriminator import Discriminator
from an_tf.cgan.gan_model import ConditionalGAN
from an_tf.cgan.generator import Generator
from an_tf.cgan.export import export_generator
from an_tf.cgan.pipeline import CGANConfig, build_gan

__all__ = ["CGANConfig", "ConditionalGAN", "Discriminator", "DiscriminatorBlock", "Generator",
           "GeneratorBlock", "build_gan", "export_generator"]
