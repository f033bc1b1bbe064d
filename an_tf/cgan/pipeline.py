"""The pieces `an_tf.training.run_training` needs for the AN cGAN (Wang et al., CVPR 2020): the
model builder, the input pipeline, and the export function, all from one frozen `CGANConfig`.

Shape letters: B batch, R resolution, Z noise size.
"""

import dataclasses

import keras
import tensorflow as tf

from an_tf.cgan import study_arms
from an_tf.cgan.discriminator import CONDITIONINGS, Discriminator, discriminator_widths
from an_tf.cgan.export import export_generator
from an_tf.cgan.gan_model import ConditionalGAN
from an_tf.cgan.generator import Generator, generator_widths, validate_common
from an_tf.cgan.data_sources import (  # noqa: F401 (the data interface of the pipeline)
    CLASS_NAMES_FILE, DATASETS, check_class_names, make_data_source, read_class_names,
    write_class_names)
from an_tf.data.imagenet import NUM_CLASSES as IMAGENET_CLASSES
from an_tf.data.streams import first_element


@dataclasses.dataclass(frozen=True)
class CGANConfig:
    """Model, optimisation and data settings of a cGAN run (defaults: the paper's 128^2 setting).

    Args:
        dataset: "imagenet2012" (tfds, manual download), "synthetic" (built-in shapes),
            "image_folder" (DIR/<class>/images) or "tfds" (any tfds image classification set).
        data_dir, manual_dir: tfds data directory and ImageNet archive directory.
        synthetic_examples: size of the synthetic dataset.
        image_folder: the labelled folder DIR (dataset "image_folder").
        tfds_name, tfds_split, tfds_image_key, tfds_label_key: the tfds dataset (dataset "tfds").
        random_crop, random_flip: training augmentation of image_folder/tfds data (seeded).
        resolution, num_classes, z_dim, channels: Generator/Discriminator sizes.
        g_an_resolutions, d_an_resolutions: output resolutions of the blocks with attention.
        attention: "an", "self_attention" or "none"; conditioning: "concat" or "projection".
        embedding_dim, num_entities: D's class-embedding size, AN's n.
        g_lr, d_lr, beta1, beta2: Adam settings (two time-scale update rule).
        d_steps: D steps per G step; ema_decay: EMA of G (None: off).
        shuffle_buffer: examples in the shuffle buffer.
        ssr, entity_init, perturb_init_ulps, perturb_seed: the study's arms (`study_arms`):
            self-sampling regularization on/off, AN's entities "normal" (the paper's) or
            "orthogonal" at the start, every initial weight moved this many ulps (the chaos
            floor; directions drawn with perturb_seed). The defaults change nothing.
    """

    dataset: str = "imagenet2012"
    data_dir: str | None = None
    manual_dir: str | None = None
    synthetic_examples: int = 50000
    image_folder: str | None = None
    tfds_name: str | None = None
    tfds_split: str = "train"
    tfds_image_key: str = "image"
    tfds_label_key: str = "label"
    random_crop: bool = False
    random_flip: bool = False
    resolution: int = 128
    num_classes: int = IMAGENET_CLASSES
    z_dim: int = 128
    channels: int = 64
    g_an_resolutions: tuple = (32,)
    d_an_resolutions: tuple = (32,)
    attention: str = "an"
    conditioning: str = "concat"
    embedding_dim: int = 128
    num_entities: int = 16
    g_lr: float = 1e-4
    d_lr: float = 4e-4
    beta1: float = 0.0
    beta2: float = 0.9
    d_steps: int = 1
    ema_decay: float | None = None
    shuffle_buffer: int = 10000
    ssr: bool = True
    entity_init: str = "normal"
    perturb_init_ulps: int = 0
    perturb_seed: int = 0

    def __post_init__(self):
        if self.dataset not in DATASETS:
            raise ValueError(f"dataset must be one of {DATASETS}, got {self.dataset!r}")
        if self.dataset == "imagenet2012" and self.num_classes != IMAGENET_CLASSES:
            raise ValueError(f"num_classes must be {IMAGENET_CLASSES} for imagenet2012, "
                             f"got {self.num_classes}")
        if self.dataset == "image_folder" and not self.image_folder:
            raise ValueError("dataset image_folder needs --image_folder=DIR")
        if self.dataset == "tfds" and not self.tfds_name:
            raise ValueError("dataset tfds needs --tfds_name=NAME (e.g. cifar10)")
        # The networks' own checks, without creating any TF object (the runtime may not start yet).
        num_blocks = max(self.resolution.bit_length() - 3, 0)
        validate_common(self.resolution, self.num_classes, self.channels, self.attention,
                        self.g_an_resolutions, tuple(8 * 2**i for i in range(num_blocks)),
                        name="g_an_resolutions (generator)",
                        widths=generator_widths(self.channels, num_blocks))
        validate_common(self.resolution, self.num_classes, self.channels, self.attention,
                        self.d_an_resolutions,
                        tuple(self.resolution // 2**(i + 1) for i in range(num_blocks)),
                        name="d_an_resolutions (discriminator)",
                        widths=discriminator_widths(self.channels, num_blocks))
        if self.conditioning not in CONDITIONINGS:
            raise ValueError(f"conditioning must be one of {CONDITIONINGS}, "
                             f"got {self.conditioning!r}")
        study_arms.validate_arm_options(self.ssr, self.entity_init, self.perturb_init_ulps)


def cgan_config_from_hparams(hparams):
    """The `CGANConfig` of a dict of flag values (experiments/cgan.py's flags, or the "hparams" of
    a run's config.json); resolution lists may be strings, ema_decay 0 means no EMA."""
    fields = {field.name for field in dataclasses.fields(CGANConfig)}
    values = {name: value for name, value in hparams.items() if name in fields}
    for name in ("resolution", "num_classes", "z_dim", "channels", "embedding_dim",
                 "num_entities", "d_steps", "synthetic_examples", "shuffle_buffer",
                 "perturb_init_ulps", "perturb_seed"):
        if name in values:
            values[name] = int(values[name])
    for name in ("g_an_resolutions", "d_an_resolutions"):
        if name in values:
            values[name] = tuple(int(r) for r in values[name])
    if "ema_decay" in values:
        values["ema_decay"] = values["ema_decay"] or None
    for name in ("random_crop", "random_flip", "ssr"):
        if name in values:
            values[name] = bool(values[name])
    return CGANConfig(**values)


def build_gan(config, seed=0):
    """A compiled `ConditionalGAN` (networks and optimizers built), with the config's study-arm
    options applied (`study_arms`); call inside strategy.scope()."""
    generator = Generator(
        resolution=config.resolution, num_classes=config.num_classes, z_dim=config.z_dim,
        channels=config.channels, an_resolutions=tuple(config.g_an_resolutions),
        attention=config.attention, num_entities=config.num_entities, name="generator")
    discriminator = Discriminator(
        resolution=config.resolution, num_classes=config.num_classes, channels=config.channels,
        an_resolutions=tuple(config.d_an_resolutions), conditioning=config.conditioning,
        attention=config.attention, embedding_dim=config.embedding_dim,
        num_entities=config.num_entities, name="discriminator")
    gan = ConditionalGAN(generator, discriminator, d_steps=config.d_steps,
                         ema_decay=config.ema_decay, seed=seed, name="conditional_gan")
    gan.compile(
        d_optimizer=keras.optimizers.Adam(config.d_lr, beta_1=config.beta1, beta_2=config.beta2),
        g_optimizer=keras.optimizers.Adam(config.g_lr, beta_1=config.beta1, beta_2=config.beta2))
    study_arms.apply_arm_options(gan, config, seed)
    return gan


def make_dataset_fn(source, global_batch_size, seed=0):
    """fn(input_context, start_step=0) -> infinite dataset of per-replica batches {"image"
    (B,R,R,3), "label"} of the `DataSource` `source`, whose first batch is the one of training
    step `start_step` (a run resumed there sees exactly what a straight run sees; the examples
    before it are not produced). The source is prepared at the first call (if not yet)."""

    def make_dataset(input_context, start_step=0):
        source.prepare()
        batch_size = input_context.get_per_replica_batch_size(global_batch_size)
        start = first_element(start_step, batch_size, input_context)
        examples = source.training_stream(seed, start, input_context)
        examples = examples.map(lambda example: {"image": example["image"],
                                                 "label": tf.cast(example["label"], tf.int32)})
        return examples.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)

    return make_dataset


def export_fn(model, export_dir):
    """`run_training`'s export hook: the sampling (EMA if enabled) generator as a SavedModel."""
    return export_generator(model.sampling_generator, export_dir)


def export_named_generator(generator, export_dir, names=None):
    """`export_generator`, with the class names stored in the SavedModel when given."""
    return export_generator(generator, export_dir,
                            class_names=None if names is None else list(names))


def make_export_fn(names=None):
    """`export_fn` that also stores the class names in the SavedModel (when given)."""
    return lambda model, export_dir: export_named_generator(model.sampling_generator,
                                                            export_dir, names)
