"""Tests of experiments/common_flags.py: definitions, validators, config and hparams."""

import os
import sys

import pytest
from absl import flags

from an_tf import training
from experiments import common_flags


def _parse(*args):
    flag_values = flags.FlagValues()
    common_flags.define_training_flags(flag_values)
    flag_values(["prog", *args])
    return flag_values


def test_flags_build_the_training_config():
    flag_values = _parse("--workdir=/tmp/run", "--batch_size=8", "--train_steps=50",
                         "--strategy=mirrored", "--num_cpu_devices=2", "--seed=3",
                         "--mixed_precision=mixed_bfloat16", "--checkpoint_every=10",
                         "--summary_every=5", "--sample_every=20", "--steps_per_loop=2",
                         "--export_dir=/tmp/run/export")
    assert common_flags.training_config_from_flags(flag_values) == training.TrainingConfig(
        workdir="/tmp/run", train_steps=50, batch_size=8, strategy="mirrored", seed=3,
        mixed_precision="mixed_bfloat16", checkpoint_every=10, summary_every=5, sample_every=20,
        steps_per_loop=2, export_dir="/tmp/run/export", num_cpu_devices=2)


def test_defaults_map_none_policy_and_empty_tpu():
    config = common_flags.training_config_from_flags(_parse("--workdir=w", "--strategy=tpu"))
    assert config.mixed_precision is None and config.tpu is None and config.strategy == "tpu"


def test_defining_twice_is_harmless():
    flag_values = flags.FlagValues()
    common_flags.define_training_flags(flag_values)
    common_flags.define_training_flags(flag_values)
    flag_values(["prog", "--workdir=w"])
    assert flag_values.workdir == "w"


def test_flag_values_dict_has_all_program_flags_but_not_absl_ones():
    flag_values = _parse("--workdir=w", "--batch_size=4")
    flags.DEFINE_integer("extra", 7, "a pipeline flag", flag_values=flag_values)
    values = common_flags.flag_values_dict(flag_values)
    assert values["batch_size"] == 4 and values["extra"] == 7 and values["workdir"] == "w"
    assert set(values) >= {"train_steps", "strategy", "tpu", "seed", "mixed_precision",
                           "checkpoint_every", "summary_every", "sample_every",
                           "steps_per_loop", "export_dir", "num_cpu_devices"}
    assert "flagfile" not in values and "verbosity" not in common_flags.flag_values_dict()


@pytest.mark.parametrize("args, message", [
    ((), r"--workdir must have a value other than None"),
    (("--batch_size=0",), r"flag --batch_size=0: 0 is not a positive integer"),
    (("--train_steps=-5",), r"flag --train_steps=-5: -5 is not a positive integer"),
    (("--steps_per_loop=0",), r"flag --steps_per_loop=0"),
    (("--seed=-1",), r"flag --seed=-1"),
    (("--strategy=gpu",), r"value should be one of <default\|mirrored\|multi_worker\|tpu>"),
    (("--mixed_precision=float16",), r"value should be one of <none\|mixed_float16"),
    (("--tpu=x",), r"--tpu is only used with --strategy=tpu"),
    (("--num_cpu_devices=2",), r"--num_cpu_devices > 1 needs --strategy=mirrored"),
    (("--export_dir=/tmp/run",), r"--export_dir must not be --workdir or one of its parents"),
    (("--export_dir=/tmp",), r"--export_dir must not be --workdir or one of its parents"),
])
def test_impossible_values_are_rejected_with_one_line(args, message):
    workdir = () if not args else ("--workdir=/tmp/run",)
    with pytest.raises(flags.IllegalFlagValueError, match=message) as error:
        _parse(*workdir, *args)
    assert "\n" not in str(error.value)


def test_export_dir_inside_workdir_is_fine():
    flag_values = _parse("--workdir=/tmp/run", "--export_dir=/tmp/run/export")
    assert flag_values.export_dir == "/tmp/run/export"


def _run_main_in_child(main_source, *args):
    """run_main(main) with argv ["prog", *args] in a fresh process: absl's global FLAGS there
    holds no flag that other test files of this worker defined at import time."""
    import subprocess

    from tests.cgan.helpers import REPO

    code = ("import sys; from experiments import common_flags\n"
            f"{main_source}\n"
            f"sys.argv = ['prog', *{list(args)!r}]; common_flags.run_main(main)")
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, check=False, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})


def test_run_main_refuses_positional_arguments_in_one_line():
    done = _run_main_in_child("def main(argv): print('called')", "stray", "words")
    assert done.returncode == 1 and "called" not in done.stdout
    assert done.stderr.strip() == "error: unexpected arguments: stray words"


def test_importing_it_and_the_demo_loads_no_tensorflow():
    """The demo and the plotting tools run with run_main without loading TensorFlow."""
    import subprocess

    from tests.cgan.helpers import REPO

    code = ("import sys; from experiments import common_flags, demo; "
            "print('tensorflow' in sys.modules, 'an_tf.training' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=REPO, check=True)
    assert done.stdout.split() == ["False", "False"]


def test_run_main_reports_a_stopped_run_with_its_exit_code():
    from an_tf.training.preemption import TrainingInterrupted

    done = _run_main_in_child(
        "from an_tf.training.preemption import TrainingInterrupted\n"
        "def main(argv): raise TrainingInterrupted('SIGTERM after step 4')")
    assert done.returncode == TrainingInterrupted.exitcode
    assert done.stderr.strip().splitlines()[-1] == "stopped: SIGTERM after step 4"


def test_classifier_flags_are_defined_once_for_every_tool():
    from experiments import cgan, evaluate_cgan

    for define in (cgan.define_flags, evaluate_cgan.define_flags):
        flag_values = flags.FlagValues()
        define(flag_values)
        common_flags.define_classifier_flags(flag_values)  # already there: nothing happens
        flag_values(["prog", "--workdir=w", "--classifier_epochs=2"])
        assert (flag_values.classifier_dir, flag_values.classifier_train_examples,
                flag_values.classifier_epochs) == ("runs/shapes_classifier", 6000, 2)
        assert flag_values.find_module_defining_flag("classifier_dir") == common_flags.__name__
