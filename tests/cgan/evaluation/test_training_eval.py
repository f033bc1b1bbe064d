"""CGANEvaluator's choice of the best metric (name and direction) and its checks before training
(the evaluation itself runs in tests/experiments/test_eval_during_training.py)."""

import pytest

from an_tf.cgan import pipeline
from an_tf.cgan.data_sources import make_data_source
from an_tf.cgan.evaluation.training_eval import CGANEvaluator
from an_tf.training.eval_hook import BestMetric

SHAPES = pipeline.cgan_config_from_hparams({"dataset": "synthetic", "resolution": "32",
                                            "num_classes": 4, "channels": 8,
                                            "g_an_resolutions": [], "d_an_resolutions": []})
SOURCE = make_data_source(SHAPES)


def test_default_best_metric_is_fd_or_fid_and_a_chosen_one_keeps_its_direction(tmp_path):
    assert CGANEvaluator(SHAPES, SOURCE, str(tmp_path)).best_metric == BestMetric("fd")
    graph = CGANEvaluator(SHAPES, SOURCE, str(tmp_path), inception_path="inception.pb")
    assert graph.best_metric == BestMetric("fid")
    chosen = CGANEvaluator(SHAPES, SOURCE, str(tmp_path), best_metric="accuracy")
    assert chosen.best_metric == BestMetric("accuracy", higher_is_better=True)
    chosen.check()


def test_a_best_metric_of_the_other_protocol_is_refused_in_one_line(tmp_path):
    with pytest.raises(ValueError, match=r"^best metric 'fid' is not a result of this "
                       r"evaluation; choose among fd, accuracy, is_like$"):
        CGANEvaluator(SHAPES, SOURCE, str(tmp_path), best_metric="fid").check()
