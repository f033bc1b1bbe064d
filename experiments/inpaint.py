r"""Trains the two-stage AN inpainting network (Wang et al., CVPR 2020, supplement section 1).

    python -m experiments.inpaint --flagfile=experiments/configs/inpaint_demo.cfg
    python -m experiments.inpaint --flagfile=experiments/configs/inpaint_paris256.cfg \
        --manual_dir=/path/with/paris_train_original_and_paris_eval_gt --workdir=/tmp/paris

Re-running the same command resumes from the workdir's latest checkpoint. With --eval_every=N the
held-out images (--eval_scenes procedural scenes, or the eval split) are evaluated every N steps
(PSNR, SSIM, L1, L2: TensorBoard eval/..., <workdir>/metrics.jsonl) and the best checkpoint by
--best_metric (default psnr) is kept in <workdir>/checkpoints/best/.
"""

from absl import flags

from an_tf import training
from an_tf.data import package_photos
from an_tf.inpainting import data_pipeline
from an_tf.inpainting import pipeline
from an_tf.inpainting.generator import ATTENTIONS
from an_tf.inpainting.generator import STAGE2_INPUTS
from an_tf.data.masks import MASK_TYPES
from experiments import common_flags

# The inpainting flags that may change when a run is resumed: where the data is, what is shown
# and evaluated.
MUTABLE_FLAGS = common_flags.MUTABLE_FLAGS | {"manual_dir", "image_folder", "num_samples",
                                              "eval_scenes"}


def define_flags(flag_values=flags.FLAGS):
    """Defines the shared training flags and the inpainting flags (once per FlagValues)."""
    common_flags.define_training_flags(flag_values)
    if "image_size" in flag_values:
        return
    _define_data_flags(flag_values)
    _define_model_flags(flag_values)
    _register_validators(flag_values)


def _define_data_flags(flag_values):
    fv = {"flag_values": flag_values}
    flags.DEFINE_enum("dataset", "package_photos", data_pipeline.DATASETS,
                      "package_photos: scikit-image's photos (offline); paris_streetview: the "
                      "photos of --manual_dir; image_folder: any folder (--image_folder); "
                      "procedural_scenes: generated street-like scenes with object masks "
                      "(offline, unlimited).", **fv)
    flags.DEFINE_string("manual_dir", None, "Folder holding paris_train_original/ and "
                        "paris_eval_gt/ (paris_streetview).", **fv)
    flags.DEFINE_string("image_folder", None, "Folder of images (with train/ and eval/ "
                        "subfolders if present) for --dataset=image_folder.", **fv)
    flags.DEFINE_integer("image_size", 256, "Side of the square training crops.", lower_bound=8,
                         **fv)
    flags.DEFINE_integer("load_size", 0, "If > 0, resize the shorter side to this before "
                         "cropping (resized crops).", lower_bound=0, **fv)
    flags.DEFINE_integer("photo_shorter_side", 0, "package_photos only: shrink the photos to this "
                         "shorter side once at load time (fast demos).", lower_bound=0, **fv)
    flags.DEFINE_enum("photo_subset", "all", package_photos.SUBSETS, "package_photos only: all "
                      "training photos, or the scene photos only (no textures).", **fv)
    flags.DEFINE_float("max_crop_scale", 1.0, "Training crops cover a random (s*image_size)^2 "
                       "region, s ~ U(1, this), resized to image_size (1: plain crops).",
                       lower_bound=1.0, **fv)
    flags.DEFINE_enum("mask_type", "rect", MASK_TYPES, "rect: random box with random shrink "
                      "(CA); center: centred box; free_form: brush strokes (patch critic).", **fv)
    flags.DEFINE_integer("box_size", 128, "Side of the hole box and of the local critic's crop.",
                         lower_bound=4, **fv)
    flags.DEFINE_integer("max_shrink", 16, "Random shrink of each box side (rect masks).",
                         lower_bound=0, **fv)
    flags.DEFINE_integer("num_samples", 4, "Evaluation images in the sample pictures.",
                         lower_bound=1, **fv)
    flags.DEFINE_integer("eval_scenes", 32, "procedural_scenes: number of held-out scenes "
                         "evaluated (pictures, --eval_every).", lower_bound=1, **fv)
    flags.DEFINE_integer("eval_crops_per_image", 1, "Crops per evaluation image (1: the centre "
                         "crop; more adds fixed-seed random crops).", lower_bound=1, **fv)


def _define_model_flags(flag_values):
    fv = {"flag_values": flag_values}
    flags.DEFINE_integer("channels", 32, "Generator width (32 = the supplement's).", lower_bound=1,
                         **fv)
    flags.DEFINE_enum("attention", "an", ATTENTIONS, "Second-stage branch: AN, none (ablation) or "
                      "CA's contextual attention (baseline).", **fv)
    flags.DEFINE_boolean("elu_after_an", False, "ELU right after AN (released code).", **fv)
    flags.DEFINE_integer("num_entities", 16, "AN's semantic entities n.", lower_bound=1, **fv)
    flags.DEFINE_float("an_temperature", 10.0, "AN's softmax temperature.", **fv)
    flags.DEFINE_float("orthogonal_weight", 1e-3, "Weight of AN's orthogonality loss.", **fv)
    flags.DEFINE_enum("an_variant", "paper", ("paper", "official"), "AN variant.", **fv)
    flags.DEFINE_boolean("ones_channel", False, "Add CA's channel of ones to the input.", **fv)
    flags.DEFINE_enum("stage2_input", "paste", STAGE2_INPUTS, "Stage-2 input: paste (coarse "
                      "result pasted into the hole, as CA and the released code) or concat "
                      "(coarse output beside the holed image, the supplement's literal reading).",
                      **fv)
    flags.DEFINE_integer("max_dilation", 0, "Cap of the bottleneck dilations (0: none, the "
                         "paper's); for crops too small for dilation 16.", lower_bound=0, **fv)
    flags.DEFINE_integer("pretrain_steps", 0, "First generator steps without the adversarial "
                         "term (CA's reconstruction-only pre-training).", lower_bound=0, **fv)
    flags.DEFINE_integer("critic_channels", 64, "Width of the critics' first conv.", lower_bound=1,
                         **fv)
    flags.DEFINE_integer("critic_steps", 5, "Critic steps per generator step.", lower_bound=0, **fv)
    flags.DEFINE_float("gp_weight", 10.0, "Gradient-penalty weight.", **fv)
    flags.DEFINE_float("adversarial_weight", 1e-3, "Weight of the adversarial loss of G.", **fv)
    flags.DEFINE_float("l1_weight", 1.2, "Weight of the spatially discounted hole L1.", **fv)
    flags.DEFINE_float("ae_weight", 1.2, "Weight of the known-region L1.", **fv)
    flags.DEFINE_float("coarse_weight", 1.2, "Weight of the coarse stage in both L1 terms.", **fv)
    flags.DEFINE_float("discount_gamma", 0.99, "Spatial discount gamma (CA code: 0.9).", **fv)
    flags.DEFINE_float("g_learning_rate", 1e-4, "Adam learning rate of the generator.", **fv)
    flags.DEFINE_float("d_learning_rate", 1e-4, "Adam learning rate of the critics.", **fv)
    flags.DEFINE_float("beta_1", 0.5, "Adam beta_1.", **fv)
    flags.DEFINE_float("beta_2", 0.9, "Adam beta_2.", **fv)


def _register_validators(flag_values):
    def check(names, condition, message):
        flags.register_multi_flags_validator(names, condition, message=message,
                                             flag_values=flag_values)

    check(["image_size", "attention"],
          lambda f: f["image_size"] % (8 if f["attention"] == "contextual" else 4) == 0,
          "--image_size must be a multiple of 4 (of 8 with --attention=contextual)")
    check(["box_size", "image_size"], lambda f: f["box_size"] <= f["image_size"],
          "--box_size must be <= --image_size")
    check(["max_shrink", "box_size"], lambda f: 2 * f["max_shrink"] < f["box_size"],
          "--max_shrink must be < --box_size / 2")
    check(["dataset", "manual_dir"],
          lambda f: f["dataset"] != "paris_streetview" or bool(f["manual_dir"]),
          "--dataset=paris_streetview needs --manual_dir")
    check(["dataset", "image_folder"],
          lambda f: f["dataset"] != "image_folder" or bool(f["image_folder"]),
          "--dataset=image_folder needs --image_folder")


def run(flag_values=flags.FLAGS):
    """Trains with parsed flags; returns the `TrainResult`."""
    hparams = common_flags.flag_values_dict(flag_values)
    config = pipeline.InpaintingConfig.from_dict(hparams)
    train_config = common_flags.training_config_from_flags(flag_values)
    # Evaluated in batches of the training batch size (inference needs less memory than a step).
    evaluate_fn = pipeline.make_evaluate_fn(config, train_config.batch_size, train_config.seed,
                                            flag_values.best_metric or None)
    return training.run_training(
        train_config,
        build_model=lambda: pipeline.build_model(config, train_config.seed),
        make_dataset=pipeline.make_dataset_fn(config, train_config.batch_size, train_config.seed),
        sample_fn=pipeline.make_sample_fn(config),
        export_fn=pipeline.export_fn,
        hparams=hparams, evaluate_fn=evaluate_fn, mutable_settings=MUTABLE_FLAGS)


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    result = run(flag_values)
    print(f"trained to step {result.step}; workdir {result.workdir}; last metrics "
          + ", ".join(f"{k}={v:.4g}" for k, v in sorted(result.metrics.items())))


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
