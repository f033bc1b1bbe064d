"""absl flags of the cGAN tools: the data, model and evaluation flags of experiments/cgan.py and
their validators, and the flags of the study (experiments/study_cgan.py), which the chaos floor
(experiments/chaos_floor.py) shares, with the study's runs built from them."""

from absl import app, flags

from an_tf.cgan import pipeline, study, study_arms
from experiments import common_flags


# The cGAN flags that may change when a run is resumed: where the data is, how it is evaluated.
MUTABLE_FLAGS = common_flags.MUTABLE_FLAGS | {
    "data_dir", "manual_dir", "image_folder", "eval_num_samples", "eval_batch_size",
    "eval_num_real_examples", "inception_path", "classifier_dir", "classifier_train_examples",
    "classifier_epochs"}


def define_flags(flag_values=flags.FLAGS):
    """Defines the shared training flags and the cGAN flags (once per FlagValues)."""
    common_flags.define_training_flags(flag_values)
    if "g_an_resolutions" in flag_values:
        return
    _define_data_flags(flag_values)
    _define_model_flags(flag_values)
    _define_eval_flags(flag_values)
    _register_validators(flag_values)


def _define_data_flags(flag_values):
    fv = {"flag_values": flag_values}
    flags.DEFINE_enum("dataset", "imagenet2012", pipeline.DATASETS, "Training data.", **fv)
    flags.DEFINE_string("data_dir", None, "tfds data directory (default: tfds' own).", **fv)
    flags.DEFINE_string("manual_dir", None, "Directory with ILSVRC2012_img_{train,val}.tar "
                        "(default: <data_dir>/downloads/manual).", **fv)
    flags.DEFINE_integer("synthetic_examples", 50000, "Size of the synthetic dataset.",
                         lower_bound=1, **fv)
    flags.DEFINE_string("image_folder", None, "--dataset=image_folder: DIR/<class>/<images> "
                        "(or DIR/train/<class>/ and optional DIR/eval/<class>/, nothing else "
                        "beside them; no subfolders: one class).", **fv)
    flags.DEFINE_string("tfds_name", None, "--dataset=tfds: a tfds image classification "
                        "dataset prepared in --data_dir (e.g. cifar10).", **fv)
    flags.DEFINE_string("tfds_split", "train", "--dataset=tfds: training split.", **fv)
    flags.DEFINE_string("tfds_image_key", "image", "--dataset=tfds: image feature.", **fv)
    flags.DEFINE_string("tfds_label_key", "label", "--dataset=tfds: ClassLabel feature.", **fv)
    flags.DEFINE_bool("random_crop", False, "image_folder/tfds: random square crops (>= 80%% of "
                      "the shorter side) instead of the centre square.", **fv)
    flags.DEFINE_bool("random_flip", False, "image_folder/tfds: random horizontal flips.", **fv)
    flags.DEFINE_enum("resolution", "128", ["32", "64", "128"], "Image size.", **fv)
    flags.DEFINE_integer("num_classes", 1000, "Number of classes (1000 for ImageNet; inferred "
                         "for image_folder/tfds).", lower_bound=1, **fv)


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


def _define_eval_flags(flag_values):
    """Evaluation during training (an_tf.cgan.evaluation.training_eval; --eval_every and
    --best_metric are common_flags'): flags that never change the training, so they may change
    when a run is resumed."""
    fv = {"flag_values": flag_values}
    flags.DEFINE_integer("eval_num_samples", 1000, "Generated samples per evaluation.",
                         lower_bound=10, **fv)
    flags.DEFINE_integer("eval_batch_size", 100, "Evaluation batch size.", lower_bound=1, **fv)
    flags.DEFINE_integer("eval_num_real_examples", 5000, "Real training images for the real "
                         "statistics (0: all), computed once and cached in <workdir>/eval_cache/.",
                         lower_bound=0, **fv)
    flags.DEFINE_string("inception_path", None, "2015 Inception frozen graph (FID, IS); unset: "
                        "the download-free classifier metrics (accuracy, FD, intra-FD).", **fv)
    common_flags.define_classifier_flags(flag_values)


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
         "attention", "conditioning", "dataset", "image_folder", "tfds_name"],
        _check_architecture, flag_values=flag_values)


def _check_architecture(values):
    """The networks' own argument checks (CGANConfig), as a flag validator: one line."""
    try:
        pipeline.cgan_config_from_hparams(values)
    except ValueError as error:
        raise flags.ValidationError(str(error)) from None
    return True


def define_study_flags(flag_values=flags.FLAGS):
    """The flags of experiments/study_cgan.py (and of the chaos floor, which runs studies): the cGAN
    training and model flags shared by every arm, and the study's own; --workdir is the study's
    root: the run of each arm and seed is <workdir>/<arm>/seed<k>."""
    define_flags(flag_values)
    fv = {"flag_values": flag_values}
    flags.DEFINE_enum("study", "all", list(study_arms.STUDIES), "Which comparison.", **fv)
    flags.DEFINE_list("seeds", ["0", "1", "2"], "Seeds of every arm.", **fv)
    flags.DEFINE_list("arms", [], "Run only these arms of the study (of "
                      f"{', '.join(study_arms.ARMS)}).", **fv)
    flags.DEFINE_integer("eval_num_real", 2000, "Held-out real images for the statistics.",
                         lower_bound=10, **fv)
    flags.DEFINE_bool("isolate", True, "Each run in its own process, so peak RSS is the run's "
                      "own (in-process: the process's peak so far).", **fv)
    flags.DEFINE_integer("jobs", 1, "Runs at once, each in its own process (needs --isolate); "
                         "each child's output goes to <workdir>/<arm>/seed<k>.log.",
                         lower_bound=1, **fv)
    flags.DEFINE_bool("plot", True, "Also draw <workdir>/study_<study>_seeds.png (one dot per "
                      "run, per arm, per metric).", **fv)
    # The chaos floor (experiments/chaos_floor.py): the same seed, only the rounding changed.
    flags.DEFINE_integer("perturb_init_ulps", 0, "Move every float weight of G and D this many "
                         "ulps (direction random per element) after building and before "
                         "training; 0 changes nothing.", lower_bound=0, **fv)
    flags.DEFINE_integer("perturb_seed", 0, "Seed of the ulp directions.", **fv)
    flags.DEFINE_string("code_commit", "", "The commit the runs' code came from, recorded in the "
                        "outputs (default: git rev-parse HEAD of this checkout).", **fv)


def study_evaluation_from_flags(flag_values):
    fv = flag_values
    return study.StudyEvaluation(fv.classifier_dir, fv.eval_num_samples, fv.eval_num_real,
                                 fv.classifier_train_examples, fv.classifier_epochs)


def study_runs_from_flags(flag_values, root, arms, seeds, **hparams):
    """The study's runs of `arms` x `seeds` under `root`, from the flags (and `hparams` overrides,
    e.g. the chaos floor's ulp perturbation)."""
    try:
        return study.plan_runs(root, arms, seeds,
                               common_flags.training_config_from_flags(flag_values),
                               {**common_flags.flag_values_dict(flag_values), **hparams},
                               study_evaluation_from_flags(flag_values),
                               sorted(MUTABLE_FLAGS))
    except ValueError as error:  # an unknown arm
        raise app.UsageError(f"--arms: {error}") from None
