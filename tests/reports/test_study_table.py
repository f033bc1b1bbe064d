"""The study's summary table (study_table): means and sample standard deviations (ddof=1) over
seeds, AN layout metrics averaged over layers, the convention in the caption; the study's .md."""

import numpy as np
import pytest

from an_tf.reports import study_stats
from an_tf.reports.study_table import markdown_table, study_markdown, summarize

IOU = "g_layout_object_iou/"
RECORDS = [{"arm": "an", "fd": 1.0, IOU + "a": 0.2, IOU + "b": 0.4},
           {"arm": "an", "fd": 3.0, IOU + "a": 0.4, IOU + "b": 0.6},
           {"arm": "none", "fd": 5.0}]


def test_summary_table_averages_seeds_and_layers():
    summary = summarize(RECORDS)
    # fd 1 and 3: sample std sqrt(2) (the population std would be 1)
    assert summary["an"]["fd"] == [2.0, pytest.approx(np.sqrt(2.0)), 2]
    # layers averaged per run first (0.3, 0.5), then over runs
    np.testing.assert_allclose(summary["an"][IOU], [0.4, np.sqrt(0.02), 2])
    assert IOU not in summary["none"]
    lines = markdown_table(summary).splitlines()
    assert "sample standard deviation (ddof=1)" in lines[0]
    assert lines[4].startswith("| an | - | 2 ± 1.4 |")
    assert lines[5].startswith("| none | - | 5 ± 0 |")


def test_study_markdown_appends_the_intervals_when_computed():
    summary = summarize(RECORDS)
    assert study_markdown(summary) == markdown_table(summary)
    statistics = study_stats.study_statistics(RECORDS, metrics={"fd": ("FD", False)})
    text = study_markdown(summary, statistics)
    assert text.startswith(markdown_table(summary) + "\n\n")
    assert text.endswith(study_stats.markdown_tables(statistics))
    assert "| an − none |" in text
