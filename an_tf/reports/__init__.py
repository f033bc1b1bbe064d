"""Reporting of studies and runs: statistics over seeds (sample standard deviation, ddof=1;
bootstrap intervals, Mann-Whitney tests), markdown tables and matplotlib plots."""

from an_tf.reports import metrics_plot, study_plot, study_stats, study_table

__all__ = ["metrics_plot", "study_plot", "study_stats", "study_table"]
