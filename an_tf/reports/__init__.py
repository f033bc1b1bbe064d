"""Reporting of studies and runs: statistics over seeds (one convention: the sample standard
deviation, ddof=1; bootstrap intervals, Mann-Whitney tests), the study and inpainting-comparison
tables, and plots drawn with one backend (matplotlib's Agg canvas, `plotting`)."""

# No submodule is imported here: `provenance` must stay light (no TensorFlow, no matplotlib) for
# the processes that only launch runs; import the modules themselves (from an_tf.reports import X).
