"""A line plot of one metric of a run's metrics log (<workdir>/metrics.jsonl, read through
`eval_hook.MetricsLog`) against the training step, drawn with matplotlib (`plotting`): the
curve, its points, and the best point circled in red."""

import numpy as np

from an_tf.reports.plotting import new_figure
from an_tf.training.eval_hook import MetricsLog

WIDTH, HEIGHT, DPI = 640, 400, 100  # pixels of the PNG
CURVE, BEST = "#1f77b4", "#d62728"  # matplotlib's C0 blue, C3 red


def read_metric(workdir, metric):
    """(steps, values) of `metric` in the run's metrics log; ValueError (one line) if the file
    or the metric is missing (naming the metrics there are)."""
    log = MetricsLog(workdir)
    records = log.records()
    if not records:
        raise ValueError(f"{log.path} not found or empty: train with --eval_every to write it")
    points = [(r["step"], r[metric]) for r in records if isinstance(r.get(metric), (int, float))]
    if not points:
        names = sorted({k for r in records for k, v in r.items() if isinstance(v, (int, float))})
        raise ValueError(f"no metric {metric!r} in {log.path}; there are: {', '.join(names)}")
    steps, values = zip(*points)
    return np.asarray(steps), np.asarray(values, np.float64)


def plot_metric(steps, values, title, path, lower_is_better=True):
    """Writes the PNG `path` (WIDTH x HEIGHT) of `values` against `steps`."""
    figure = new_figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    axis = figure.subplots()
    axis.plot(steps, values, color=CURVE, linewidth=1.5, marker="o", markersize=4)
    best = int(np.argmin(values) if lower_is_better else np.argmax(values))
    axis.plot(steps[best], values[best], linestyle="none", marker="o", markersize=12,
              markerfacecolor="none", markeredgecolor=BEST, markeredgewidth=2)
    axis.set_xlabel("step")
    axis.set_title(title, fontsize=10, loc="left")
    axis.grid(alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=DPI)
