"""Exporting a trained cGAN run: the sampling generator (EMA if the run kept one) of one of its
checkpoints, with the run's class names, as a SavedModel (`an_tf.cgan.export`). Used by
experiments/export_cgan.py and the demo's --cgan_workdir."""

from an_tf.cgan import pipeline
from an_tf.cgan.evaluation.run_eval import restore_gan


def export_run(workdir, export_dir, checkpoint="latest"):
    """Exports checkpoint `checkpoint` ("latest", "best" or a step) of the run in `workdir` to
    `export_dir` (replaced); returns the step. FileNotFoundError (one line) without a config.json
    or such a checkpoint."""
    gan, _, step = restore_gan(workdir, checkpoint=checkpoint)
    # The class names (<workdir>/class_names.json; "0", "1", ... for older runs) go into the
    # SavedModel, so that a served model can be asked for a class by name.
    pipeline.export_named_generator(gan.sampling_generator, export_dir,
                                    pipeline.read_class_names(workdir))
    return step
