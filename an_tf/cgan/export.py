"""SavedModel export of the AN cGAN generator (Wang et al., CVPR 2020).

Signatures:
  `serving_default`: `z` float32 (N, Z) and `labels` int64 (N,) -> {"images": float32 (N, R, R, 3)
    in [-1, 1]}. Labels outside [0, K) and batch-size mismatches fail inside the graph with an
    InvalidArgumentError naming the problem.
  `with_layout`: `z` float32 (N, Z) and `class_weights` float32 (N, K) (one-hot rows for a class,
    mixed rows for the categorical interpolation of supplement Figure 9: the CBN gains and biases
    are mixed) -> {"images": (N, R, R, 3), "layout": AN's (N, r, r, n) layout of the first AN
    layer} ("layout" only when the generator has AN layers).
  `class_names`: no inputs -> {"class_names": string (K,)}, the run's class names (or "0".."K-1").
The module keeps `class_names` (a tf.constant, saved with it); `z_dim` and `num_classes` are plain
Python attributes of the module being exported, not of the loaded SavedModel: read them from the
signature (z's shape) or from `class_names`. It loads with `tf.saved_model.load` in a process that
never imports an_tf, and runs under `saved_model_cli run`.

Shape letters: N batch, Z noise size, R resolution, K classes, r layout resolution, n entities.
"""

import tensorflow as tf

from an_tf.training.export import save_model_atomically, track_model_variables


def _checked_class_names(class_names, num_classes):
    """The K class names as a list of str (default: "0".."K-1"); ValueError on a wrong count."""
    if class_names is None:
        return [str(index) for index in range(num_classes)]
    names = [str(name) for name in class_names]
    if len(names) != num_classes:
        raise ValueError(f"class_names has {len(names)} names, the generator has {num_classes} "
                         "classes")
    return names


class GeneratorServing(tf.Module):
    """A tf.Module wrapping a trained generator behind validated serving functions.

    The raw tf.Variables are tracked with `training.track_model_variables`, so that
    `saved_model_cli run` (TF1-style loading) finds them.

    Args:
        generator: an `an_tf.cgan.Generator` (uses its `z_dim` and `num_classes`).
        class_names: K names of the classes (index order), or None.
    """

    def __init__(self, generator, class_names=None):
        super().__init__(name="generator_serving")
        self._generator = generator
        self.z_dim = int(generator.z_dim)
        self.num_classes = int(generator.num_classes)
        self.class_names = tf.constant(_checked_class_names(class_names, self.num_classes))
        self.has_layout = bool(generator.an_layers())
        self.serving_default = tf.function(self._serve, input_signature=[
            tf.TensorSpec([None, self.z_dim], tf.float32, name="z"),
            tf.TensorSpec([None], tf.int64, name="labels"),
        ])
        self.with_layout = tf.function(self._serve_weighted, input_signature=[
            tf.TensorSpec([None, self.z_dim], tf.float32, name="z"),
            tf.TensorSpec([None, self.num_classes], tf.float32, name="class_weights"),
        ])
        self.names = tf.function(lambda: {"class_names": tf.identity(self.class_names)},
                                 input_signature=[])
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

    def _serve_weighted(self, z, class_weights):
        checks = [
            tf.debugging.assert_equal(
                tf.shape(z)[0], tf.shape(class_weights)[0],
                message="z and class_weights must have the same batch size N"),
            tf.debugging.assert_greater_equal(
                class_weights, 0.0, message="class_weights must be >= 0"),
        ]
        with tf.control_dependencies(checks):
            images, layouts = self._generator(z, class_weights, training=False,
                                              return_layouts=True)
        outputs = {"images": tf.cast(images, tf.float32)}  # (N,R,R,3)
        if layouts:
            outputs["layout"] = tf.cast(layouts[sorted(layouts)[0]], tf.float32)  # (N,r,r,n)
        return outputs


def export_generator(generator, export_dir, class_names=None):
    """Writes the generator's SavedModel to `export_dir` atomically; returns `export_dir`.

    `class_names`: the K class names in index order (default "0".."K-1"), served by the
    `class_names` signature; ValueError if their number is not the generator's num_classes.
    """
    module = GeneratorServing(generator, class_names)
    signatures = {"serving_default": module.serving_default.get_concrete_function(),
                  "with_layout": module.with_layout.get_concrete_function(),
                  "class_names": module.names.get_concrete_function()}
    return save_model_atomically(module, export_dir, signatures=signatures)
