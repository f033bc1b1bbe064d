r"""Exports the generator of a trained inpainting run as a SavedModel (serving_default: images
(N,H,W,3) in [0,255], masks (N,H,W,1) in {0,1} -> completed (N,H,W,3) in [0,255]).

    python -m experiments.export_inpaint --workdir=/tmp/inpaint_demo \
        --export_dir=/tmp/inpaint_demo_export [--checkpoint=latest|best|<step>]
"""

from absl import flags

from an_tf.inpainting import pipeline
from experiments import common_flags


def define_flags(flag_values=flags.FLAGS):
    if "workdir" in flag_values:
        return
    flags.DEFINE_string("workdir", None, "Training workdir (config.json + checkpoints).",
                        required=True, flag_values=flag_values)
    flags.DEFINE_string("export_dir", None, "Where to write the SavedModel (replaced if present).",
                        required=True, flag_values=flag_values)
    common_flags.define_checkpoint_flag(flag_values)


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    step = pipeline.export_run(flag_values.workdir, flag_values.export_dir,
                               flag_values.checkpoint)
    print(f"exported step {step} to {flag_values.export_dir}")


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
