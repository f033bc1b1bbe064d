"""The entry points with Inception stand-ins that have the 2015 files' quirks (producer 8,
BatchNormWithGlobalNormalization, old Concat, batch-1 shapes; tests/metrics/tiny_inception.py):
experiments.evaluate_cgan --inception_path and experiments.cgan --eval_every run end to end, and
every other file given as --inception_path is one line naming the two published files."""

import json
import os

import pytest
from absl import flags

from experiments import cgan
from tests.cgan.helpers import smoke_workdir
from tests.experiments.helpers import CONFIGS, parse_flags
from tests.experiments.test_exact_resume import _train
from tests.metrics import tiny_inception

WRITERS = {"tfgan": ("inceptionv1_for_inception_score.pb", tiny_inception.write_quirky_tfgan_graph),
           "ttur": ("classify_image_graph_def.pb", tiny_inception.write_quirky_ttur_graph)}


def _quirky_graph(directory, kind):
    name, write = WRITERS[kind]
    path = str(directory / name)
    write(path)
    return path


def _evaluate(*args):
    from experiments import evaluate_cgan  # noqa: PLC0415

    flag_values = flags.FlagValues()
    evaluate_cgan.define_flags(flag_values)
    flag_values(["evaluate_cgan", *args])
    evaluate_cgan.main(["evaluate_cgan"], flag_values=flag_values)


@pytest.mark.parametrize("kind", ["ttur", "tfgan"])
def test_evaluate_cgan_with_a_quirky_graph(tmp_path_factory, tmp_path, capsys, kind):
    workdir = smoke_workdir(tmp_path_factory)
    graph = _quirky_graph(tmp_path, kind)
    output = tmp_path / "results.json"
    _evaluate(f"--workdir={workdir}", f"--inception_path={graph}", "--num_samples=12",
              "--num_splits=2", "--intra_fid_samples_per_class=3", "--intra_fid_classes=0,3",
              "--num_real_examples=16", "--eval_batch_size=5", f"--output={output}")
    assert "| this run (step 2" in capsys.readouterr().out
    results = json.loads(output.read_text())
    assert results["inception"] == kind and results["real_examples"] == 16
    assert results["fid"] > 0 and 1 < results["inception_score"] <= tiny_inception.CLASSES
    assert sorted(results["intra_fid_per_class"]) == ["0", "3"]


def test_training_with_eval_every_and_a_quirky_graph(tmp_path):
    graph = _quirky_graph(tmp_path, "ttur")
    workdir = str(tmp_path / "run")
    _train("cgan", workdir, "--eval_every=2", "--eval_num_samples=10",
           "--eval_num_real_examples=12", "--eval_batch_size=4", f"--inception_path={graph}")
    with open(os.path.join(workdir, "metrics.jsonl"), encoding="utf-8") as stream:
        records = [json.loads(line) for line in stream]
    assert [record["step"] for record in records] == [2, 4]
    for record in records:  # 10 samples in 10 splits: IS 1
        assert record["fid"] > 0 and 1 <= record["inception_score"] <= tiny_inception.CLASSES
    assert records[0]["fid"] != records[1]["fid"]  # the generator changed between them
    best = json.load(open(os.path.join(workdir, "checkpoints", "best", "best.json")))
    assert best["metric"] == "fid" and best["value"] == min(r["fid"] for r in records)


def _saved_model_dir(tmp_path):
    import tensorflow as tf  # noqa: PLC0415

    tf.saved_model.save(tf.Module(), str(tmp_path / "inception_v3"))
    return tmp_path / "inception_v3"


def _pth_file(tmp_path):
    import zipfile  # noqa: PLC0415

    path = tmp_path / "pt_inception-2015-12-05.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("pt_inception/data.pkl", b"\x80\x02}q\x00.")
    return path


def _assert_names_the_published_files(message):
    assert "\n" not in message
    for name in ("inceptionv1_for_inception_score.pb", "classify_image_graph_def.pb",
                 "download.tensorflow.org/models/image/imagenet/inception-2015-12-05.tgz"):
        assert name in message, message


def test_evaluate_cgan_with_a_pth_is_one_line(tmp_path_factory, tmp_path):
    workdir = smoke_workdir(tmp_path_factory)
    with pytest.raises(SystemExit) as error:
        _evaluate(f"--workdir={workdir}", f"--inception_path={_pth_file(tmp_path)}")
    assert "a PyTorch .pth" in str(error.value)
    _assert_names_the_published_files(str(error.value))


def test_eval_every_with_a_saved_model_is_one_line_before_training(tmp_path):
    flag_values = parse_flags(cgan, f"--flagfile={os.path.join(CONFIGS, 'cgan_smoke.cfg')}",
                              f"--workdir={tmp_path / 'run'}", "--eval_every=2",
                              f"--inception_path={_saved_model_dir(tmp_path)}")
    # run_training's check, before the workdir is made; run_main prints it as one line.
    with pytest.raises(ValueError, match="a SavedModel directory") as error:
        cgan.main(["cgan"], flag_values=flag_values)
    _assert_names_the_published_files(str(error.value))
    assert not (tmp_path / "run").exists()
