"""Statistics of a multi-seed study (one value per run): per arm the mean, the sample standard
deviation (ddof=1, `sample_std`: the one convention of every report) and a percentile-bootstrap
95% interval of the mean (an_tf.metrics.bootstrap); per baseline the difference of
means (reference − baseline) with its bootstrap interval (the arms resampled independently), the
two-sided Mann-Whitney U test and U / (n_a n_b), the share of all (reference run, baseline run)
pairs where the reference is better. Seeds are treated as unpaired: seed k of two arms shares
only the data order and sampling noise, not the initial weights, and runs that differ only in
rounding already end far apart (docs/results/chaos_floor.json), so pairing by seed carries no
information.

Shape letters: N runs of one arm, M runs of the other.
"""

import numpy as np
from scipy import stats

from an_tf.metrics import bootstrap
from an_tf.metrics.bootstrap import as_sample, bootstrap_difference_ci, bootstrap_mean_ci

# the bootstrap's settings, recorded in the studies' JSON
NUM_RESAMPLES, BOOTSTRAP_SEED = bootstrap.NUM_RESAMPLES, bootstrap.BOOTSTRAP_SEED

# metric -> (title, whether larger is better)
METRICS = {"accuracy": ("accuracy", True), "fd": ("FD", False), "intra_fd": ("intra-FD", False)}
STD_CONVENTION = "sample standard deviation (ddof=1)"


def sample_std(values):
    """The sample standard deviation (ddof=1) of `values`, 0 for one value: the one convention
    of every table and JSON of the reports."""
    sample = as_sample(values)
    return float(np.std(sample, ddof=1)) if sample.size > 1 else 0.0


def mann_whitney(values, baseline):
    """(U of `values`, two-sided p-value): scipy's exact distribution for small samples without
    ties, its normal approximation (tie-corrected) otherwise."""
    result = stats.mannwhitneyu(as_sample(values), as_sample(baseline),
                                alternative="two-sided", method="auto")
    return float(result.statistic), float(result.pvalue)


def describe(values):
    """{"n", "mean", "std" (`sample_std`), "ci": [low, high], "values"}."""
    sample = as_sample(values)
    return {"n": int(sample.size), "mean": float(sample.mean()), "std": sample_std(sample),
            "ci": bootstrap_mean_ci(sample), "values": [float(v) for v in sample]}


def compare(values, baseline, larger_is_better):
    """{"difference", "ci", "u", "p", "share_better"} of mean(values) − mean(baseline);
    share_better = the share of all run pairs where `values` is better (ties count half)."""
    u, p = mann_whitney(values, baseline)
    share = u / (len(values) * len(baseline))  # U counts pairs with values > baseline
    return {"difference": float(np.mean(values) - np.mean(baseline)),
            "ci": bootstrap_difference_ci(values, baseline), "u": u, "p": p,
            "share_better": share if larger_is_better else 1 - share}


def study_statistics(records, reference="an", metrics=None):
    """{metric: {"title", "larger_is_better", "arms": {arm: describe(...)},
    "versus": {baseline: compare(reference, baseline)}}} of result records (dicts with "arm" and
    the metrics; arms in order of appearance). `metrics`: {key: (title, larger_is_better)},
    default METRICS."""
    arms = list(dict.fromkeys(record["arm"] for record in records))
    output = {}
    for metric, (title, larger_is_better) in (metrics or METRICS).items():
        values = {arm: [r[metric] for r in records if r["arm"] == arm and metric in r]
                  for arm in arms}
        output[metric] = {"title": title, "larger_is_better": larger_is_better,
                          "arms": {arm: describe(v) for arm, v in values.items() if v},
                          "versus": {}}
        if values.get(reference):
            for arm in arms:
                if arm != reference and values[arm]:
                    output[metric]["versus"][arm] = compare(values[reference], values[arm],
                                                            larger_is_better)
    return output


def markdown_tables(statistics, reference="an"):
    """Two markdown tables, each under a caption: per arm and metric "mean ± sample std [CI]",
    then per baseline and metric "difference [CI], p, share of pairs where `reference` is
    better"."""
    metrics = list(statistics)
    arms = list(dict.fromkeys(arm for m in metrics for arm in statistics[m]["arms"]))
    titles = [statistics[m]["title"] for m in metrics]
    lines = [f"Mean ± {STD_CONVENTION} over runs [percentile-bootstrap 95% interval of the "
             "mean]:", "",
             "| arm | runs | " + " | ".join(titles) + " |",
             "| --- | --- |" + " --- |" * len(metrics)]
    for arm in arms:
        cells = [_arm_cell(statistics[m]["arms"].get(arm)) for m in metrics]
        runs = max(statistics[m]["arms"].get(arm, {"n": 0})["n"] for m in metrics)
        lines.append(f"| {arm} | {runs} | " + " | ".join(cells) + " |")
    lines += ["", "Difference of means [its bootstrap 95% interval], two-sided Mann-Whitney p, "
              "share of run pairs where the first is better:", "",
              f"| {reference} − baseline | " + " | ".join(titles) + " |",
              "| --- |" + " --- |" * len(metrics)]
    baselines = list(dict.fromkeys(b for m in metrics for b in statistics[m]["versus"]))
    for baseline in baselines:
        cells = [_difference_cell(statistics[m]["versus"].get(baseline)) for m in metrics]
        lines.append(f"| {reference} − {baseline} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _arm_cell(entry):
    if entry is None:
        return "-"
    low, high = entry["ci"]
    return f"{entry['mean']:.3g} ± {entry['std']:.2g} [{low:.3g}, {high:.3g}]"


def _difference_cell(entry):
    if entry is None:
        return "-"
    low, high = entry["ci"]
    return (f"{entry['difference']:+.3g} [{low:+.3g}, {high:+.3g}], p = {entry['p']:.2g}, "
            f"better in {100 * entry['share_better']:.0f}% of pairs")
