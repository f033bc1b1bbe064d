"""TensorBoard summaries and PNG image grids of a run, and pictures of AN's learned layouts.

Shape letters: B batch, H height, W width, C channels (1 or 3), n semantic entities.
"""

import contextlib
import math
import os

import numpy as np
import tensorflow as tf
from PIL import Image
from absl import logging
from tensorflow.core.framework import summary_pb2

from an_tf.ops.layout_palette import entity_colours
from an_tf.training import write_errors


def _metadata(plugin_name, data_class):
    """SummaryMetadata as TensorBoard's scalar/image plugins write it (plugin content version 0)."""
    return summary_pb2.SummaryMetadata(
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin_name),
        data_class=data_class)


# `tf.summary.scalar/image` need the tensorboard package (not installed with tensorflow-cpu);
# `tf.summary.write` with the plugins' metadata produces the same events without it.
_SCALAR_METADATA = _metadata("scalars", summary_pb2.DATA_CLASS_SCALAR)
_IMAGE_METADATA = _metadata("images", summary_pb2.DATA_CLASS_BLOB_SEQUENCE)


def _to_numpy(values):
    """float32 numpy copy of an array or tensor of any real dtype (e.g. bfloat16)."""
    if tf.is_tensor(values):
        values = tf.cast(values, tf.float32).numpy()
    return np.asarray(values, dtype=np.float32)


def image_grid(images, ncols=None, padding=2):
    """Tiles a batch of images in [-1, 1] into one uint8 RGB picture.

    Args:
        images: array or tensor (B, H, W, C), C = 1 or 3, values in [-1, 1] (clipped).
        ncols: images per row; None means ceil(sqrt(B)).
        padding: pixels of black between tiles.

    Returns:
        uint8 numpy array (rows * (H + padding) - padding, ncols * (W + padding) - padding, 3).
    """
    images = _to_numpy(images)
    if images.ndim != 4 or images.shape[-1] not in (1, 3) or images.shape[0] == 0:
        raise ValueError(f"images must have shape (B>0, H, W, 1 or 3), got {images.shape}")
    batch, height, width, _ = images.shape
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)  # (B, H, W, 3)
    ncols = ncols or math.ceil(math.sqrt(batch))
    nrows = math.ceil(batch / ncols)
    pixels = np.round((np.clip(images, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
    grid = np.zeros((nrows * (height + padding) - padding, ncols * (width + padding) - padding, 3),
                    dtype=np.uint8)
    for index in range(batch):
        top, left = (index // ncols) * (height + padding), (index % ncols) * (width + padding)
        grid[top:top + height, left:left + width] = pixels[index]
    return grid


def layout_pictures(layout):
    """Pictures of AN's soft layouts (supplement Figure 4).

    Args:
        layout: array or tensor (B, H, W, n), softmax over the n entities.

    Returns:
        dict with
        "argmax": (B, H, W, 3) float32 in [-1, 1]: each pixel coloured by its most likely entity
            (fixed palette, so colours mean the same entity everywhere);
        "entities": (B * n, H, W, 3) float32 in [-1, 1]: each entity's attention map min-max
            normalised to [-1, 1] (constant maps give 0), example-major (example 0's n maps first),
            so `image_grid(entities, ncols=n)` shows one example per row.
    """
    layout = _to_numpy(layout)
    if layout.ndim != 4:
        raise ValueError(f"layout must have shape (B, H, W, n), got {layout.shape}")
    batch, height, width, num_entities = layout.shape
    winners = np.argmax(layout, axis=-1)  # (B, H, W)
    argmax = entity_colours(winners).astype(np.float32) / 127.5 - 1.0  # (B, H, W, 3)
    maps = np.transpose(layout, (0, 3, 1, 2)).reshape(batch * num_entities, height, width)
    low = maps.min(axis=(1, 2), keepdims=True)  # (B*n, 1, 1)
    span = maps.max(axis=(1, 2), keepdims=True) - low  # (B*n, 1, 1)
    safe_span = np.where(span > 0, span, 1.0)
    normalised = np.where(span > 0, 2.0 * (maps - low) / safe_span - 1.0, 0.0)  # (B*n, H, W)
    entities = np.repeat(normalised[..., None], 3, axis=-1)  # (B*n, H, W, 3)
    return {"argmax": argmax.astype(np.float32), "entities": entities.astype(np.float32)}


def _encoded_images(images):
    """TensorBoard's image tensor: string (2 + B,) = [width, height, png_0, ..., png_{B-1}]."""
    pixels = np.round((np.clip(images, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)  # (B, H, W, C)
    height, width = pixels.shape[1:3]
    pngs = [tf.io.encode_png(image) for image in pixels]
    return tf.stack([tf.constant(str(width)), tf.constant(str(height))] + pngs)


def save_png(path, picture):
    """Writes a uint8 (H, W, 3) picture to `path` atomically (temporary file, then rename)."""
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    temporary = path + ".tmp"
    try:
        Image.fromarray(picture).save(temporary, format="PNG")
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(temporary)  # a partial file would only hold space
        raise


class SummaryWriter:
    """Writes TensorBoard scalars and images, and PNG grids, for one run.

    TensorBoard events go to <workdir>/tensorboard, PNG grids to <workdir>/images/<name>/<step>.png.
    A write that fails because of the disk (full, read-only, removed) is reported once, in one
    warning line with the path and the free space, and skipped: pictures and summaries must not
    end a run that can still checkpoint. Later writes are tried again.

    Args:
        workdir: the run's directory.
        enabled: False makes every method a no-op (non-chief workers of a multi-worker run).
        max_images: images per TensorBoard image summary.
    """

    def __init__(self, workdir, enabled=True, max_images=16):
        self.workdir = workdir
        self.enabled = enabled
        self.max_images = max_images
        self.logdir = os.path.join(workdir, "tensorboard")
        self.failures = 0  # writes skipped because the disk refused them
        self._writer = tf.summary.create_noop_writer()
        if enabled:
            with self._skip_failure("TensorBoard events", self.logdir):
                self._writer = tf.summary.create_file_writer(self.logdir)

    @contextlib.contextmanager
    def _skip_failure(self, what, path):
        """Warns (the first time only) and goes on when the disk refuses a write."""
        try:
            yield
        except Exception as error:  # noqa: BLE001 (only disk-caused errors are skipped)
            if not write_errors.is_write_error(error):
                raise
            self.failures += 1
            if self.failures == 1:
                logging.warning("%s", write_errors.describe(
                    what, path, error, "training goes on; summaries and pictures are skipped "
                    "while this lasts (warned once)"))

    def scalars(self, step, values):
        """Writes scalars.

        Args:
            step: int.
            values: dict name -> scalar (number, numpy scalar or 0-d tensor).
        """
        if not self.enabled:
            return
        with self._skip_failure("TensorBoard scalars", self.logdir), \
                self._writer.as_default(step=step):
            for name, value in values.items():
                tf.summary.write(name, tf.constant(float(np.asarray(value)), tf.float32),
                                 metadata=_SCALAR_METADATA)

    def images(self, step, values, ncols=None):
        """Writes each batch of images as a TensorBoard image summary and as one PNG grid.

        Args:
            step: int.
            values: dict name -> (B, H, W, C) images in [-1, 1], C = 1 or 3.
            ncols: images per row of the PNG grids (None: square-ish).

        Returns:
            dict name -> path of the PNG written.
        """
        if not self.enabled:
            return {}
        paths = {}
        # Leaving as_default() flushes the events file: a full disk fails there too.
        with self._skip_failure("TensorBoard images", self.logdir), \
                self._writer.as_default(step=step):
            for name, images in values.items():
                images = _to_numpy(images)
                with self._skip_failure("TensorBoard images", self.logdir):
                    tf.summary.write(name, _encoded_images(images[:self.max_images]),
                                     metadata=_IMAGE_METADATA)
                path = os.path.join(self.workdir, "images", name, f"{step}.png")
                with self._skip_failure("picture", path):
                    save_png(path, image_grid(images, ncols=ncols))
                    paths[name] = path
        return paths

    def write(self, step, values):
        """Writes a `sample_fn` result by rank of each value.

        Args:
            step: int.
            values: dict name -> 0-d value (scalar summary), (B, H, W, C) images in [-1, 1]
                (TensorBoard images and a square-ish PNG grid), or (R, K, H, W, C) images (a table:
                the PNG grid has R rows of K images, e.g. layout entities reshaped to
                (B, n, H, W, 3)).

        Returns:
            dict name -> path of each PNG written.
        """
        values = {name: _to_numpy(value) for name, value in values.items()}
        unknown = sorted(name for name, v in values.items() if v.ndim not in (0, 4, 5))
        if unknown:
            raise ValueError(f"sample values must be scalars or 4-D/5-D images, not: {unknown}")
        self.scalars(step, {name: v for name, v in values.items() if v.ndim == 0})
        paths = self.images(step, {name: v for name, v in values.items() if v.ndim == 4})
        for name, table in values.items():
            if table.ndim == 5:
                images = table.reshape((-1,) + table.shape[2:])  # (R*K, H, W, C)
                paths.update(self.images(step, {name: images}, ncols=table.shape[1]))
        return paths

    def flush(self):
        with self._skip_failure("TensorBoard events", self.logdir):
            self._writer.flush()

    def close(self):
        with self._skip_failure("TensorBoard events", self.logdir):
            self._writer.close()
