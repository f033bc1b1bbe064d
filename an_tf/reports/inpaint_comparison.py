"""The tables of the inpainting comparison (experiments/compare_inpaint.py; supplement Figure 10
of Wang et al., CVPR 2020): per variant (attentive branch / stage-2 input) the mean and the sample
standard deviation (ddof=1, `study_stats.sample_std`) over seeds of the held-out metrics, with
s/step and peak memory, as JSON and Markdown."""

import numpy as np

from an_tf.reports import study_stats

TABLE_COLUMNS = (("hole_psnr", "hole PSNR", 2), ("coarse_hole_psnr", "coarse hole PSNR", 2),
                 ("hole_ssim", "hole SSIM", 3), ("hole_l1", "hole L1", 4), ("psnr", "PSNR", 2),
                 ("ssim", "SSIM", 3), ("l1", "L1", 4),
                 ("layout_object_iou", "AN layout IoU", 3))


def variant_name(run):
    return f"{run['attention']}/{run['stage2_input']}"


def _mean_std(values):
    return float(np.mean(values)), study_stats.sample_std(values)


def summarize(runs, mask_type="center", stage="refined"):
    """dict variant -> {metric: (mean, sample std over seeds)} plus seconds/step and peak
    memory; also the coarse stage's hole PSNR (is refinement better?) and, for AN on data with
    object masks, the layout's IoU with the objects."""
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


def markdown_table(summary):
    """One row per variant: hole and whole-image metrics (mean ± sample std), s/step (mean),
    peak RSS (max)."""
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


def comparison_report(runs, mask_types):
    """({mask type: summarize(...)}, the comparison's Markdown: per mask type a caption and
    its table) of the evaluated runs (compare_inpaint's records)."""
    summaries = {mask: summarize(runs, mask) for mask in mask_types}
    text = "\n\n".join(
        f"{mask} masks (refined stage, completed image; mean ± {study_stats.STD_CONVENTION} "
        f"over seeds):\n\n{markdown_table(summary)}" for mask, summary in summaries.items())
    return summaries, text
