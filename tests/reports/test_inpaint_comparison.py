"""The inpainting comparison's tables (reports.inpaint_comparison): per variant the mean and the
sample standard deviation (ddof=1) over seeds, the convention in the caption, "-" for the layout
IoU of a branch without AN."""

import numpy as np
import pytest

from an_tf.reports import inpaint_comparison

METRICS = ("psnr", "ssim", "l1", "hole_psnr", "hole_ssim", "hole_l1")


def fake_run(attention, seed, hole_psnr):
    """A compare_inpaint run record with every metric set from `hole_psnr`."""
    stage = {name: hole_psnr / 100 for name in METRICS} | {"hole_psnr": hole_psnr}
    masks = {"refined": stage, "coarse": {**stage, "hole_psnr": hole_psnr - 1.0}}
    if attention == "an":
        masks["layout"] = {"layout_object_iou": 0.1 * (seed + 1)}
    return {"attention": attention, "stage2_input": "paste", "seed": seed, "peak_rss_mb": 900.0,
            "seconds_per_step": 0.5, "metrics": {"center": masks, "free_form": masks}}


RUNS = [fake_run("an", 0, 15.0), fake_run("an", 1, 17.0), fake_run("none", 0, 14.0)]


def test_summary_is_mean_and_sample_std_over_seeds():
    summary = inpaint_comparison.summarize(RUNS, "center")
    assert summary["an/paste"]["hole_psnr"] == (16.0, pytest.approx(np.sqrt(2.0)))  # not 1
    assert summary["an/paste"]["coarse_hole_psnr"] == (15.0, pytest.approx(np.sqrt(2.0)))
    assert summary["an/paste"]["layout_object_iou"][0] == pytest.approx(0.15)
    assert summary["none/paste"]["hole_psnr"] == (14.0, 0.0)  # one seed
    assert "layout_object_iou" not in summary["none/paste"]
    assert summary["an/paste"]["seeds"] == [0, 1]


def test_report_captions_name_the_convention():
    summaries, text = inpaint_comparison.comparison_report(RUNS, ("center", "free_form"))
    assert list(summaries) == ["center", "free_form"]
    assert text.count("mean ± sample standard deviation (ddof=1) over seeds") == 2
    an_row = next(line for line in text.splitlines() if line.startswith("| an/paste"))
    none_row = next(line for line in text.splitlines() if line.startswith("| none/paste"))
    assert "| 16.00 ± 1.41 |" in an_row and none_row.split(" | ")[-3] == "-"
