r"""Verifies every checkpoint of a run and prints a table: step, size, verified or why not.

    python -m experiments.check_workdir --workdir=runs/cgan_demo

Each checkpoint of <workdir>/checkpoints (and of checkpoints/best/, kept by --eval_every) is read
completely: every file present, every tensor read back (TF's checksums), the manifest matching the
saved tensors (`an_tf.training.verify`). Nothing is locked, moved or written, so it can run beside
a training run. Exit code 0 if every checkpoint verified, 1 otherwise (or if there is none).
"""

from absl import app, flags

from an_tf.training import verify
from experiments import common_flags


def define_flags(flag_values=flags.FLAGS):
    """Defines --workdir (unless already defined)."""
    if "workdir" not in flag_values:
        flags.DEFINE_string("workdir", None, "Directory of a training run.",
                            flag_values=flag_values)


def format_table(reports):
    """Lines of the table for [(folder, CheckpointReport)]."""
    lines = [f"{'folder':<12} {'step':>8} {'size':>10}  status"]
    for label, entry in reports:
        status = "verified" if entry.problem is None else f"FAILED: {entry.problem}"
        lines.append(f"{label:<12} {entry.step:>8} {entry.size / 2**20:>8.2f}MB  {status}")
    return lines


def main(argv, flag_values=flags.FLAGS):
    del argv  # refused by common_flags.run_main when not empty
    if not flag_values.workdir:
        raise app.UsageError("--workdir is required")
    reports, moved = verify.verify_workdir(flag_values.workdir)
    if not reports:
        raise FileNotFoundError(f"no checkpoint in {flag_values.workdir}/checkpoints")
    print("\n".join(format_table(reports)), flush=True)
    if moved:
        print(f"({moved} checkpoint(s) moved aside earlier: ckpt-*.corrupt-* or "
              f"ckpt-*.superseded-* in {flag_values.workdir}/checkpoints)", flush=True)
    failed = sum(entry.problem is not None for _, entry in reports)
    if failed:
        raise RuntimeError(f"{failed} of {len(reports)} checkpoint(s) failed verification")
    print(f"all {len(reports)} checkpoint(s) verified", flush=True)


if __name__ == "__main__":
    define_flags()
    common_flags.run_main(main)
