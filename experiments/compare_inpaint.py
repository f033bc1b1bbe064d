r"""The paper's inpainting comparison (supplement Figure 10): AN vs CA's contextual attention vs no
branch, same data, steps and seeds. Each run trains in its own process (for its peak memory), is
then evaluated on the held-out images (centred box and fixed free-form masks); writes
<workdir>/comparison.json, comparison.md (mean ± sample std over seeds) and comparison.png (input,
CA, AN, none, original). Finished runs are reused when the command is run again. --tables_from
rewrites an existing comparison JSON's summary and the .md beside it from its runs, without
training or evaluating.

    python -m experiments.compare_inpaint --config=experiments/configs/inpaint_compare.cfg \
        --workdir=/tmp/inpaint_compare --seeds=0,1,2 --stage2_inputs=paste,concat
    python -m experiments.compare_inpaint --tables_from=docs/results/inpaint_compare.json
"""

import json
import os
import subprocess
import sys
import time
from concurrent import futures

from absl import app, flags

from an_tf.inpainting import comparison
from an_tf.inpainting import evaluation
from an_tf.inpainting import pipeline
from an_tf.inpainting.generator import ATTENTIONS
from an_tf.inpainting.generator import STAGE2_INPUTS
from an_tf.reports import inpaint_comparison
from experiments import common_flags

MASK_TYPES = ("center", "free_form")


def define_flags(flag_values=flags.FLAGS):
    if "attentions" in flag_values:
        return
    fv = {"flag_values": flag_values}
    flags.DEFINE_string("workdir", None, "Output folder (one sub-folder per run); required "
                        "unless --tables_from.", **fv)
    flags.DEFINE_string("tables_from", None, "An existing comparison JSON: rewrite its summary "
                        "and the .md beside it from its runs (no training).", **fv)
    flags.DEFINE_string("config", "experiments/configs/inpaint_compare.cfg",
                        "Flagfile of experiments.inpaint shared by every run.", **fv)
    flags.DEFINE_list("attentions", list(ATTENTIONS), "Branches to compare.", **fv)
    flags.DEFINE_list("seeds", ["0", "1", "2"], "Training seeds (same for every branch).", **fv)
    flags.DEFINE_list("stage2_inputs", ["paste"], "Stage-2 inputs to compare (paste, concat).",
                      **fv)
    flags.DEFINE_list("overrides", [], "Extra experiments.inpaint flags for every run, as "
                      "name=value (e.g. train_steps=100).", **fv)
    flags.DEFINE_integer("jobs", 1, "Runs trained at once (> 1 distorts s/step and memory).",
                         lower_bound=1, **fv)
    flags.DEFINE_integer("figure_images", 8, "Held-out crops in comparison.png.", lower_bound=1,
                         **fv)
    flags.DEFINE_integer("eval_batch_size", 8, "Evaluation batch size.", lower_bound=1, **fv)
    checks = (("attentions", ATTENTIONS), ("stage2_inputs", STAGE2_INPUTS))
    for name, allowed in checks:
        flags.register_validator(name, lambda v, a=allowed: v and set(v) <= set(a),
                                 f"--{name} must be a non-empty list of {','.join(allowed)}", **fv)
    flags.register_validator("seeds", lambda v: v and all(s.isdigit() for s in v),
                             "--seeds must be a non-empty list of integers >= 0", **fv)
    flags.register_validator("overrides", lambda v: all("=" in o for o in v),
                             "--overrides must be name=value items", **fv)


def run_specs(f):
    return [{"attention": a, "stage2_input": i, "seed": int(s),
             "workdir": os.path.join(f.workdir, f"{a}_{i}_seed{s}")}
            for i in f.stage2_inputs for a in f.attentions for s in f.seeds]


def train(spec, f):
    """Trains one run in a child process; returns {wall_seconds, peak_rss_mb} (cached)."""
    stats_path = os.path.join(spec["workdir"], "train_stats.json")
    if os.path.exists(stats_path):
        with open(stats_path, encoding="utf-8") as stream:
            return json.load(stream)
    os.makedirs(spec["workdir"], exist_ok=True)
    command = [sys.executable, "-m", "experiments.inpaint", f"--flagfile={f.config}",
               f"--workdir={spec['workdir']}", f"--attention={spec['attention']}",
               f"--stage2_input={spec['stage2_input']}", f"--seed={spec['seed']}"]
    command += [f"--{item}" for item in f.overrides]
    log_path = os.path.join(spec["workdir"], "train.log")
    start = time.time()
    with open(log_path, "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)  # the child's own peak RSS
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"training {spec['workdir']} failed (exit {process.returncode}); "
                           f"see {log_path}")
    stats = {"wall_seconds": time.time() - start, "peak_rss_mb": usage.ru_maxrss / 1024.0}
    with open(stats_path, "w", encoding="utf-8") as stream:
        json.dump(stats, stream)
    return stats


def evaluate(spec, batch_size):
    generator, config, step = pipeline.restore_generator(spec["workdir"])
    metrics = {mask: evaluation.evaluate(generator, pipeline.eval_batches(config, batch_size, mask))
               for mask in MASK_TYPES}
    return {"step": step, "metrics": metrics,
            "seconds_per_step": comparison.seconds_per_step(spec["workdir"])}


def write_figure(specs, f, path):
    """Input, CA, AN, none (first seed and stage-2 input of each), original."""
    first = [next(s for s in specs if s["attention"] == a) for a in comparison.FIGURE_ORDER
             if a in f.attentions]
    generators = [pipeline.restore_generator(s["workdir"])[0] for s in first]
    config = pipeline.load_config(first[0]["workdir"])[0]
    batch = next(iter(pipeline.eval_batches(config, f.figure_images, "center")))
    comparison.save_table_png(comparison.figure_rows(generators, batch), path)
    return [s["attention"] for s in first]


def run(f):
    specs = run_specs(f)
    with futures.ThreadPoolExecutor(f.jobs) as pool:
        stats = list(pool.map(lambda spec: train(spec, f), specs))
    runs = [{**spec, **stat, **evaluate(spec, f.eval_batch_size)}
            for spec, stat in zip(specs, stats)]
    columns = write_figure(specs, f, os.path.join(f.workdir, "comparison.png"))
    results = {"config": f.config, "overrides": f.overrides, "runs": runs, "summary": None,
               "figure_columns": ["input"] + columns + ["original"]}
    return write_tables(results, os.path.join(f.workdir, "comparison.json"))


def write_tables(results, path):
    """Fills results["summary"] from results["runs"]; writes `path` (JSON) and the .md beside
    it; prints the tables."""
    results["summary"], text = inpaint_comparison.comparison_report(results["runs"], MASK_TYPES)
    with open(path, "w", encoding="utf-8") as stream:
        json.dump(results, stream, indent=2)
    with open(os.path.splitext(path)[0] + ".md", "w", encoding="utf-8") as stream:
        stream.write(text + "\n")
    print(text)
    return results


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    if flag_values.tables_from:
        with open(flag_values.tables_from, encoding="utf-8") as stream:
            write_tables(json.load(stream), flag_values.tables_from)
    elif not flag_values.workdir:
        raise app.UsageError("--workdir is required (or --tables_from)")
    else:
        run(flag_values)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
