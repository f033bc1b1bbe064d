r"""Evaluates a trained inpainting run: PSNR, SSIM, mean L1 and L2 of the coarse and refined outputs
(completed images) with the centred box hole and with fixed-seed free-form masks, on the whole image
(psnr, ssim, l1, l2) and on the hole alone (hole_*); writes JSON and prints a table.

    python -m experiments.evaluate_inpaint --workdir=/tmp/inpaint_demo
    python -m experiments.evaluate_inpaint --workdir=/tmp/paris --dataset=paris_streetview \
        --manual_dir=/data/paris
"""

import os

from absl import app
from absl import flags

from an_tf.inpainting import data_pipeline
from an_tf.inpainting import evaluation
from an_tf.inpainting import pipeline
from an_tf.training import run_dir
from experiments import common_flags


def define_flags(flag_values=flags.FLAGS):
    if "workdir" in flag_values:
        return
    fv = {"flag_values": flag_values}
    flags.DEFINE_string("workdir", None, "Training workdir (config.json + checkpoints).",
                        required=True, **fv)
    flags.DEFINE_enum("dataset", None, data_pipeline.DATASETS,
                      "Evaluation data (default: the run's --dataset).", **fv)
    flags.DEFINE_string("manual_dir", None, "Paris StreetView manual dir (default: the run's).",
                        **fv)
    flags.DEFINE_string("image_folder", None, "Image folder (default: the run's).", **fv)
    flags.DEFINE_integer("eval_crops_per_image", None, "Crops per image (default: the run's).",
                         lower_bound=1, **fv)
    flags.DEFINE_integer("eval_scenes", None, "procedural_scenes: held-out scenes (default: the "
                         "run's).", lower_bound=1, **fv)
    flags.DEFINE_enum("split", "eval", ("eval", "train"), "Held-out images (eval) or the "
                      "training images (train: the generalization gap).", **fv)
    flags.DEFINE_list("mask_types", ["center", "free_form"], "Evaluation masks.", **fv)
    flags.DEFINE_integer("batch_size", 8, "Evaluation batch size.", lower_bound=1, **fv)
    flags.DEFINE_string("output", None, "JSON output (default: <workdir>/eval_<dataset>.json).",
                        **fv)
    common_flags.define_checkpoint_flag(flag_values)


def run(flag_values=flags.FLAGS):
    """Evaluates; returns (results dict, path of the JSON written)."""
    f = flag_values
    generator, config, step = pipeline.restore_generator(f.workdir, checkpoint=f.checkpoint)
    seed = pipeline.load_config(f.workdir)[1]
    overrides = {name: f[name].value for name in
                 ("dataset", "manual_dir", "image_folder", "eval_crops_per_image", "eval_scenes")
                 if f[name].value is not None}
    config = pipeline.InpaintingConfig.from_dict({**vars(config), **overrides})
    results = {"step": step, "dataset": config.dataset, "split": f.split,
               "image_size": config.image_size}
    by_mask = {}
    for mask_type in f.mask_types:
        if mask_type not in ("center", "free_form"):
            raise app.UsageError(f"--mask_types: unknown mask type {mask_type!r}")
        by_mask[mask_type] = evaluation.evaluate(
            generator, pipeline.eval_batches(config, f.batch_size, mask_type, f.split, seed))
    results["metrics"] = by_mask
    suffix = "" if f.split == "eval" else "_train"
    output = f.output or os.path.join(f.workdir, f"eval_{config.dataset}{suffix}.json")
    run_dir.write_json(output, results, "evaluation results", indent=2)
    count = by_mask[f.mask_types[0]]["num_images"]
    print(f"step {step}, {config.dataset} ({f.split}), {count} images")
    print(evaluation.format_table(by_mask))
    print(evaluation.format_refinement(by_mask))
    print(f"wrote {output}")
    return results, output


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    run(flag_values)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
