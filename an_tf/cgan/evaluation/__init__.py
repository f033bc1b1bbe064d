"""Evaluation of a cGAN run against its own data: the real-data references (feature network
and cached real statistics), restoring a run's generator and scoring it (run_eval), the evaluator
used during training (training_eval) and the result tables. The metric mathematics it uses lives in
`an_tf.metrics`."""

from an_tf.cgan.evaluation.references import ClassifierOptions
from an_tf.cgan.evaluation.run_eval import (evaluate_download_free, evaluate_with_inception,
                                            restore_gan)
from an_tf.cgan.evaluation.training_eval import CGANEvaluator

__all__ = ["CGANEvaluator", "ClassifierOptions", "evaluate_download_free",
           "evaluate_with_inception", "restore_gan"]
