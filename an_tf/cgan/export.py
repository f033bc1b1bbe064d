"""SavedModel export of the AN cGAN generator (Wang et al., CVPR 2020).

The SavedModel's `serving_default` signature takes `z` float32 (N, Z) and `labels` int64 (N,) and
returns {"images": float32 (N, R, R, 3) in [-1, 1]}. Labels outside [0, num_classes) and batch-size
mismatches fail inside the graph with an InvalidArgumentError naming the problem. It loads with
`tf.saved_model.load` in a process that never imports an_tf, and runs under `saved_model_cli run`.

Shape letters: N batch, Z noise size, R resolution.
"""

import tensorflow as tf

from an_tf.training.export import save_model_atomically, track_model_variables


class GeneratorServing(tf.Module):
    """A tf.Module wrapping a trained generator behind a validated serving function.

    The raw tf.Variables are tracked with `training.track_model_variables`, so that
    `saved_model_cli run` (TF1-style loading) finds them.

    Args:
        generator: an `an_tf.cgan.Generator` (uses its `z_dim` and `num_classes`).
    """

    def __init__(self, generator):
        super().__init__(name="generator_serving")
        self._generator = generator
        self.z_dim = int(generator.z_dim)
        self.num_classes = int(generator.num_classes)
        self.serving_default = tf.function(self._serve, input_signature=[
            tf.TensorSpec([None, self.z_dim], tf.float32, name="z"),
            tf.TensorSpec([None], tf.int64, name="labels"),
        ])
        track_model_variables(self, generator)

    def _serve(self, z, labels):
        checks = [
            tf.debugging.assert_equal(
                tf.shape(z)[0], tf.shape(labels)[0],
                message="z and labels must have the same batch size N"),
            tf.debugging.assert_greater_equal(
                labels, tf.constant(0, tf.int64),
                message=f"labels must be class indices in [0, {self.num_classes})"),
            tf.debugging.assert_less(
                labels, tf.constant(self.num_classes, tf.int64),
                message=f"labels must be class indices in [0, {self.num_classes})"),
        ]
        with tf.control_dependencies(checks):
            images = self._generator(z, tf.cast(labels, tf.int32), training=False)  # (N,R,R,3)
        return {"images": tf.cast(images, tf.float32)}


def export_generator(generator, export_dir):
    """Writes the generator's SavedModel to `export_dir` atomically; returns `export_dir`."""
    module = GeneratorServing(generator)
    signature = module.serving_default.get_concrete_function()
    return save_model_atomically(module, export_dir, signatures={"serving_default": signature})
