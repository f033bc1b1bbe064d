"""The comparison of Wang et al., CVPR 2020 (supplement Figure 10): AN vs CA's contextual attention
vs no attentive branch, trained with the same data, steps and seeds; helpers to read the runs'
speed from the TensorBoard events and assemble a Figure-10-style picture (input, CA, AN, none,
original). Its tables: an_tf.reports.inpaint_comparison.
"""

import glob
import os

import numpy as np
import tensorflow as tf
from tensorflow.core.util import event_pb2

from an_tf.inpainting import inference

FIGURE_ORDER = ("contextual", "an", "none")  # Figure 10: input, CA, AN (+ none), original


def read_scalars(workdir, name):
    """[(step, value)] of a scalar summary in <workdir>/tensorboard, in step order."""
    values = []
    for path in sorted(glob.glob(os.path.join(workdir, "tensorboard", "**", "events.*"),
                                 recursive=True)):
        for record in tf.data.TFRecordDataset(path).as_numpy_iterator():
            event = event_pb2.Event.FromString(record)
            for value in event.summary.value:
                if value.tag == name:
                    values.append((event.step, float(tf.make_ndarray(value.tensor))))
    return sorted(values)


def seconds_per_step(workdir):
    """Median seconds per step over the summary intervals after the first (which traces)."""
    rates = [rate for _, rate in read_scalars(workdir, "steps_per_second")]
    rates = rates[1:] or rates
    if not rates:
        raise ValueError(f"no steps_per_second summaries in {workdir!r}")
    return float(1.0 / np.median(rates))


def figure_rows(generators, batch):
    """(B, 2 + len(generators), H, W, 3) in [-1, 1]: input (holes white), each generator's
    completed image (in the given order), original."""
    images, masks = batch["images"], batch["masks"]
    columns = [images * (1.0 - masks) + masks]
    for generator in generators:
        columns.append(inference.complete(generator, images, masks)["completed"])
    columns.append(images)
    return np.stack([np.asarray(column) for column in columns], axis=1)


def save_table_png(rows, path):
    """Writes (R, K, H, W, 3) [-1, 1] pictures as one PNG grid (R rows, K columns, 2-pixel gaps)."""
    count, columns, height, width, _ = rows.shape
    gap = 2
    canvas = np.ones((count * (height + gap) - gap, columns * (width + gap) - gap, 3), np.float32)
    for r in range(count):
        for k in range(columns):
            canvas[r * (height + gap):r * (height + gap) + height,
                   k * (width + gap):k * (width + gap) + width] = (rows[r, k] + 1.0) / 2.0
    pixels = np.clip(np.round(canvas * 255.0), 0, 255).astype(np.uint8)
    tf.io.write_file(path, tf.io.encode_png(pixels))
