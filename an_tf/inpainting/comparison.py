"""The comparison of Wang et al., CVPR 2020 (supplement Figure 10): AN vs CA's contextual attention
vs no attentive branch, trained with the same data, steps and seeds; helpers to summarize the runs
(mean +- std over seeds), read their speed from the TensorBoard events, format a Markdown table and
assemble a Figure-10-style picture (input, CA, AN, none, original).
"""

import glob
import os

import numpy as np
import tensorflow as tf
from tensorflow.core.util import event_pb2

from an_tf.inpainting import inference

TABLE_COLUMNS = (("hole_psnr", "hole PSNR", 2), ("coarse_hole_psnr", "coarse hole PSNR", 2),
                 ("hole_ssim", "hole SSIM", 3), ("hole_l1", "hole L1", 4), ("psnr", "PSNR", 2),
                 ("ssim", "SSIM", 3), ("l1", "L1", 4),
                 ("layout_object_iou", "AN layout IoU", 3))
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


def variant_name(run):
    return f"{run['attention']}/{run['stage2_input']}"


def summarize(runs, mask_type="center", stage="refined"):
    """dict variant -> {metric: (mean, std over seeds)} plus seconds/step and peak memory; also
    the coarse stage's hole PSNR (is refinement better?) and, for AN on data with object masks,
    the layout's IoU with the objects."""
    variants = {}
    for run in runs:
        variants.setdefault(variant_name(run), []).append(run)
    summary = {}
    for name, group in variants.items():
        rows = [run["metrics"][mask_type][stage] for run in group]
        stats = {key: _mean_std([r[key] for r in rows]) for key in rows[0]}
        stats["coarse_hole_psnr"] = _mean_std(
            [run["metrics"][mask_type]["coarse"]["hole_psnr"] for run in group])
        layouts = [run["metrics"][mask_type].get("layout") for run in group]
        if all(layouts):
            stats["layout_object_iou"] = _mean_std([l["layout_object_iou"] for l in layouts])
        stats["seconds_per_step"] = _mean_std([r["seconds_per_step"] for r in group])
        stats["peak_rss_mb"] = (float(max(r["peak_rss_mb"] for r in group)), 0.0)
        stats["seeds"] = sorted(r["seed"] for r in group)
        summary[name] = stats
    return summary


def _mean_std(values):
    return float(np.mean(values)), float(np.std(values))


def markdown_table(summary):
    """One row per variant: hole and whole-image metrics (mean +- std), s/step, peak RSS."""
    header = (["variant (branch/stage-2 input)", "seeds"] + [label for _, label, _ in TABLE_COLUMNS]
              + ["s/step", "peak RSS MB"])
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    for name, stats in summary.items():
        cells = [name, str(len(stats["seeds"]))]
        for key, _, digits in TABLE_COLUMNS:
            if key not in stats:  # the layout IoU of a branch without AN
                cells.append("-")
                continue
            mean, std = stats[key]
            cells.append(f"{mean:.{digits}f} ± {std:.{digits}f}")
        cells.append(f"{stats['seconds_per_step'][0]:.2f}")
        cells.append(f"{stats['peak_rss_mb'][0]:.0f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


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
