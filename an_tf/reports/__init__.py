"""Reporting of studies and runs: statistics over seeds (one convention: the sample standard
deviation, ddof=1; bootstrap intervals, Mann-Whitney tests), the study and inpainting-comparison
tables, and plots drawn with one backend (matplotlib's Agg canvas, `plotting`)."""

from an_tf.reports import (inpaint_comparison, metrics_plot, plotting, study_plot, study_stats,
                           study_table)

__all__ = ["inpaint_comparison", "metrics_plot", "plotting", "study_plot", "study_stats",
           "study_table"]
