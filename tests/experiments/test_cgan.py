"""experiments.cgan: main() with the smoke flagfile, resume, and flag validation."""

import json
import os

import pytest
import tensorflow as tf
from absl import app, flags

from an_tf.training import checkpointing
from tests.cgan.helpers import SMOKE_FLAGFILE, parse_cgan_flags, run_cgan_main, smoke_workdir


def _checkpoint_steps(workdir):
    state = tf.train.get_checkpoint_state(os.path.join(workdir, "checkpoints"))
    return sorted(int(path.rsplit("-", 1)[1]) for path in state.all_model_checkpoint_paths)


def test_smoke_flagfile_trains_samples_and_checkpoints(tmp_path_factory):
    workdir = smoke_workdir(tmp_path_factory)
    assert _checkpoint_steps(workdir) == [2]
    for name in ("samples", "layout_argmax/up_block_32_an", "layout_entities/up_block_32_an",
                 "d_layout_argmax/down_block_16_an"):
        assert os.path.exists(os.path.join(workdir, "images", name, "2.png")), name
    with open(os.path.join(workdir, "config.json"), encoding="utf-8") as stream:
        hparams = json.load(stream)["hparams"]
    assert hparams["dataset"] == "synthetic" and hparams["channels"] == 4
    assert os.listdir(os.path.join(workdir, "tensorboard"))


@pytest.mark.slow  # --runslow; kept out of the default suite for its time budget
def test_rerun_resumes_from_the_checkpoint_step(tmp_path):
    workdir = str(tmp_path / "run")
    run_cgan_main(f"--workdir={workdir}", "--train_steps=1", "--checkpoint_every=1",
                  "--sample_every=100")
    run_cgan_main(f"--workdir={workdir}", "--train_steps=2", "--checkpoint_every=1",
                  "--sample_every=100")
    assert _checkpoint_steps(workdir) == [1, 2]  # continued at step 1, not restarted at 0
    saved = checkpointing.load_saved_state(os.path.join(workdir, "checkpoints", "ckpt-2"))
    for optimizer in ("g_optimizer", "d_optimizer"):
        assert int(saved[f"model/{optimizer}/iterations"]) == 2


@pytest.mark.parametrize("bad_flags, match", [
    (["--d_an_resolutions=32"], "d_an_resolutions"),  # no 32x32 block output in a 32^2 D
    (["--g_an_resolutions=33"], "g_an_resolutions"),
    (["--dataset=imagenet2012"], "num_classes"),
    (["--resolution=48"], "resolution"),
])
def test_bad_flags_fail_with_one_line(bad_flags, match, tmp_path):
    from experiments import cgan

    with pytest.raises((app.UsageError, flags.Error), match=match) as error:
        cgan.main(["cgan"], flag_values=parse_cgan_flags(f"--workdir={tmp_path}", *bad_flags))
    assert "\n" not in str(error.value)
    assert not os.path.exists(os.path.join(tmp_path, "checkpoints"))


def test_imagenet_flagfile_is_the_paper_setting(tmp_path):
    from an_tf.cgan import pipeline
    from experiments import common_flags

    flag_values = parse_cgan_flags(
        f"--workdir={tmp_path}", flagfile=SMOKE_FLAGFILE.replace("cgan_smoke", "cgan_imagenet128"))
    config = pipeline.cgan_config_from_hparams(common_flags.flag_values_dict(flag_values))
    training_config = common_flags.training_config_from_flags(flag_values)
    assert (config.dataset, config.resolution, config.num_classes) == ("imagenet2012", 128, 1000)
    assert (config.channels * 16, config.g_an_resolutions, config.d_an_resolutions) == (
        1024, (32,), (32,))
    assert (config.g_lr, config.d_lr, config.beta1, config.beta2) == (1e-4, 4e-4, 0.0, 0.9)
    assert training_config.batch_size == 256 and training_config.train_steps == 880000


def test_missing_imagenet_archives_exit_with_one_line(tmp_path):
    from experiments import cgan

    manual = tmp_path / "manual"
    manual.mkdir()
    flag_values = parse_cgan_flags(
        f"--workdir={tmp_path / 'run'}", "--dataset=imagenet2012", "--num_classes=1000",
        f"--manual_dir={manual}", f"--data_dir={tmp_path / 'tfds'}")
    with pytest.raises(SystemExit, match=str(manual)) as error:
        cgan.main(["cgan"], flag_values=flag_values)
    assert "\n" not in str(error.value) and "ILSVRC2012_img_train.tar" in str(error.value)


def test_resuming_with_other_architecture_flags_is_refused(tmp_path_factory):
    from an_tf.training.run_settings import ConfigMismatchError

    workdir = smoke_workdir(tmp_path_factory)
    before = open(os.path.join(workdir, "config.json")).read()
    with pytest.raises(ConfigMismatchError, match=r"other settings of channels, num_entities") \
            as error:
        run_cgan_main(f"--workdir={workdir}", "--channels=8", "--num_entities=2")
    assert "\n" not in str(error.value)
    assert open(os.path.join(workdir, "config.json")).read() == before


def test_self_attention_too_narrow_for_its_block_is_a_flag_error(tmp_path):
    from experiments import cgan

    with pytest.raises(flags.IllegalFlagValueError, match="SelfAttention needs >= 8"):
        cgan.main(["cgan"], flag_values=parse_cgan_flags(f"--workdir={tmp_path}",
                                                         "--attention=self_attention"))


def test_entry_point_errors_are_one_line_without_help(tmp_path):
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "experiments.export_cgan", f"--workdir={tmp_path}",
         f"--export_dir={tmp_path / 'export'}"],
        capture_output=True, text=True, timeout=120, check=False,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines()
             if line.strip() and not line.startswith(("WARNING: All log messages", "I0000",
                                                      "E0000", "W0000"))]
    assert lines == [f"error: {tmp_path}/config.json not found: --workdir must be a cGAN run "
                     "directory"], result.stderr
