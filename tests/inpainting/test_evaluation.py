"""InpaintingEvaluator's best metric (name and direction), its check before training, and the flat
record of the evaluation during training (the whole evaluation runs in
tests/experiments/test_inpaint_eval_during_training.py)."""

import pytest

from an_tf.inpainting import evaluation
from an_tf.training.eval_hook import BestMetric


@pytest.mark.parametrize("name, metric", [
    (None, BestMetric("psnr", higher_is_better=True)),
    ("hole_ssim", BestMetric("hole_ssim", higher_is_better=True)),
    ("l1", BestMetric("l1")), ("hole_l2", BestMetric("hole_l2")),
])
def test_best_metric_and_its_direction(name, metric):
    evaluator = evaluation.InpaintingEvaluator(lambda: [], best_metric=name)
    assert evaluator.best_metric == metric
    evaluator.check()


def test_a_best_metric_that_is_no_result_is_one_line():
    with pytest.raises(ValueError, match=r"^best metric 'fd' is not a result of the inpainting "
                       r"evaluation; choose among psnr, ssim, l1, l2, hole_psnr, hole_ssim, "
                       r"hole_l1, hole_l2$"):
        evaluation.InpaintingEvaluator(lambda: [], best_metric="fd").check()


def test_training_results_is_one_flat_record_of_numbers():
    stage = {name: 1.0 for name in evaluation.NAMES}
    results = {"refined": stage, "coarse": {name: 2.0 for name in evaluation.NAMES},
               "num_images": 3, "refinement": {"psnr": {"mean": 0.1}},
               "layout": {"layout_object_iou": 0.4, "object_fraction": 0.2}}
    record = evaluation.training_results(results)
    assert record == {**stage, **{f"coarse_{name}": 2.0 for name in evaluation.NAMES},
                      "layout_object_iou": 0.4, "object_fraction": 0.2, "num_images": 3}
