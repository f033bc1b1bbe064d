"""One colour per semantic entity of AN's layouts, for every picture of them: TensorBoard and PNG
samples (`an_tf.training.summaries`) and the browser demo (`an_tf.demo.layouts`).

It lives in `ops`, the lowest layer, as a numpy-only module: the demo may not import training
code and the summaries may not import the demo, so both import it from below.
"""

import numpy as np

# 20 well separated colours (RGB 0-255); entity k gets PALETTE[k % 20].
PALETTE = np.array([
    (230, 25, 75), (60, 180, 75), (255, 225, 25), (0, 130, 200), (245, 130, 48), (145, 30, 180),
    (70, 240, 240), (240, 50, 230), (210, 245, 60), (250, 190, 212), (0, 128, 128),
    (220, 190, 255), (170, 110, 40), (255, 250, 200), (128, 0, 0), (170, 255, 195),
    (128, 128, 0), (255, 215, 180), (0, 0, 128), (128, 128, 128),
], dtype=np.uint8)


def entity_colours(entities):
    """uint8 RGB colours (..., 3) of an integer array of entity indices (...), cycling the
    palette for more than 20 entities."""
    return PALETTE[np.asarray(entities) % len(PALETTE)]
