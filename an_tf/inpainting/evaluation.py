"""Evaluation of an inpainting generator (Wang et al., CVPR 2020): PSNR, SSIM, mean L1 and L2 of the
coarse and refined outputs (completed with the known pixels) over an evaluation set, on the whole
image (psnr, ssim, l1, l2: as CA reports them) and on the hole alone (hole_psnr, ...).
Deterministic: generator in inference mode, fixed evaluation batches.

With batches that carry ground-truth object masks (procedural scenes) and an AN generator, AN's
layout is scored too: the best entity's IoU with the objects (`layout_object_iou`), beside the
object area fraction, about what a layout that ignores the objects scores.
"""

import numpy as np

from an_tf.data import synthetic_shapes
from an_tf.inpainting import inference
from an_tf.inpainting import metrics
from an_tf.metrics.bootstrap import bootstrap_mean_ci

STAGES = ("coarse", "refined")
NAMES = metrics.METRICS + tuple(f"hole_{name}" for name in metrics.METRICS)
# Metrics of the paired refined − coarse comparison (each image scored by both stages).
REFINEMENT_METRICS = {"psnr": True, "ssim": True, "hole_psnr": True, "hole_l1": False}


def evaluate(generator, batches):
    """Means over all images of every metric, for both stages.

    Args:
        generator: an `InpaintingGenerator` (any size: padded by `inference.complete`).
        batches: iterable of dicts with images (B,H,W,3) in [-1, 1] and masks (B,H,W,1).
    Returns:
        dict stage -> metric -> float, plus "num_images".
    """
    values = {stage: {name: [] for name in NAMES} for stage in STAGES}
    count, layout_ious, object_fractions = 0, [], []
    for batch in batches:
        images, masks = batch["images"], batch["masks"]
        score_layout = ("object_masks" in batch
                        and getattr(generator, "attention", None) == "an")
        outputs = inference.complete(generator, images, masks, return_layout=score_layout)
        if score_layout:
            objects = np.asarray(batch["object_masks"])
            layout_ious.extend(synthetic_shapes.best_entity_iou(np.asarray(outputs["layout"]),
                                                                objects))
            object_fractions.extend(objects.mean(axis=(1, 2, 3)))
        for stage in STAGES:
            # Each stage's prediction is pasted into the known pixels, as the completed image is.
            completed = outputs[stage] * masks + images * (1.0 - masks)
            for name, per_image in metrics.all_metrics(images, completed, masks).items():
                values[stage][name].extend(np.asarray(per_image).tolist())
        count += int(images.shape[0])
    if not count:
        raise ValueError("the evaluation set is empty")
    results = {stage: {name: float(np.mean(v)) for name, v in by_name.items()}
               for stage, by_name in values.items()}
    results["num_images"] = count
    results["refinement"] = refinement_statistics(values)
    if layout_ious:
        results["layout"] = {"layout_object_iou": float(np.mean(layout_ious)),
                             "object_fraction": float(np.mean(object_fractions))}
    return results


def refinement_statistics(values):
    """Refined − coarse, paired per image: for each metric of REFINEMENT_METRICS the mean
    difference, its 95% percentile-bootstrap interval over the images (an_tf.metrics.bootstrap's
    resamples and seed) and how many images the refined stage scores better on. The interval
    measures the spread over images for this one model, not the run-to-run spread.

    Args:
        values: stage -> metric -> per-image list (as in `evaluate`).
    """
    statistics = {}
    for name, larger_is_better in REFINEMENT_METRICS.items():
        differences = (np.asarray(values["refined"][name], np.float64)
                       - np.asarray(values["coarse"][name], np.float64))
        finite = differences[np.isfinite(differences)]  # PSNR of an exact image is +inf
        better = finite > 0 if larger_is_better else finite < 0
        statistics[name] = {
            "mean": float(finite.mean()) if finite.size else float("nan"),
            "ci95": bootstrap_mean_ci(finite) if finite.size else None,
            "refined_better": int(better.sum()), "images": int(finite.size)}
    return statistics


def format_refinement(results_by_mask):
    """One line per mask type: refined − coarse per metric, [interval], images refined wins."""
    lines = []
    for mask_type, results in results_by_mask.items():
        cells = []
        for name, entry in results["refinement"].items():
            interval = entry["ci95"] or [float("nan")] * 2
            cells.append(f"{name} {entry['mean']:+.4f} [{interval[0]:+.4f}, {interval[1]:+.4f}]"
                         f" ({entry['refined_better']}/{entry['images']})")
        lines.append(f"{mask_type}: refined − coarse per image, mean [95% bootstrap over images] "
                     f"(images where refined is better): " + "; ".join(cells))
    return "\n".join(lines)


def format_table(results_by_mask):
    """A plain-text table: one row per (mask type, stage), one column per metric (whole image,
    then hole)."""
    header = f"{'masks':<10} {'stage':<8} " + " ".join(f"{m:>9}" for m in NAMES)
    lines = [header, "-" * len(header)]
    for mask_type, results in results_by_mask.items():
        for stage in STAGES:
            row = " ".join(f"{results[stage][m]:>9.4f}" for m in NAMES)
            lines.append(f"{mask_type:<10} {stage:<8} {row}")
    for mask_type, results in results_by_mask.items():
        if "layout" in results:
            layout = results["layout"]
            lines.append(f"{mask_type}: AN layout, best entity IoU with the objects "
                         f"{layout['layout_object_iou']:.3f} (object area fraction "
                         f"{layout['object_fraction']:.3f})")
    return "\n".join(lines)
