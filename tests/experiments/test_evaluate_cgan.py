"""experiments.evaluate_cgan on the smoke run: with a (tiny stand-in) Inception graph and
download-free; one-line errors."""

import json
import os

import numpy as np
import pytest
from absl import flags

from tests.cgan.helpers import smoke_workdir
from tests.metrics import tiny_inception


def _evaluate(*args):
    from experiments import evaluate_cgan

    flag_values = flags.FlagValues()
    evaluate_cgan.define_flags(flag_values)
    flag_values(["evaluate_cgan", *args])
    evaluate_cgan.main(["evaluate_cgan"], flag_values=flag_values)


def test_inception_metrics_table_and_cache(tmp_path_factory, tmp_path, capsys):
    workdir = smoke_workdir(tmp_path_factory)
    graph = str(tmp_path / "inceptionv1_for_inception_score.pb")
    tiny_inception.write_tfgan_graph(graph)
    args = [f"--workdir={workdir}", f"--inception_path={graph}", "--num_samples=12",
            "--num_splits=2", "--intra_fid_samples_per_class=3", "--intra_fid_classes=0,3",
            "--num_real_examples=16", "--eval_batch_size=6", f"--output={tmp_path / 'a.json'}"]
    _evaluate(*args)
    table = capsys.readouterr().out
    assert "| AN (paper) | 17.84 | 83.4 | 46.57 |" in table and "| this run (step 2" in table
    results = json.loads((tmp_path / "a.json").read_text())
    assert results["fid"] >= 0 and 1 <= results["inception_score"] <= tiny_inception.CLASSES
    assert sorted(results["intra_fid_per_class"]) == ["0", "3"]
    assert results["real_examples"] == 16 and results["step"] == 2
    cached = os.listdir(os.path.join(workdir, "eval_cache"))
    assert any("examples-16" in name and "inception-" in name for name in cached)
    _evaluate(*args[:-1], f"--output={tmp_path / 'b.json'}")  # cached statistics: same numbers
    assert json.loads((tmp_path / "b.json").read_text())["fid"] == pytest.approx(results["fid"])


def test_download_free_metrics(tmp_path_factory, tmp_path):
    workdir = smoke_workdir(tmp_path_factory)
    _evaluate(f"--workdir={workdir}", "--num_samples=32", "--num_real_examples=32",
              "--eval_batch_size=16", "--num_splits=2", f"--classifier_dir={tmp_path}",
              "--classifier_train_examples=64", "--classifier_epochs=1")
    results = json.loads(open(os.path.join(workdir, "evaluation_shapes.json")).read())
    for name in ("accuracy", "fd", "intra_fd", "is_like", "classifier_accuracy",
                 "g_layout_object_iou/up_block_32_an", "d_layout_object_iou/down_block_16_an",
                 "chance_layout_iou"):
        assert results[name] >= 0, name
    assert 1 <= results["g_entities_used/up_block_32_an"] <= 4


def test_missing_inception_file_is_one_line(tmp_path_factory, tmp_path):
    workdir = smoke_workdir(tmp_path_factory)
    with pytest.raises(SystemExit) as error:
        _evaluate(f"--workdir={workdir}", f"--inception_path={tmp_path / 'x.pb'}")
    message = str(error.value)
    assert "\n" not in message and "inceptionv1_for_inception_score.pb" in message


def test_not_a_run_directory_is_one_line(tmp_path):
    with pytest.raises(SystemExit, match="config.json") as error:
        _evaluate(f"--workdir={tmp_path}")
    assert "\n" not in str(error.value)


def test_checkpoint_flag_picks_a_step_and_names_what_exists(tmp_path_factory, tmp_path):
    workdir = smoke_workdir(tmp_path_factory)
    common = [f"--workdir={workdir}", "--num_samples=16", "--num_real_examples=16",
              "--eval_batch_size=16", "--num_splits=2", f"--classifier_dir={tmp_path}",
              "--classifier_train_examples=64", "--classifier_epochs=1"]
    _evaluate(*common, "--checkpoint=2", f"--output={tmp_path / 'step2.json'}")
    assert json.loads((tmp_path / "step2.json").read_text())["step"] == 2
    with pytest.raises(SystemExit, match=r"no 'best' checkpoint .*available: latest \(step 2\), "
                                         r"steps 2$") as error:
        _evaluate(*common, "--checkpoint=best")
    assert "\n" not in str(error.value)


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory):
    """(workdir, folder) of a 2-step run on a 4-class image folder (the smoke's 4 classes)."""
    from experiments import cgan
    from tests.data.labelled_images import write_folder
    from tests.experiments.helpers import parse_flags

    folder = str(tmp_path_factory.mktemp("eval_folder"))
    write_folder(folder, classes=("bird", "cat", "dog", "fish"), per_class=3, size=(40, 30))
    workdir = str(tmp_path_factory.mktemp("eval_folder_run"))
    flagfile = os.path.join(os.path.dirname(__file__), "..", "..", "experiments", "configs",
                            "cgan_smoke.cfg")
    cgan.main(["cgan"], flag_values=parse_flags(
        cgan, f"--flagfile={flagfile}", f"--workdir={workdir}", "--dataset=image_folder",
        f"--image_folder={folder}"))
    return workdir, folder


def test_image_folder_run_with_inception_uses_its_own_data(folder_run, tmp_path, capsys):
    from tests.data.labelled_images import save

    workdir, folder = folder_run
    graph = str(tmp_path / "inceptionv1_for_inception_score.pb")
    tiny_inception.write_tfgan_graph(graph)
    args = [f"--workdir={workdir}", f"--inception_path={graph}", "--num_samples=12",
            "--num_splits=2", "--intra_fid_samples_per_class=3", "--eval_batch_size=6",
            f"--output={tmp_path / 'a.json'}"]
    _evaluate(*args)
    table = capsys.readouterr().out
    assert "| class | Intra-FID |" in table and "| dog |" in table and "| bird |" in table
    results = json.loads((tmp_path / "a.json").read_text())
    assert results["real_examples"] == 12  # the run's own 12 training images
    assert sorted(results["intra_fid_per_class"]) == ["0", "1", "2", "3"]
    cache = os.path.join(workdir, "eval_cache")
    assert len(os.listdir(cache)) == 1
    save(os.path.join(folder, "cat", "new.png"), np.full((30, 40, 3), 90, np.uint8))
    _evaluate(*args)  # a changed folder: new statistics, not the cached ones
    assert len(os.listdir(cache)) == 2
    assert json.loads((tmp_path / "a.json").read_text())["real_examples"] == 13
    os.remove(os.path.join(folder, "cat", "new.png"))


def test_image_folder_run_download_free(folder_run, tmp_path, capsys):
    workdir, _ = folder_run
    _evaluate(f"--workdir={workdir}", "--num_samples=12", "--num_splits=2",
              "--eval_batch_size=6", f"--classifier_dir={tmp_path}", "--classifier_epochs=1")
    table = capsys.readouterr().out
    assert table.startswith("classifier held-out accuracy on real images: ")
    assert "| class | intra-FD |" in table and "| cat |" in table
    results = json.loads(open(os.path.join(workdir, "evaluation_classifier.json")).read())
    # 12 images: every 10th (2) held out, 10 trained on; the accuracy reported with the scores.
    assert "| fish |" in table
    assert 0 <= results["classifier_accuracy"] <= 1 and results["fd"] >= 0
    assert not any(key.startswith(("g_layout", "d_layout")) for key in results)
