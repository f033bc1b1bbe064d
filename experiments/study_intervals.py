r"""Intervals, rank tests and the per-seed plot of a finished study's records (the JSON that
experiments/study_cgan.py writes: {"records": [{"arm", "seed", metric: value}, ...]}), without
running or restoring anything.

    python -m experiments.study_intervals --records=docs/results/study_cgan_all.json \
        --output=docs/results/study_cgan_all_intervals --plot=docs/images/study_cgan_all_seeds.png

Writes <output>.json (study_stats.study_statistics) and <output>.md; --plot draws one dot per run.
--rewrite_study rewrites the study's own summary (its JSON's "summary", and "statistics" when it has
them) and the .md beside it from its records, as experiments/study_cgan.py writes them now:

    python -m experiments.study_intervals --records=docs/results/study_cgan8.json --rewrite_study
"""

import json
import os

from absl import app, flags

from an_tf.reports import provenance, study_plot, study_stats, study_table
from experiments import common_flags

flags.DEFINE_string("records", None, "A study JSON with a \"records\" list.", required=True)
flags.DEFINE_list("arms", [], "Only these arms, in this order (default: all).")
flags.DEFINE_string("reference", "an", "The arm compared with every other.")
flags.DEFINE_string("output", None, "Output prefix of the .json and .md of the intervals.")
flags.DEFINE_bool("rewrite_study", False, "Rewrite --records' summary and the .md beside it "
                  "from its records (mean ± sample std; intervals when it has them).")
flags.DEFINE_string("plot", "", "PNG of the per-seed values (empty: none).")
flags.DEFINE_string("title", "", "The plot's title.")


def rewrite_study(study, path):
    """Recomputes `study`'s "summary" (and "statistics" if present) from its records; writes
    them to `path` and the study's .md beside it (the summary table, then the intervals)."""
    records = study["records"]
    arms = list(dict.fromkeys(record["arm"] for record in records))
    reference = "an" if "an" in arms else arms[0]  # as study_cgan
    study["summary"] = study_table.summarize(records)
    statistics = None
    if "statistics" in study:
        statistics = study["statistics"] = study_stats.study_statistics(records, reference)
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(study, stream, indent=1)
    text = study_table.study_markdown(study["summary"], statistics, reference)
    with open(os.path.splitext(path)[0] + ".md", "w", encoding="utf-8") as stream:
        stream.write(text + "\n")
    print(text)


def main(argv):
    del argv
    fv = flags.FLAGS
    if not (fv.output or fv.rewrite_study):
        raise app.UsageError("--output or --rewrite_study is required")
    with open(fv.records, encoding="utf-8") as stream:
        study = json.load(stream)
    if fv.rewrite_study:
        rewrite_study(study, fv.records)
    if fv.output:
        write_intervals(study, fv)


def write_intervals(study, fv):
    """<output>.json and .md of the intervals and tests of --arms (default all); --plot."""
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
                   **{key: study[key] for key in provenance.FIELDS if key in study}},
                  stream, indent=1)
    table = study_stats.markdown_tables(statistics, reference=fv.reference)
    with open(fv.output + ".md", "w", encoding="utf-8") as stream:
        stream.write(table + "\n")
    if fv.plot:
        study_plot.plot_per_seed(statistics, fv.plot, title=fv.title or None)
    print(table)


if __name__ == "__main__":
    common_flags.run_main(main)
