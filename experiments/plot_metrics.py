r"""Plots one metric of a run's <workdir>/metrics.jsonl (written by --eval_every) against the step.

    python -m experiments.plot_metrics --workdir=runs/cgan_photos --metric=fd \
        --output=docs/images/cgan_photos_fd.png

The best point (lowest, or highest with --higher_is_better, e.g. accuracy) is circled in red.
"""

import os

from absl import app, flags

from an_tf.reports.metrics_plot import plot_metric, read_metric
from experiments import common_flags


def define_flags(flag_values=flags.FLAGS):
    fv = {"flag_values": flag_values}
    if "workdir" not in flag_values:
        flags.DEFINE_string("workdir", None, "Directory of a run trained with --eval_every.", **fv)
    flags.DEFINE_string("metric", "fd", "Which metric (fd, fid, accuracy, intra_fd, ...).", **fv)
    flags.DEFINE_bool("higher_is_better", False, "Circle the highest value, not the lowest.",
                      **fv)
    flags.DEFINE_string("output", None, "PNG path (default <workdir>/metrics_<metric>.png).",
                        **fv)


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    fv = flag_values
    if not fv.workdir:
        raise app.UsageError("--workdir is required")
    steps, values = read_metric(fv.workdir, fv.metric)
    title = f"{fv.metric} against step: {os.path.basename(os.path.normpath(fv.workdir))}"
    output = fv.output or os.path.join(fv.workdir, f"metrics_{fv.metric}.png")
    os.makedirs(os.path.dirname(os.path.abspath(output)), exist_ok=True)
    plot_metric(steps, values, title, output, lower_is_better=not fv.higher_is_better)
    print(f"{len(steps)} points of {fv.metric} written to {output}", flush=True)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
