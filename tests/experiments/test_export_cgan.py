"""experiments.export_cgan: SavedModel from a run's workdir, served without an_tf."""

import os
import subprocess
import sys

import numpy as np
import pytest
from absl import app, flags

from tests.cgan.helpers import run_in_fresh_python, smoke_workdir


def _export(workdir, export_dir):
    from experiments import export_cgan

    flag_values = flags.FlagValues()
    export_cgan.define_flags(flag_values)
    flag_values(["export_cgan", f"--workdir={workdir}", f"--export_dir={export_dir}"])
    export_cgan.main(["export_cgan"], flag_values=flag_values)


def test_export_and_serve_with_saved_model_cli(tmp_path_factory, tmp_path):
    workdir = smoke_workdir(tmp_path_factory)
    export_dir = str(tmp_path / "export")
    _export(workdir, export_dir)
    np.save(tmp_path / "z.npy", np.random.default_rng(0).normal(size=(2, 16)).astype("float32"))
    np.save(tmp_path / "labels.npy", np.array([0, 3], np.int64))
    cli = os.path.join(os.path.dirname(sys.executable), "saved_model_cli")
    result = subprocess.run(
        [cli, "run", f"--dir={export_dir}", "--tag_set=serve", "--signature_def=serving_default",
         f"--inputs=z={tmp_path / 'z.npy'};labels={tmp_path / 'labels.npy'}",
         f"--outdir={tmp_path / 'out'}"],
        capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert result.returncode == 0, result.stderr[-2000:]
    images = np.load(tmp_path / "out" / "images.npy")
    assert images.shape == (2, 32, 32, 3) and np.abs(images).max() <= 1.0
    # The same SavedModel in a process that never imports an_tf.
    output = run_in_fresh_python(
        "import sys, tensorflow as tf\n"
        f"serve = tf.saved_model.load({export_dir!r}).signatures['serving_default']\n"
        f"print(float(tf.reduce_max(tf.abs(serve(z=tf.constant(__import__('numpy').load("
        f"{str(tmp_path / 'z.npy')!r})), labels=tf.constant([0, 3], tf.int64))['images'] - "
        f"__import__('numpy').load({str(tmp_path / 'out' / 'images.npy')!r})))), "
        "'an_tf' in sys.modules)\n")
    difference, imported = output.split()
    assert float(difference) < 1e-6 and imported == "False"


def test_export_without_checkpoint_fails_with_one_line(tmp_path):
    with pytest.raises(app.UsageError, match="config.json") as error:
        _export(str(tmp_path), str(tmp_path / "export"))
    assert "\n" not in str(error.value)


def test_missing_best_checkpoint_is_one_line_naming_what_exists(tmp_path_factory, tmp_path):
    from experiments import export_cgan

    flag_values = flags.FlagValues()
    export_cgan.define_flags(flag_values)
    flag_values(["export_cgan", f"--workdir={smoke_workdir(tmp_path_factory)}",
                 f"--export_dir={tmp_path / 'export'}", "--checkpoint=best"])
    with pytest.raises(app.UsageError, match=r"no 'best' checkpoint .*available: latest "
                                             r"\(step 2\), steps 2") as error:
        export_cgan.main(["export_cgan"], flag_values=flag_values)
    assert "\n" not in str(error.value) and not (tmp_path / "export").exists()
