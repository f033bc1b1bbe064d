"""Assembles and serves the demo from exported SavedModels (no training code): loads each model
once, writes the built-in examples, builds the page and serves it.

Set GRADIO_TEMP_DIR (uploads) and GRADIO_ANALYTICS_ENABLED=False before importing this module
(experiments.demo does).
"""

import os
import sys

from an_tf.demo import app, examples
from an_tf.demo.generation import GenerationSession
from an_tf.demo.handlers import Handlers
from an_tf.demo.inpainting import InpaintingSession
from an_tf.demo.limits import protect_pillow


def make_handlers(inpaint_export, cgan_export, limits, root):
    """Handlers over the sessions of the given exports (either may be None)."""
    inpainting = InpaintingSession(inpaint_export, limits.max_side) if inpaint_export else None
    generation = GenerationSession(cgan_export, limits.max_samples) if cgan_export else None
    files_dir = os.path.join(root, "files")
    os.makedirs(files_dir, exist_ok=True)
    return Handlers(inpainting, generation, limits, files_dir)


def run(inpaint_export, cgan_export, limits, host, port, root, block=True):
    """Serves the demo on host:port; `root`: a temporary directory for everything written.
    Returns gradio's launch result (when not blocking)."""
    protect_pillow(limits)
    handlers = make_handlers(inpaint_export, cgan_export, limits, root)
    paths = examples.write_examples(os.path.join(root, "examples")) if inpaint_export else []
    demo = app.build_demo(handlers, paths)
    loaded = sorted({name.split(".")[1] for name in sys.modules
                     if name.startswith("an_tf.") and name.count(".") >= 1})
    print(f"an_tf packages loaded: {', '.join(loaded)}", flush=True)  # no training code
    print(f"serving the demo on http://{host}:{port}", flush=True)
    return app.launch(demo, host, port, limits, block=block)
