"""Summaries of a multi-seed study: per arm, the mean and the sample standard deviation (ddof=1,
`study_stats.sample_std`) over seeds of each metric (AN layout metrics averaged over the arm's AN
layers), as JSON and a markdown table; and the study's whole .md (this table, then study_stats'
intervals and tests when computed)."""

import numpy as np

from an_tf.reports import study_stats

# (result key or key prefix, column title); prefixes ending in "/" average over AN layers.
COLUMNS = (
    ("accuracy", "accuracy"), ("fd", "FD"), ("intra_fd", "intra-FD"), ("is_like", "IS-like"),
    ("g_layout_object_iou/", "G layout IoU"), ("g_entities_used/", "G entities used"),
    ("d_layout_object_iou/", "D layout IoU"), ("d_entities_used/", "D entities used"),
    ("initial_g_orthogonality_loss", "G orth. loss at init"),
    ("seconds_per_step", "s/step"), ("peak_rss_mb", "peak RSS MB"),
)


def _value(record, key):
    if not key.endswith("/"):
        return record.get(key)
    values = [value for name, value in record.items() if name.startswith(key)]
    return float(np.mean(values)) if values else None


def summarize(records):
    """{arm: {key: [mean, sample std, seeds]}} of result records (dicts with "arm" and
    metrics)."""
    summary = {}
    for arm in dict.fromkeys(record["arm"] for record in records):
        arm_records = [record for record in records if record["arm"] == arm]
        summary[arm] = {}
        for key, _ in COLUMNS:
            values = [v for v in (_value(r, key) for r in arm_records) if v is not None]
            if values:
                summary[arm][key] = [float(np.mean(values)), study_stats.sample_std(values),
                                     len(values)]
    return summary


def markdown_table(summary):
    """A caption, then one row per arm, "mean ± sample std" per metric ("-" where the arm has no
    such metric)."""
    lines = [f"Mean ± {study_stats.STD_CONVENTION} over seeds:", "",
             "| arm | " + " | ".join(title for _, title in COLUMNS) + " |",
             "| --- |" + " --- |" * len(COLUMNS)]
    for arm, values in summary.items():
        cells = [f"{values[key][0]:.3g} ± {values[key][1]:.2g}" if key in values else "-"
                 for key, _ in COLUMNS]
        lines.append(f"| {arm} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def study_markdown(summary, statistics=None, reference="an"):
    """The study's .md: the summary table, then (when given) study_stats' tables of
    `statistics`."""
    if statistics is None:
        return markdown_table(summary)
    return (markdown_table(summary) + "\n\n"
            + study_stats.markdown_tables(statistics, reference=reference))
