r"""Browser demo of the AN models: inpainting with a painted hole and class-conditional generation,
with AN's layouts, plus the same functions as an API (gradio; `pip install -e .[demo]`).

    python -m experiments.demo --inpaint_export=runs/inpaint_demo_export \
        --cgan_export=runs/cgan_demo_export
    python -m experiments.demo --inpaint_workdir=runs/inpaint_demo --cgan_workdir=runs/cgan_demo

Serves http://127.0.0.1:7860 by default. With --*_workdir the run's best checkpoint (if the run
kept one) or else its latest is exported first, into the demo's temporary directory. Everything the
server writes (exports, uploads, results) goes into one temporary directory, removed at exit.
"""

import os
import signal
import sys
import tempfile

from absl import app, flags, logging

from experiments import common_flags  # loads neither TensorFlow nor the training code

FLAGS = flags.FLAGS
flags.DEFINE_string("inpaint_export", None, "SavedModel of an_tf.inpainting.export.")
flags.DEFINE_string("cgan_export", None, "SavedModel of an_tf.cgan.export.")
flags.DEFINE_string("inpaint_workdir", None, "Inpainting run to export first (instead of "
                    "--inpaint_export).")
flags.DEFINE_string("cgan_workdir", None, "cGAN run to export first (instead of --cgan_export).")
flags.DEFINE_string("host", "127.0.0.1", "Address to serve on (0.0.0.0 exposes the demo to "
                    "the network).")
flags.DEFINE_integer("port", 7860, "Port to serve on.")
flags.DEFINE_float("max_upload_mb", 10.0, "Largest uploaded file (MB).")
flags.DEFINE_integer("max_pixels", 16_000_000, "Largest image (pixels) that is decoded at all.")
flags.DEFINE_integer("max_side", 1024, "Longer images are downscaled to this side first.")
flags.DEFINE_integer("max_samples", 16, "Most samples (or interpolation steps) per request.")
flags.DEFINE_integer("max_concurrency", 1, "Requests computed at once; the others queue.")


def best_or_latest(workdir):
    """"best" when the run kept a best checkpoint, else "latest"."""
    from an_tf.training.checkpoint_choice import read_best_info  # noqa: PLC0415 (training code)
    return "best" if read_best_info(workdir) is not None else "latest"


def export_workdir(kind, workdir, export_dir):
    """Exports the run in `workdir` ("cgan" or "inpaint") to `export_dir`, from its best
    checkpoint if it kept one, else its latest; returns export_dir. The training code is loaded
    only here (the demo itself runs SavedModels)."""
    if not os.path.isdir(workdir):
        raise app.UsageError(f"--{kind}_workdir {workdir} is not a directory")
    if kind == "cgan":
        from an_tf.cgan.run_export import export_run  # noqa: PLC0415
    else:
        from an_tf.inpainting.pipeline import export_run  # noqa: PLC0415
    export_run(workdir, export_dir, best_or_latest(workdir))
    return export_dir


def limits_from_flags():
    from an_tf.demo.limits import Limits
    return Limits(max_upload_mb=FLAGS.max_upload_mb, max_pixels=FLAGS.max_pixels,
                  max_side=FLAGS.max_side, max_samples=FLAGS.max_samples,
                  max_concurrency=FLAGS.max_concurrency)


def serve(root):
    """Loads the models, builds the page and serves it until interrupted; `root`: the
    temporary directory for everything written."""
    exports = {}
    for kind in ("inpaint", "cgan"):
        export_dir, workdir = getattr(FLAGS, f"{kind}_export"), getattr(FLAGS, f"{kind}_workdir")
        if export_dir and workdir:
            raise app.UsageError(f"give --{kind}_export or --{kind}_workdir, not both")
        if workdir:
            export_dir = export_workdir(kind, workdir, os.path.join(root, f"{kind}_export"))
        if export_dir and not os.path.exists(os.path.join(export_dir, "saved_model.pb")):
            raise app.UsageError(f"--{kind}_export {export_dir} is not a SavedModel directory")
        exports[kind] = export_dir
    if not any(exports.values()):
        raise app.UsageError("give --inpaint_export/--inpaint_workdir and/or "
                             "--cgan_export/--cgan_workdir")
    limits = limits_from_flags()
    from an_tf.demo import server  # gradio is imported only now, after GRADIO_TEMP_DIR is set
    # Set after the imports (which may install their own): SIGTERM then stops like Ctrl-C, so
    # that the temporary directory is removed.
    signal.signal(signal.SIGTERM, _stop)
    server.run(exports["inpaint"], exports["cgan"], limits, FLAGS.host, FLAGS.port, root)


def main(argv):
    del argv  # refused by common_flags.run_main when not empty
    with tempfile.TemporaryDirectory(prefix="an_tf_demo-") as root:
        os.environ["GRADIO_TEMP_DIR"] = os.path.join(root, "gradio")
        os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"  # no analytics, no version check
        os.environ["HF_HUB_OFFLINE"] = "1"
        logging.info("demo files in %s (removed at exit)", root)
        try:
            serve(root)
        except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (_stop): the usual way to stop serving
            print("stopped", file=sys.stderr, flush=True)


def _stop(signum, frame):
    """SIGTERM: stop as on Ctrl-C (gradio closes the server, the `with` blocks clean up)."""
    del signum, frame
    raise KeyboardInterrupt


if __name__ == "__main__":
    common_flags.run_main(main)
