r"""Exports the generator of a cGAN run as a SavedModel (EMA weights when the run used --ema_decay).

    python -m experiments.export_cgan --workdir=runs/cgan_demo --export_dir=runs/cgan_demo_export
    saved_model_cli run --dir=runs/cgan_demo_export --tag_set=serve \
        --signature_def=serving_default --input_exprs='z=np.random.randn(2,128);labels=[0,1]'

The architecture is rebuilt from the run's <workdir>/config.json, the weights from its latest
checkpoint (or --checkpoint=best|<step>). The signature: z float32 (N, z_dim), labels int64 (N,) -> images float32 (N, R, R, 3).
"""

from absl import app, flags

from an_tf.cgan.run_export import export_run
from experiments import common_flags


def define_flags(flag_values=flags.FLAGS):
    """Defines --workdir, --export_dir and --checkpoint (unless already defined, e.g. by the
    training flags)."""
    if "workdir" not in flag_values:
        flags.DEFINE_string("workdir", None, "Directory of a cGAN run.", flag_values=flag_values)
    if "export_dir" not in flag_values:
        flags.DEFINE_string("export_dir", None, "Where to write the SavedModel (replaced if it "
                            "exists).", flag_values=flag_values)
    common_flags.define_checkpoint_flag(flag_values)


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    workdir, export_dir = flag_values.workdir, flag_values.export_dir
    if not workdir or not export_dir:
        raise app.UsageError("--workdir and --export_dir are both required")
    try:
        step = export_run(workdir, export_dir, flag_values.checkpoint)
    except FileNotFoundError as error:  # no config.json, or no such checkpoint
        raise app.UsageError(str(error)) from None
    print(f"exported the generator of step {step} to {export_dir}", flush=True)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
