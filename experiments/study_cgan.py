r"""A small-scale reproduction of the paper's claims on the built-in synthetic shapes: every arm
trained with the same budget for each seed, then scored with the download-free metrics.

    python -m experiments.study_cgan --flagfile=experiments/configs/study_cgan.cfg --study=all
    python -m experiments.study_cgan --flagfile=experiments/configs/study_cgan.cfg \
        --study=attention --arms=an,self_attention,none --seeds=0,1,2,3,4,5,6,7 --jobs=2

Studies (an_tf.cgan.study_arms): attention (AN vs SA-GAN self-attention vs SN-GAN, and SN-GAN with
the projection discriminator), ssr (AN with vs without self-sampling regularization, supplement's
ablation), entity_init (AN's entities drawn from N(0, 1) as the paper vs orthogonal). Writes
<workdir>/<arm>/seed<k>/ (runs and result.json), <workdir>/study_<study>.{json,md} (mean ± std,
bootstrap intervals, AN − baseline with Mann-Whitney p, machine and commit),
<workdir>/study_<study>_samples.png (per arm one row of samples, one of G's layouts for AN) and
study_<study>_seeds.png (one dot per run). Runs go --jobs at a time, each in its own process;
finished runs are skipped when the command is run again, a killed one is redone.
"""

import time

from absl import app, flags

from an_tf.cgan import study, study_arms
from an_tf.reports.cgan_study import write_study_outputs
from experiments import cgan_flags, common_flags

define_flags = cgan_flags.define_study_flags


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    fv, started = flag_values, time.time()
    arms, seeds = tuple(fv.arms) or study_arms.STUDIES[fv.study], [int(s) for s in fv.seeds]
    if fv.jobs > 1 and not fv.isolate:
        raise app.UsageError("--jobs > 1 needs --isolate (each run in its own process)")
    runs = cgan_flags.study_runs_from_flags(fv, fv.workdir, arms, seeds)
    study.run_all(runs, fv.jobs, fv.isolate)
    records = [study.read_result(run.workdir)
               for run in sorted(runs, key=lambda run: arms.index(run.arm))]  # arm-major
    wall_seconds = time.time() - started
    title = f"{len(seeds)} seeds per arm, {fv.train_steps} steps" if fv.plot else None
    table = write_study_outputs(fv.workdir, fv.study, arms, seeds, records, wall_seconds,
                                fv.jobs, title, fv.code_commit or None)
    print(f"{table}\n\nstudy {fv.study}: {wall_seconds:.0f} s, written to "
          f"{fv.workdir}/study_{fv.study}.*", flush=True)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
