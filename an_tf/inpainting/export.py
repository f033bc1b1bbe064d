"""SavedModel export of the inpainting generator (Wang et al., CVPR 2020).

The `serving_default` signature takes what a client has: `images` float32 (N,H,W,3) in [0, 255] and
`masks` float32 (N,H,W,1) in {0, 1} (1 = missing, one mask per image), any H and W (padded to the
network's stride and cropped back), and returns {"completed": float32 (N,H,W,3) in [0, 255]}, with
the known pixels unchanged. AN generators also get a `with_layout` signature (same inputs) returning
{"completed", "coarse", "refined": (N,H,W,3) in [0, 255], "layout": AN's (N,H'/4,W'/4,n) layout of
the padded image (H', W': H, W rounded up to the network's stride)}, from one forward pass (for the
browser demo). The SavedModel holds only TF graphs and variables: it loads with
`tf.saved_model.load` in a process that does not have an_tf, and runs with `saved_model_cli run`.
"""

import tensorflow as tf

from an_tf import training
from an_tf.inpainting import inference


SPECS = [tf.TensorSpec([None, None, None, 3], tf.float32, name="images"),
         tf.TensorSpec([None, None, None, 1], tf.float32, name="masks")]


class InpaintingServingModule(tf.Module):
    """tf.Module holding the generator and its serving function."""

    def __init__(self, generator):
        super().__init__(name="inpainting_serving")
        self.generator = generator
        self.size_multiple = int(getattr(generator, "size_multiple", 4))
        if not generator.built:  # create the variables now, so that they can be listed below
            size = 2 * self.size_multiple
            generator((tf.zeros([1, size, size, 3]), tf.zeros([1, size, size, 1])))
        training.track_model_variables(self, generator)
        if getattr(generator, "attention", None) == "an":  # only AN generators have a layout
            self.serve_with_layout = tf.function(self._with_layout, input_signature=SPECS)

    @tf.function(input_signature=SPECS)
    def serve(self, images, masks):
        """images (N,H,W,3) in [0,255], masks (N,H,W,1) in {0,1} -> {"completed": (N,H,W,3)}."""
        return {"completed": self._complete(images, masks, False)["completed"]}

    def _with_layout(self, images, masks):
        """As `serve`, plus "coarse", "refined" (N,H,W,3) in [0,255] and "layout" (N,h,w,n)."""
        return self._complete(images, masks, True)

    def _complete(self, images, masks, return_layout):
        checks = [
            tf.debugging.assert_equal(tf.shape(images)[:3], tf.shape(masks)[:3],
                                      message="images and masks must have the same N, H, W"),
            tf.debugging.assert_equal(tf.reduce_all((masks == 0.0) | (masks == 1.0)), True,
                                      message="masks must contain only 0 (known) and 1 (missing)"),
            tf.debugging.assert_greater_equal(tf.shape(images)[1:3], 8,
                                              message="images must be at least 8x8"),
        ]
        with tf.control_dependencies(checks):
            signed = tf.clip_by_value(images, 0.0, 255.0) / 127.5 - 1.0  # (N,H,W,3) in [-1, 1]
        outputs = inference.complete(self.generator, signed, masks, self.size_multiple,
                                     return_layout=return_layout)
        refined = (outputs["refined"] + 1.0) * 127.5  # (N,H,W,3) in [0, 255]
        # Known pixels are copied from the input exactly (no [-1,1] round trip).
        result = {"completed": refined * masks + images * (1.0 - masks)}
        if return_layout:
            result.update(coarse=(outputs["coarse"] + 1.0) * 127.5, refined=refined,
                          layout=tf.cast(outputs["layout"], tf.float32))
        return result


def export_generator(generator, export_dir):
    """Writes the generator's SavedModel (see module docstring) atomically; returns export_dir."""
    module = InpaintingServingModule(generator)
    signatures = {"serving_default": module.serve.get_concrete_function()}
    if hasattr(module, "serve_with_layout"):
        signatures["with_layout"] = module.serve_with_layout.get_concrete_function()
    return training.save_model_atomically(module, export_dir, signatures=signatures)
