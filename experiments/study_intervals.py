r"""Intervals, rank tests and the per-seed plot of a finished study's records (the JSON that
experiments/study_cgan.py writes: {"records": [{"arm", "seed", metric: value}, ...]}), without
running or restoring anything.

    python -m experiments.study_intervals --records=docs/results/study_cgan_all.json \
        --output=docs/results/study_cgan_all_intervals --plot=docs/images/study_cgan_all_seeds.png

Writes <output>.json (study_stats.study_statistics) and <output>.md; --plot draws one dot per run.
"""

import json

from absl import flags

from an_tf.reports import study_plot, study_stats
from experiments import common_flags

flags.DEFINE_string("records", None, "A study JSON with a \"records\" list.", required=True)
flags.DEFINE_list("arms", [], "Only these arms, in this order (default: all).")
flags.DEFINE_string("reference", "an", "The arm compared with every other.")
flags.DEFINE_string("output", None, "Output prefix of the .json and .md.", required=True)
flags.DEFINE_string("plot", "", "PNG of the per-seed values (empty: none).")
flags.DEFINE_string("title", "", "The plot's title.")


def main(argv):
    del argv
    fv = flags.FLAGS
    with open(fv.records, encoding="utf-8") as stream:
        study = json.load(stream)
    records = study["records"]
    if fv.arms:
        unknown = sorted(set(fv.arms) - {record["arm"] for record in records})
        if unknown:
            raise ValueError(f"--arms: {unknown} not in {fv.records}")
        records = [r for arm in fv.arms for r in records if r["arm"] == arm]
    statistics = study_stats.study_statistics(records, reference=fv.reference)
    with open(fv.output + ".json", "w", encoding="utf-8") as stream:
        json.dump({"source": fv.records, "statistics": statistics,
                   "bootstrap": {"resamples": study_stats.NUM_RESAMPLES,
                                 "seed": study_stats.BOOTSTRAP_SEED, "kind": "percentile"},
                   **{key: study[key] for key in ("machine", "code_commit") if key in study}},
                  stream, indent=1)
    table = study_stats.markdown_tables(statistics, reference=fv.reference)
    with open(fv.output + ".md", "w", encoding="utf-8") as stream:
        stream.write(table + "\n")
    if fv.plot:
        study_plot.plot_per_seed(statistics, fv.plot, title=fv.title or None)
    print(table)


if __name__ == "__main__":
    common_flags.run_main(main)
