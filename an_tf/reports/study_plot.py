"""The per-seed picture of a multi-seed study: per metric one panel, per arm one column of dots
(one dot per run), with the arm's mean and its bootstrap 95% interval beside the dots."""

import numpy as np

from an_tf.reports.plotting import new_figure


def plot_per_seed(statistics, path, title=None):
    """Draws `statistics` (study_stats.study_statistics) to the PNG `path`. Needs matplotlib."""
    metrics = list(statistics)
    figure = new_figure(figsize=(3.6 * len(metrics), 3.4))
    axes = figure.subplots(1, len(metrics), squeeze=False)
    for axis, metric in zip(axes[0], metrics):
        arms = statistics[metric]["arms"]
        for position, (arm, entry) in enumerate(arms.items()):
            values = np.asarray(entry["values"])
            # spread the dots sideways by rank so equal values stay visible
            offsets = (np.argsort(np.argsort(values)) / max(len(values) - 1, 1) - 0.5) * 0.3
            axis.scatter(position + offsets, values, s=18, color=f"C{position}", zorder=3)
            low, high = entry["ci"]
            axis.errorbar(position + 0.3, entry["mean"], yerr=[[entry["mean"] - low],
                                                               [high - entry["mean"]]],
                          fmt="_", color="black", capsize=3, markersize=12)
        better = "higher" if statistics[metric]["larger_is_better"] else "lower"
        axis.set_title(f"{statistics[metric]['title']} ({better} is better)",
                       fontsize=10)
        axis.set_xticks(range(len(arms)), list(arms), fontsize=8, rotation=30, ha="right")
        axis.grid(axis="y", alpha=0.3)
    if title:
        figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
