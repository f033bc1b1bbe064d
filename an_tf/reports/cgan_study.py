"""The outputs of a cGAN study (experiments/study_cgan.py): <root>/study_<name>.json (records,
per-arm summary, bootstrap intervals and tests, provenance), its .md, a picture of every arm's
samples (and AN's layouts) and a per-seed plot."""

import json
import os

import numpy as np

from an_tf.cgan import visualize
from an_tf.cgan.evaluation.run_eval import restore_gan
from an_tf.reports import study_plot, study_stats, study_table
from an_tf.reports.provenance import provenance
from an_tf.training.summaries import save_png


def write_study_outputs(root, name, arms, seeds, records, wall_seconds, jobs=1, plot_title=None,
                        code_commit=None):
    """Writes <root>/study_<name>.{json,md}, _samples.png and (when `plot_title` is given)
    _seeds.png; returns the markdown. `records`: the runs' result records (arm-major); AN is the
    reference arm when it is one of `arms`."""
    summary = study_table.summarize(records)
    reference = "an" if "an" in arms else arms[0]
    statistics = study_stats.study_statistics(records, reference=reference)
    table = study_table.study_markdown(summary, statistics, reference)
    prefix = os.path.join(root, f"study_{name}")
    with open(prefix + ".json", "w", encoding="utf-8") as stream:
        json.dump({"study": name, "seeds": list(seeds), "summary": summary,
                   "statistics": statistics, "records": records,
                   "run_seconds": sum(r.get("train_seconds", 0) for r in records),
                   "wall_seconds": wall_seconds, "jobs": jobs, **provenance(code_commit),
                   "bootstrap": {"resamples": study_stats.NUM_RESAMPLES,
                                 "seed": study_stats.BOOTSTRAP_SEED, "kind": "percentile"}},
                  stream, indent=1)
    with open(prefix + ".md", "w", encoding="utf-8") as stream:
        stream.write(table + "\n")
    workdirs = [os.path.join(root, arm, f"seed{seeds[0]}") for arm in arms]
    save_png(prefix + "_samples.png", visualize.table_picture(samples_table(workdirs)))
    if plot_title is not None:
        study_plot.plot_per_seed(statistics, prefix + "_seeds.png", title=plot_title)
    return table


def samples_table(workdirs):
    """(rows, K, R, R, 3): per run one row of samples (one per class), and for AN runs a row of
    G's argmax layouts."""
    rows = []
    for workdir in workdirs:
        gan, config, _ = restore_gan(workdir)
        labels = np.arange(config.num_classes, dtype=np.int32)
        z = np.random.default_rng(1234).standard_normal((len(labels), config.z_dim))
        generator = gan.sampling_generator
        if generator.an_layers():
            table = visualize.layout_table(generator, z.astype(np.float32), labels)  # (K,2,...)
            rows += [table[:, 0], table[:, 1]]
        else:
            rows.append(np.asarray(generator(z.astype(np.float32), labels, training=False)))
    return np.stack(rows)
