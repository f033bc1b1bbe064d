r"""Trains the AN class-conditional GAN (Wang et al., CVPR 2020) under tf.distribute.

    python -m experiments.cgan --flagfile=experiments/configs/cgan_demo.cfg        # CPU, minutes
    python -m experiments.cgan --flagfile=experiments/configs/cgan_imagenet128.cfg # the paper

Running the same command again resumes from the latest checkpoint in --workdir.
"""

from absl import app, flags

from an_tf import training
from an_tf.cgan import pipeline
from an_tf.cgan.visualize import make_sample_fn
from an_tf.data.imagenet import ImageNetArchivesMissingError
from an_tf.data.synthetic_shapes import load_synthetic_shapes
from experiments import common_flags

def define_flags(flag_values=flags.FLAGS):
    """Defines the shared training flags and the cGAN flags (once per FlagValues)."""
    common_flags.define_training_flags(flag_values)
    if "g_an_resolutions" in flag_values:
        return
    _define_data_flags(flag_values)
    _define_model_flags(flag_values)
    _register_validators(flag_values)


def _define_data_flags(flag_values):
    fv = {"flag_values": flag_values}
    flags.DEFINE_enum("dataset", "imagenet2012", pipeline.DATASETS, "Training data.", **fv)
    flags.DEFINE_string("data_dir", None, "tfds data directory (default: tfds' own).", **fv)
    flags.DEFINE_string("manual_dir", None, "Directory with ILSVRC2012_img_{train,val}.tar "
                        "(default: <data_dir>/downloads/manual).", **fv)
    flags.DEFINE_integer("synthetic_examples", 50000, "Size of the synthetic dataset.",
                         lower_bound=1, **fv)
    flags.DEFINE_enum("resolution", "128", ["32", "64", "128"], "Image size.", **fv)
    flags.DEFINE_integer("num_classes", 1000, "Number of classes (1000 for ImageNet).",
                         lower_bound=1, **fv)


def _define_model_flags(flag_values):
    fv = {"flag_values": flag_values}
    flags.DEFINE_integer("z_dim", 128, "Noise size.", lower_bound=1, **fv)
    flags.DEFINE_integer("channels", 64, "Base width (64: the paper's 1024-channel widest "
                         "block).", lower_bound=1, **fv)
    flags.DEFINE_list("g_an_resolutions", ["32"], "Output resolutions of G's blocks with "
                      "attention.", **fv)
    flags.DEFINE_list("d_an_resolutions", ["32"], "Output resolutions of D's blocks with "
                      "attention (AN runs before the block's pooling, at twice that).", **fv)
    flags.DEFINE_enum("attention", "an", ["an", "self_attention", "none"],
                      "AN, SA-GAN self-attention or none (SN-GAN).", **fv)
    flags.DEFINE_enum("conditioning", "concat", ["concat", "projection"], "How D sees the label.",
                      **fv)
    flags.DEFINE_integer("embedding_dim", 128, "D's class-embedding size (concat).",
                         lower_bound=1, **fv)
    flags.DEFINE_integer("num_entities", 16, "AN's number of semantic entities n.",
                         lower_bound=1, **fv)
    flags.DEFINE_float("g_lr", 1e-4, "G's Adam learning rate.", lower_bound=0.0, **fv)
    flags.DEFINE_float("d_lr", 4e-4, "D's Adam learning rate.", lower_bound=0.0, **fv)
    flags.DEFINE_float("beta1", 0.0, "Adam beta1.", lower_bound=0.0, upper_bound=1.0, **fv)
    flags.DEFINE_float("beta2", 0.9, "Adam beta2.", lower_bound=0.0, upper_bound=1.0, **fv)
    flags.DEFINE_integer("d_steps", 1, "D steps per G step.", lower_bound=1, **fv)
    flags.DEFINE_float("ema_decay", 0.0, "EMA decay of G's weights (0: no EMA).",
                       lower_bound=0.0, upper_bound=0.99999, **fv)


def _register_validators(flag_values):
    """Checks failing with one line naming the flag (architecture checks happen in main)."""
    for name in ("g_an_resolutions", "d_an_resolutions"):
        flags.register_validator(
            name, lambda values: all(v.isdigit() and int(v) in (4, 8, 16, 32, 64, 128)
                                     for v in values),
            message=f"--{name} must be a comma-separated list of block output resolutions "
                    "among 4,8,16,32,64,128", flag_values=flag_values)
    flags.register_multi_flags_validator(
        ["dataset", "num_classes"],
        lambda f: f["dataset"] != "imagenet2012" or f["num_classes"] == 1000,
        message="--dataset=imagenet2012 needs --num_classes=1000", flag_values=flag_values)
    flags.register_multi_flags_validator(
        ["resolution", "num_classes", "channels", "g_an_resolutions", "d_an_resolutions",
         "attention", "conditioning", "dataset"], _check_architecture, flag_values=flag_values)


def _check_architecture(values):
    """The networks' own argument checks (CGANConfig), as a flag validator: one line."""
    try:
        pipeline.cgan_config_from_hparams(values)
    except ValueError as error:
        raise flags.ValidationError(str(error)) from None
    return True


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    config = common_flags.training_config_from_flags(flag_values)
    hparams = common_flags.flag_values_dict(flag_values)
    try:
        cgan_config = pipeline.cgan_config_from_hparams(hparams)
    except ValueError as error:  # when main is called without the flag validators
        raise app.UsageError(str(error)) from None

    def held_out_batch():
        """Held-out real images with object masks, to score D's layouts. Called at the first
        sample: no TF op may run before run_training has set up the devices."""
        return next(iter(load_synthetic_shapes(cgan_config.resolution, cgan_config.num_classes,
                                               16, seed=config.seed + 1).batch(16)))

    real_batch = held_out_batch if cgan_config.dataset == "synthetic" else None
    try:
        result = training.run_training(
            config,
            build_model=lambda: pipeline.build_gan(cgan_config, seed=config.seed),
            make_dataset=pipeline.make_dataset_fn(cgan_config, config.batch_size, config.seed),
            sample_fn=make_sample_fn(cgan_config.num_classes, cgan_config.z_dim, real_batch),
            export_fn=pipeline.export_fn,
            hparams=hparams)
    except ImageNetArchivesMissingError as error:
        raise SystemExit(f"error: {error}") from None  # one line, exit code 1
    metrics = ", ".join(f"{k} {v:.4g}" for k, v in sorted(result.metrics.items()))
    summary = f"done: step {result.step}, workdir {result.workdir}"
    print(summary + (f", {metrics}" if metrics else ""), flush=True)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
