r"""The paper's figures from a checkpoint of any cGAN workdir (EMA generator if present; the latest,
or --checkpoint=best|<step>):

    python -m experiments.figures --workdir=runs/cgan_demo --figure=layout --classes=0,3 \
        --seeds=0,1
    python -m experiments.figures --workdir=runs/cgan_demo --figure=entities
    python -m experiments.figures --workdir=runs/cgan_demo --figure=interpolation \
        --first_class=0 --second_class=7 --seeds=0,1,2,3

layout: supplement Figures 4/5 (image | binarized AN layout), one row per (class, seed);
entities: image | one attention map per entity; interpolation: Figure 9 (class weights moving
from --first_class to --second_class), one row per seed. Writes <workdir>/figures/<figure>.png.
"""

import os

import numpy as np
from absl import app, flags

from an_tf.cgan import visualize
from an_tf.cgan.evaluation.run_eval import restore_gan
from an_tf.training.summaries import save_png
from experiments import common_flags


def define_flags(flag_values=flags.FLAGS):
    fv = {"flag_values": flag_values}
    if "workdir" not in flag_values:
        flags.DEFINE_string("workdir", None, "Directory of a cGAN run.", **fv)
    flags.DEFINE_enum("figure", "layout", ["layout", "entities", "interpolation"], "Which.", **fv)
    flags.DEFINE_list("classes", [], "Classes shown (layout, entities; default: up to 8 spread "
                      "over all).", **fv)
    flags.DEFINE_list("seeds", ["0"], "Noise seeds: one z per seed.", **fv)
    flags.DEFINE_integer("first_class", 0, "Interpolation start class.", lower_bound=0, **fv)
    flags.DEFINE_integer("second_class", None, "Interpolation end class (default: the last).",
                         lower_bound=0, **fv)
    flags.DEFINE_integer("num_steps", 8, "Interpolation steps.", lower_bound=2, **fv)
    flags.DEFINE_string("layer", None, "AN layer, e.g. up_block_32_an (default: the first).", **fv)
    flags.DEFINE_string("output", None, "PNG path (default <workdir>/figures/<figure>.png).", **fv)
    common_flags.define_checkpoint_flag(flag_values)


def _noise(seeds, z_dim):
    return np.stack([np.random.default_rng(seed).standard_normal(z_dim) for seed in seeds]
                    ).astype(np.float32)  # (S,Z)


def make_table(generator, fv):
    """The (rows, cols, R, R, 3) table of the requested figure."""
    seeds, num_classes = [int(s) for s in fv.seeds], generator.num_classes
    if fv.figure == "interpolation":
        second = num_classes - 1 if fv.second_class is None else fv.second_class
        for name, value in (("first_class", fv.first_class), ("second_class", second)):
            if value >= num_classes:
                raise ValueError(f"--{name}={value} is not a class of this {num_classes}-class run")
        return visualize.categorical_interpolation(generator, _noise(seeds, generator.z_dim),
                                                   fv.first_class, second, fv.num_steps)
    classes = ([int(c) for c in fv.classes] if fv.classes else
               sorted(set(np.linspace(0, num_classes - 1, min(8, num_classes)).round()
                          .astype(int))))
    if any(not 0 <= c < num_classes for c in classes):
        raise ValueError(f"--classes={classes} must be classes of this {num_classes}-class run")
    labels = np.repeat(np.asarray(classes, np.int32), len(seeds))  # (K*S,)
    z = np.tile(_noise(seeds, generator.z_dim), (len(classes), 1))  # (K*S,Z)
    table_fn = visualize.layout_table if fv.figure == "layout" else visualize.entity_table
    return table_fn(generator, z, labels, fv.layer)


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    if not flag_values.workdir:
        raise app.UsageError("--workdir is required")
    try:
        gan, _, step = restore_gan(flag_values.workdir, checkpoint=flag_values.checkpoint)
        table = make_table(gan.sampling_generator, flag_values)
    except (FileNotFoundError, ValueError) as error:
        raise SystemExit(f"error: {error}") from None  # one line, exit code 1
    output = flag_values.output or os.path.join(flag_values.workdir, "figures",
                                                f"{flag_values.figure}.png")
    save_png(output, visualize.table_picture(table))
    print(f"{flag_values.figure} figure of step {step} written to {output}", flush=True)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
