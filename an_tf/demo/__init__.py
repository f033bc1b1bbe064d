"""Browser demo of the exported AN models (gradio): inpainting with a painted hole, class-conditional
generation with the Figure-9 interpolation, and AN's layouts, plus the same functions as an API.

The package runs the exported SavedModels only: it imports no training code (an_tf.cgan,
an_tf.inpainting, an_tf.training), and gradio only in `an_tf.demo.app`.
Entry point: `python -m experiments.demo --inpaint_export=DIR --cgan_export=DIR`.
"""
