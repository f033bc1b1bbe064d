r"""Intervals and rank tests for the inpainting comparison (experiments/compare_inpaint.py's
comparison.json): per mask kind and stage-2 input, each branch's mean with its bootstrap 95%
interval, AN − CA and AN − none with their intervals and Mann-Whitney p-values, and the refined −
coarse gain of each run (the same run's two stages: paired).

    python -m experiments.inpaint_intervals --comparison=docs/results/inpaint_compare.json \
        --output=docs/results/inpaint_compare_intervals

Writes <output>.json and <output>.md.
"""

import json

from absl import flags

from an_tf.reports import study_stats
from experiments import common_flags

flags.DEFINE_string("comparison", "docs/results/inpaint_compare.json", "comparison.json.")
flags.DEFINE_string("output", "docs/results/inpaint_compare_intervals", "Output prefix.")

METRICS = {"hole_psnr": ("hole PSNR", True), "hole_ssim": ("hole SSIM", True),
           "hole_l1": ("hole L1", False), "refinement": ("refined − coarse hole PSNR", True)}


def records_of(runs, masks, stage2_input):
    """Study records ({"arm": branch, metric: value}) of the runs with this stage-2 input."""
    records = []
    for run in runs:
        if run["stage2_input"] != stage2_input:
            continue
        metrics = run["metrics"][masks]
        refined, coarse = metrics["refined"], metrics["coarse"]
        records.append({"arm": run["attention"], "seed": run["seed"],
                        **{key: refined[key] for key in ("hole_psnr", "hole_ssim", "hole_l1")},
                        "refinement": refined["hole_psnr"] - coarse["hole_psnr"]})
    return records


def main(argv):
    del argv
    fv = flags.FLAGS
    with open(fv.comparison, encoding="utf-8") as stream:
        runs = json.load(stream)["runs"]
    output, sections = {}, []
    for masks in ("center", "free_form"):
        for stage2_input in sorted({run["stage2_input"] for run in runs}):
            statistics = study_stats.study_statistics(records_of(runs, masks, stage2_input),
                                                      reference="an", metrics=METRICS)
            output[f"{masks}/{stage2_input}"] = statistics
            sections.append(f"{masks} masks, stage-2 input {stage2_input}:\n\n"
                            + study_stats.markdown_tables(statistics))
    output["bootstrap"] = {"resamples": study_stats.NUM_RESAMPLES,
                           "seed": study_stats.BOOTSTRAP_SEED, "kind": "percentile"}
    with open(fv.output + ".json", "w", encoding="utf-8") as stream:
        json.dump(output, stream, indent=1)
    text = "\n\n".join(sections)
    with open(fv.output + ".md", "w", encoding="utf-8") as stream:
        stream.write(text + "\n")
    print(text)


if __name__ == "__main__":
    common_flags.run_main(main)
