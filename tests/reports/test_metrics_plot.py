"""The metrics.jsonl plot (metrics_plot, experiments.plot_metrics): the curve is drawn where the
values are, the best point circled; a missing file or metric is one line."""

import json

import numpy as np
import pytest
from PIL import Image

from an_tf.reports.metrics_plot import HEIGHT, WIDTH, plot_metric, read_metric
from an_tf.training.eval_hook import MetricsLog
from experiments import plot_metrics
from tests.experiments.helpers import parse_flags


def _write(workdir, records):
    with open(MetricsLog(str(workdir)).path, "w", encoding="utf-8") as stream:
        stream.writelines(json.dumps(record) + "\n" for record in records)


def test_plot_from_metrics_jsonl(tmp_path, capsys):
    _write(tmp_path, [{"step": 100, "fd": 3.0, "accuracy": 0.2},
                      {"step": 200, "fd": 1.0, "accuracy": 0.5},
                      {"step": 300, "fd": 2.0, "accuracy": 0.4}])
    steps, values = read_metric(str(tmp_path), "fd")
    assert steps.tolist() == [100, 200, 300] and values.tolist() == [3.0, 1.0, 2.0]
    plot_metric(steps, values, "fd", str(tmp_path / "fd.png"))
    picture = np.asarray(Image.open(tmp_path / "fd.png").convert("RGB"))
    assert picture.shape == (HEIGHT, WIDTH, 3)
    red = np.argwhere((picture[..., 0] > 200) & (picture[..., 1] < 80))  # the best point's ring
    blue = np.argwhere((picture[..., 2] > 150) & (picture[..., 0] < 60))  # the curve
    assert len(red) and len(blue)
    # The best (lowest) value is the middle step: its ring is in the middle and low.
    assert abs(red[:, 1].mean() - WIDTH * 0.53) < WIDTH * 0.1 and red[:, 0].mean() > HEIGHT / 2
    plot_metrics.main(["plot_metrics"], flag_values=parse_flags(
        plot_metrics, f"--workdir={tmp_path}", "--metric=accuracy", "--higher_is_better"))
    assert "3 points of accuracy" in capsys.readouterr().out
    assert (tmp_path / "metrics_accuracy.png").exists()


def test_missing_metric_or_file_is_one_line(tmp_path):
    with pytest.raises(ValueError, match="--eval_every"):
        read_metric(str(tmp_path), "fd")
    _write(tmp_path, [{"step": 1, "accuracy": 0.5}])
    with pytest.raises(ValueError, match="no metric 'fid' .*there are: accuracy, step"):
        read_metric(str(tmp_path), "fid")
