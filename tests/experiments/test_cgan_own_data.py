"""experiments.cgan on the user's own data, through the real entry point: a labelled image folder
(odd image modes, augmentation) and a tfds dataset prepared here by a real tfds builder; exact
resume on each, class names saved, and refused runs that leave an existing workdir unchanged."""

import hashlib
import json
import os

import pytest
import tensorflow as tf
from absl import app, flags

from experiments import cgan, export_cgan
from tests.data import tiny_tfds
from tests.data.labelled_images import write_folder, write_odd_modes
from tests.experiments.helpers import parse_flags
from tests.training import state_checks

STEPS, FIRST = 4, 2
TINY = ["--resolution=32", "--z_dim=16", "--channels=4", "--num_entities=4",
        "--embedding_dim=4", "--g_an_resolutions=32", "--d_an_resolutions=16", "--batch_size=4",
        f"--train_steps={STEPS}", "--checkpoint_every=2", "--summary_every=1",
        f"--sample_every={STEPS}"]


def _train(workdir, *extra):
    flag_values = parse_flags(cgan, f"--workdir={workdir}", *TINY, *extra)
    cgan.main(["cgan"], flag_values=flag_values)


def _final(workdir):
    return os.path.join(workdir, "checkpoints", f"ckpt-{STEPS}")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("photos"))
    write_folder(root, classes=("bird", "cat", "dog"), per_class=3, size=(45, 34))
    write_odd_modes(os.path.join(root, "cat", "odd"))  # 8 more cats, in every odd mode
    open(os.path.join(root, "dog", "empty.jpg"), "wb").close()  # skipped with a warning
    return root


def _folder_flags(folder):
    return ("--dataset=image_folder", f"--image_folder={folder}", "--random_crop",
            "--random_flip")


@pytest.fixture(scope="module")
def folder_run(folder, tmp_path_factory):
    """The workdir of an uninterrupted folder run."""
    workdir = str(tmp_path_factory.mktemp("folder_straight"))
    _train(workdir, *_folder_flags(folder))
    return workdir


def test_folder_run_saves_class_names_and_resumes_exactly(folder, folder_run, tmp_path):
    with open(os.path.join(folder_run, "class_names.json"), encoding="utf-8") as stream:
        assert json.load(stream) == ["bird", "cat", "dog"]
    with open(os.path.join(folder_run, "config.json"), encoding="utf-8") as stream:
        assert json.load(stream)["hparams"]["num_classes"] == 3  # inferred
    assert os.path.exists(os.path.join(folder_run, "images", "samples_named", f"{STEPS}.png"))
    _train(str(tmp_path), *_folder_flags(folder), f"--train_steps={FIRST}")
    _train(str(tmp_path), *_folder_flags(folder))  # the same command again
    count = state_checks.assert_same_checkpoints(_final(folder_run), _final(str(tmp_path)))
    assert count > 50


def test_export_serves_the_class_names(folder_run, tmp_path):
    flag_values = parse_flags(export_cgan, f"--workdir={folder_run}",
                              f"--export_dir={tmp_path / 'export'}")
    export_cgan.main(["export"], flag_values=flag_values)
    served = tf.saved_model.load(str(tmp_path / "export")).signatures["class_names"]()
    assert [n.decode() for n in served["class_names"].numpy()] == ["bird", "cat", "dog"]


@pytest.mark.slow  # --runslow; kept out of the default suite for its time budget
def test_tfds_run_resumes_exactly(tmp_path):
    data_dir = str(tmp_path / "tfds")
    tiny_tfds.prepare("tiny_fruits", data_dir)
    tfds_flags = ("--dataset=tfds", "--tfds_name=tiny_fruits", f"--data_dir={data_dir}",
                  "--tfds_image_key=picture", "--tfds_label_key=fruit", "--random_flip",
                  "--sample_every=100")  # no pictures: the folder test covers them
    _train(str(tmp_path / "straight"), *tfds_flags)
    _train(str(tmp_path / "resumed"), *tfds_flags, f"--train_steps={FIRST}")
    _train(str(tmp_path / "resumed"), *tfds_flags)
    state_checks.assert_same_checkpoints(_final(str(tmp_path / "straight")),
                                         _final(str(tmp_path / "resumed")))
    with open(tmp_path / "straight" / "class_names.json", encoding="utf-8") as stream:
        assert json.load(stream) == tiny_tfds.FRUITS


def _snapshot(workdir):
    """{relative path: sha256} of every file of a workdir."""
    files = {}
    for root, _, names in os.walk(workdir):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as stream:
                files[os.path.relpath(path, workdir)] = hashlib.sha256(stream.read()).hexdigest()
    return files


def _other_classes(root):
    write_folder(root, classes=("ant", "bee", "cow"), per_class=2)
    return root


@pytest.mark.parametrize("make_flags, match", [
    (lambda f, tmp: _folder_flags(f) + ("--num_classes=5",), "--num_classes=5 but the data has 3"),
    (lambda f, tmp: ("--dataset=image_folder", f"--image_folder={tmp}/missing"), "does not exist"),
    (lambda f, tmp: ("--dataset=image_folder", f"--image_folder={_other_classes(str(tmp))}"),
     "other classes"),
    (lambda f, tmp: ("--dataset=tfds", "--tfds_name=no_such_dataset_xyz"), "no dataset"),
    (lambda f, tmp: _folder_flags(f) + ("--channels=8",), "other settings of channels"),
])
def test_refused_runs_leave_the_workdir_unchanged(make_flags, match, folder, folder_run,
                                                  tmp_path):
    before = _snapshot(folder_run)
    with pytest.raises((ValueError, app.UsageError, flags.Error), match=match) as error:
        _train(folder_run, *make_flags(folder, tmp_path), "--train_steps=6")
    assert "\n" not in str(error.value)
    assert _snapshot(folder_run) == before
